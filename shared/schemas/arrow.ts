import * as arrow from 'apache-arrow';
import type { ColumnSpec, ColumnType, TableSpec } from './table.ts';

function arrowType(type: ColumnType): arrow.DataType {
  switch (type) {
    case 'string':
      return new arrow.Utf8();
    case 'int32':
      return new arrow.Int32();
    case 'double':
      return new arrow.Float64();
    case 'boolean':
      return new arrow.Bool();
    case 'date':
      return new arrow.DateDay();
    case 'timestamp':
      return new arrow.TimestampMillisecond('UTC');
  }
}

export const arrowField = (c: ColumnSpec): arrow.Field =>
  new arrow.Field(c.name, arrowType(c.type), c.nullable);

/** The Arrow schema of the stored columns (partition keys live in the key, not in the file). */
export const arrowSchema = (spec: TableSpec): arrow.Schema => new arrow.Schema(spec.columns.map(arrowField));

/**
 * In-memory column values, as the pipeline builds them: strings, numbers, booleans; timestamps as
 * epoch milliseconds; dates as `YYYY-MM-DD` strings; null for missing.
 */
export type ColumnValues = unknown[];

const toDate = (v: unknown): Date | null => (v == null ? null : new Date(`${String(v)}T00:00:00Z`));

/** Builds an Arrow table with exactly the spec's stored columns, in order. */
export function arrowTable(spec: TableSpec, columns: Readonly<Record<string, ColumnValues>>): arrow.Table {
  const children = spec.columns.map((c) => {
    const values = columns[c.name];
    if (!values) throw new Error(`table ${spec.name}: no values for column ${c.name}`);
    // One builder per column gives one contiguous Data per column, which a RecordBatch needs.
    const builder = arrow.makeBuilder({ type: arrowType(c.type), nullValues: [null, undefined] });
    if (c.type === 'date') for (const v of values) builder.append(toDate(v));
    else for (const v of values) builder.append(v);
    return builder.finish().flush();
  });
  const schema = arrowSchema(spec);
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: children[0]?.length ?? 0,
    nullCount: 0,
    children,
  });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, data)]);
}

/** Turns row objects into the column layout `arrowTable` takes. */
export function rowsToColumns(
  spec: TableSpec,
  rows: readonly Record<string, unknown>[],
): Record<string, ColumnValues> {
  const out: Record<string, ColumnValues> = {};
  for (const c of spec.columns) out[c.name] = rows.map((r) => r[c.name] ?? null);
  return out;
}
