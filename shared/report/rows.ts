/**
 * Reading model partitions as rows for the report: the rows as Parquet gives them, the numbers in
 * them, and which dt= partitions of a table lie in a range of days.
 */
import { tablePrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import type { TableSpec } from '../schemas/table.ts';

/** A partition row as Parquet gives it; shared between the sections, so read-only. */
export type Row = Readonly<Record<string, unknown>>;

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The dt= partitions of a table from `since` to before `until`. */
export async function partitionDates(
  lake: Lake,
  spec: TableSpec,
  since: string,
  until: string,
): Promise<string[]> {
  const dates = new Set<string>();
  for (const key of await lake.list(tablePrefix(spec))) {
    const d = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
    if (d && d >= since && d < until) dates.add(d);
  }
  return [...dates].sort();
}
