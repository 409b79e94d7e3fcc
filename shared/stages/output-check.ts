/**
 * The write boundary of a stage: an output partition's columns against its table's spec before
 * anything is encoded. The Parquet encoder would otherwise turn a missing column into nulls, a
 * string into NaN and an unparsable date into 1970-01-01. A stage's code is held to the spec by the
 * compiler too (its returned tables are typed ColumnsOf its declared writes), but not the values:
 * what came from SQL, a date string that does not parse, a fraction in an integer column.
 */
import type { ColumnSpec, TableSpec } from '../schemas/table.ts';
import { parseIsoDate } from '../time.ts';
import type { OutputColumns } from './stage.ts';

export class OutputShapeError extends Error {}

function valid(c: ColumnSpec, v: unknown): boolean {
  switch (c.type) {
    case 'string':
      return typeof v === 'string' && (!c.values || c.values.includes(v));
    case 'int32':
      return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2_147_483_647;
    case 'double':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'date':
      return typeof v === 'string' && parseIsoDate(v) !== undefined;
    case 'timestamp':
      return typeof v === 'number' && Number.isFinite(v);
  }
}

export function checkOutput(spec: TableSpec, columns: OutputColumns): void {
  const undeclared = Object.keys(columns).filter((n) => !spec.columns.some((c) => c.name === n));
  if (undeclared.length)
    throw new OutputShapeError(`${spec.name}: undeclared column(s) ${undeclared.join(', ')}`);
  let length: number | undefined;
  for (const c of spec.columns) {
    const values = columns[c.name];
    if (!values) throw new OutputShapeError(`${spec.name}: no column "${c.name}"`);
    if (length !== undefined && values.length !== length)
      throw new OutputShapeError(
        `${spec.name}: column "${c.name}" has ${values.length} values, others ${length}`,
      );
    length = values.length;
    // A typed array holds numbers of its kind by construction.
    if (!Array.isArray(values) && c.type !== 'string' && c.type !== 'date' && c.type !== 'boolean') {
      if (c.type === 'int32' && values instanceof Float64Array) {
        for (let i = 0; i < values.length; i++)
          if (!Number.isInteger(values[i]))
            throw new OutputShapeError(
              `${spec.name}: column "${c.name}", row ${i + 1}: ${values[i]} is not a whole number`,
            );
      }
      continue;
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        if (!c.nullable)
          throw new OutputShapeError(
            `${spec.name}: column "${c.name}", row ${i + 1}: null in a required column`,
          );
        continue;
      }
      if (!valid(c, v))
        throw new OutputShapeError(
          `${spec.name}: column "${c.name}", row ${i + 1}: ${JSON.stringify(v)} is not a valid ${c.type}${c.values ? ` (${c.values.join(', ')})` : ''}`,
        );
    }
  }
}
