import * as arrow from 'apache-arrow';
import {
  Compression,
  readParquet,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from 'parquet-wasm';
import { arrowTable, type ColumnValues } from '../schemas/arrow.ts';
import type { TableSpec } from '../schemas/table.ts';

// One writer configuration for every file: ZSTD keeps curated files small for Athena's bytes-scanned bill.
const writerProperties = () =>
  new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setCreatedBy('storepulse').build();

/** Encodes an Arrow table as a Parquet file. */
export function encodeParquet(table: arrow.Table): Uint8Array {
  const wasmTable = WasmTable.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  return writeParquet(wasmTable, writerProperties());
}

/** Encodes columns of a declared table as a Parquet file with exactly the declared schema. */
export const encodeTable = (spec: TableSpec, columns: Readonly<Record<string, ColumnValues>>): Uint8Array =>
  encodeParquet(arrowTable(spec, columns));

/** Decodes a Parquet file into an Arrow table (for lakes read without a SQL engine). */
export function decodeParquet(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(readParquet(bytes).intoIPCStream());
}
