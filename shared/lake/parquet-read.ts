/**
 * Parquet out of the lake without a SQL engine (a Lambda reading an Athena UNLOAD result, the
 * rates ingest converts with): parquet-wasm decodes into Arrow.
 */
import * as arrow from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import type { ColumnType, TableSpec } from '../schemas/table.ts';
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

/**
 * One Parquet object's columns of a declared table, in the values the writer takes (epoch ms for
 * timestamps, `YYYY-MM-DD` for dates, numbers for integers); a column the file lacks (written
 * before it was declared) is all nulls. Column by column, with no object per row: compaction reads
 * whole partitions this way. Undefined when the object is absent or not Parquet.
 */
export async function readParquetColumns(
  lake: Lake,
  key: string,
  spec: TableSpec,
): Promise<{ columns: Record<string, unknown[]>; rows: number } | undefined> {
  const bytes = await lake.get(key);
  if (!bytes || !isParquet(bytes)) return undefined;
  const table = decodeParquet(bytes);
  const rows = table.numRows;
  const columns: Record<string, unknown[]> = {};
  for (const c of spec.columns) {
    const vector = table.getChild(c.name);
    const out = new Array<unknown>(rows);
    for (let i = 0; i < rows; i++) out[i] = vector ? writable(c.type, vector.get(i)) : null;
    columns[c.name] = out;
  }
  return { columns, rows };
}

function writable(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return type === 'date' ? v.toISOString().slice(0, 10) : v.getTime();
  if (type === 'date' && typeof v === 'number') return new Date(v).toISOString().slice(0, 10);
  return v;
}
