/** Partitions read back from the lake (Arrow tables) as plain values: dates `YYYY-MM-DD`, not epoch milliseconds. */
import { type Table, Type } from 'apache-arrow';
import { isoDate } from '../time.ts';

/** One column's values, in row order; a date column as `YYYY-MM-DD`. */
export function arrowColumn(table: Table, name: string): unknown[] {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`the partition has no column "${name}"`);
  const isDate = table.schema.fields.find((f) => f.name === name)?.typeId === Type.Date;
  // Iterated, not read with get(i): get looks the row's chunk up each time (a binary search).
  const out = new Array<unknown>(table.numRows);
  let i = 0;
  for (const v of vector) out[i++] = isDate && v !== null && v !== undefined ? isoDate(Number(v)) : v;
  return out;
}

/** The given columns of a partition, by name. */
export function arrowColumns<K extends string>(table: Table, names: readonly K[]): Record<K, unknown[]> {
  return Object.fromEntries(names.map((n) => [n, arrowColumn(table, n)])) as Record<K, unknown[]>;
}
