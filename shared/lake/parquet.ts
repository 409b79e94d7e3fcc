/**
 * Parquet in and out of the lake. Writing uses storepulse's own encoder (shared/parquet/), reading
 * without a SQL engine (a Lambda reading an Athena UNLOAD result) uses parquet-wasm into Arrow.
 */
import * as arrow from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { tableColumnData } from '../parquet/columns.ts';
import { writeParquetFile } from '../parquet/writer.ts';
import type { TableSpec } from '../schemas/table.ts';

/** Encodes columns of a declared table (plain JS values) as a Parquet file with the declared schema. */
export function encodeTable(
  spec: TableSpec,
  columns: Readonly<Record<string, readonly unknown[]>>,
): Promise<Uint8Array> {
  const { data, rows } = tableColumnData(spec, columns);
  return writeParquetFile(spec, data, rows, { codec: 'GZIP' });
}

/** Turns row objects into the column layout `encodeTable` takes. */
export function rowsToColumns(
  spec: TableSpec,
  rows: readonly Record<string, unknown>[],
): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const c of spec.columns) out[c.name] = rows.map((r) => r[c.name] ?? null);
  return out;
}

/** Decodes a Parquet file into an Arrow table. */
export function decodeParquet(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(readParquet(bytes).intoIPCStream());
}
