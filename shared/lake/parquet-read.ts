/**
 * Parquet out of the lake without a SQL engine (a Lambda reading an Athena UNLOAD result, the
 * rates ingest converts with): parquet-wasm decodes into Arrow.
 */
import * as arrow from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import type { Lake } from './lake.ts';

/** Decodes a Parquet file into an Arrow table. */
export function decodeParquet(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(readParquet(bytes).intoIPCStream());
}

/** Every row of every Parquet file under a lake prefix (other files there are skipped), as plain objects (64-bit integers as numbers). */
export async function readParquetRows(lake: Lake, prefix: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const key of await lake.list(prefix)) {
    for (const r of await readParquetFileRows(lake, key)) rows.push(r);
  }
  return rows;
}

/** The rows of one Parquet object; none when it is absent, empty or not Parquet. */
export async function readParquetFileRows(lake: Lake, key: string): Promise<Record<string, unknown>[]> {
  const bytes = await lake.get(key);
  // Partitions may hold other files beside the data (a CSV for a CRM); Athena's UNLOAD files have
  // no extension, so a file is Parquet by its magic bytes.
  if (!bytes || !isParquet(bytes)) return [];
  const rows: Record<string, unknown>[] = [];
  for (const r of decodeParquet(bytes).toArray()) {
    const obj = r.toJSON() as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (typeof v === 'bigint') obj[k] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    }
    rows.push(obj);
  }
  return rows;
}

/** A Parquet file starts with the magic bytes `PAR1`. */
const isParquet = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31;
