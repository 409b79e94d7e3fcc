/**
 * Parquet into the lake with storepulse's own encoder (shared/parquet/). Reading is in
 * parquet-read.ts, apart: it loads Arrow and a WebAssembly decoder, which ingest's worker thread
 * (it only writes) should not pay for at start-up.
 */
import { tableColumnData } from '../parquet/columns.ts';
import { type Codec, writeParquetFile } from '../parquet/writer.ts';
import type { TableSpec } from '../schemas/table.ts';
import { tablePrefix } from './keys.ts';
import type { Lake } from './lake.ts';

/** Encodes columns of a declared table (plain JS values) as a Parquet file with the declared schema. */
export function encodeTable(
  spec: TableSpec,
  columns: Readonly<Record<string, readonly unknown[]>>,
  codec: Codec = 'GZIP',
): Promise<Uint8Array> {
  const { data, rows } = tableColumnData(spec, columns);
  return writeParquetFile(spec, data, rows, { codec });
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

/**
 * The newest `dt=` partition of a table before `date` (or at it, with `inclusive`): the previous
 * run's output, the latest forecast.
 */
export async function latestPartitionDate(
  lake: Lake,
  spec: TableSpec,
  date: string,
  inclusive: boolean,
): Promise<string | null> {
  let latest: string | null = null;
  for (const key of await lake.list(tablePrefix(spec))) {
    const d = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
    if (d && (inclusive ? d <= date : d < date) && (latest === null || d > latest)) latest = d;
  }
  return latest;
}
