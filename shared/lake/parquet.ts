/**
 * Parquet in and out of the lake. Writing uses storepulse's own encoder (shared/parquet/), reading
 * without a SQL engine (a Lambda reading an Athena UNLOAD result) uses parquet-wasm into Arrow.
 */
import * as arrow from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { tableColumnData } from '../parquet/columns.ts';
import { writeParquetFile } from '../parquet/writer.ts';
import type { TableSpec } from '../schemas/table.ts';
import { tablePrefix } from './keys.ts';
import type { Lake } from './lake.ts';

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

/** Every row of every Parquet file under a lake prefix (other files there are skipped), as plain objects (64-bit integers as numbers). */
export async function readParquetRows(lake: Lake, prefix: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const key of await lake.list(prefix)) {
    const bytes = await lake.get(key);
    if (!bytes || bytes.length === 0) continue;
    // Partitions may hold other files beside the data (a CSV for a CRM); Athena's UNLOAD files have
    // no extension, so a file is Parquet by its magic bytes.
    if (!isParquet(bytes)) continue;
    for (const r of decodeParquet(bytes).toArray()) {
      const obj = r.toJSON() as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        const v = obj[k];
        if (typeof v === 'bigint') obj[k] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      }
      rows.push(obj);
    }
  }
  return rows;
}

/** A Parquet file starts with the magic bytes `PAR1`. */
const isParquet = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31;

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
