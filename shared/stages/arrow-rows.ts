/** A partition read back from the lake (an Arrow table) as plain rows: dates `YYYY-MM-DD`, not epoch milliseconds. */
import { type Table, Type } from 'apache-arrow';
import { isoDate } from '../time.ts';

export function arrowRows(table: Table): Record<string, unknown>[] {
  const dates = table.schema.fields.filter((f) => f.typeId === Type.Date).map((f) => f.name);
  return table.toArray().map((r) => {
    const row = r.toJSON() as Record<string, unknown>;
    for (const d of dates) if (row[d] !== null && row[d] !== undefined) row[d] = isoDate(Number(row[d]));
    return row;
  });
}
