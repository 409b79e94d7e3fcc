/**
 * The report's read boundary: a model partition as rows typed from its table's spec, checked value
 * by value against the spec as a stage's output is before it is written, so a section reads
 * `r.monetary` as the spec declares it and a renamed or mistyped column fails naming the file,
 * instead of reaching the page as 0. Also: which dt= partitions of a table lie in a range of days.
 */
import { partitionPrefix, tablePrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { readParquetColumns } from '../lake/parquet-read.ts';
import type { RowOf, TableSpec } from '../schemas/table.ts';
import { checkOutput } from '../stages/output-check.ts';

/**
 * A table's dt= partition: each Parquet file's columns in the values the writer takes (dates
 * `YYYY-MM-DD`, timestamps epoch ms; a column an older file lacks reads as nulls), checked against
 * the spec, as rows.
 */
export async function readPartition<T extends TableSpec>(
  lake: Lake,
  spec: T,
  dt: string,
): Promise<RowOf<T>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const key of await lake.list(partitionPrefix(spec, { dt }))) {
    const file = await readParquetColumns(lake, key, spec);
    if (!file) continue;
    try {
      checkOutput(spec, file.columns);
    } catch (e) {
      throw new Error(`${key}: ${(e as Error).message}`, { cause: e });
    }
    for (let i = 0; i < file.rows; i++)
      rows.push(Object.fromEntries(spec.columns.map((c) => [c.name, file.columns[c.name]?.[i]])));
  }
  // Every value was checked against its column's spec above.
  return rows as RowOf<T>[];
}

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
