/**
 * From plain JS values (the layout models and small writers produce) to the writer's column data.
 * Strings are dictionary-encoded per file; timestamps are epoch milliseconds; dates `YYYY-MM-DD`.
 */
import type { ColumnSpec, TableSpec } from '../schemas/table.ts';
import type { ColumnData } from './writer.ts';

const DAY = 86_400_000;

const plainStrings = (values: readonly unknown[]): (string | null)[] =>
  values.map((v) => (v === null || v === undefined ? null : String(v)));

/** Fills `out` with the values as numbers (null as 0): a loop, not `TypedArray.from` with a mapper. */
function numbers<T extends Float64Array | Int32Array>(out: T, values: readonly unknown[]): T {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || v === undefined ? 0 : Number(v);
  }
  return out;
}

export function columnData(c: ColumnSpec, values: readonly unknown[]): ColumnData {
  const n = values.length;
  const nulls = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (values[i] === null || values[i] === undefined) nulls[i] = 1;
  switch (c.type) {
    case 'string': {
      if (c.unique) return { kind: 'strings', values: plainStrings(values) };
      const ids = new Map<string, number>();
      const dictionary: Uint8Array[] = [];
      const indices = new Int32Array(n);
      // A near-unique column (customer ids, e-mails) is written PLAIN: a dictionary of every value
      // costs a map entry per row and saves nothing.
      const maxDictionary = Math.max(1024, n * 0.3);
      for (let i = 0; i < n; i++) {
        if (nulls[i]) {
          indices[i] = -1;
          continue;
        }
        const s = String(values[i]);
        let id = ids.get(s);
        if (id === undefined) {
          if (dictionary.length >= maxDictionary) {
            return { kind: 'strings', values: plainStrings(values) };
          }
          id = dictionary.length;
          ids.set(s, id);
          dictionary.push(Buffer.from(s, 'utf8'));
        }
        indices[i] = id;
      }
      const starts = new Int32Array(dictionary.length);
      let at = 0;
      dictionary.forEach((d, k) => {
        starts[k] = at;
        at += d.length;
      });
      const data = Buffer.concat(dictionary);
      return {
        kind: 'dict',
        dictionary: { data, starts, lengths: Int32Array.from(dictionary, (d) => d.length) },
        indices,
      };
    }
    case 'double':
      return { kind: 'double', values: numbers(new Float64Array(n), values), nulls };
    case 'int32':
      return { kind: 'int32', values: numbers(new Int32Array(n), values), nulls };
    case 'timestamp':
      return { kind: 'timestamp_ms', values: numbers(new Float64Array(n), values), nulls };
    case 'date':
      return {
        kind: 'date',
        values: Int32Array.from(values, (v) =>
          v == null ? 0 : Math.round(Date.parse(`${String(v)}T00:00:00Z`) / DAY),
        ),
        nulls,
      };
    case 'boolean':
      return { kind: 'boolean', values: Uint8Array.from(values, (v) => (v ? 1 : 0)), nulls };
  }
}

export function tableColumnData(
  spec: TableSpec,
  columns: Readonly<Record<string, readonly unknown[]>>,
): { data: ColumnData[]; rows: number } {
  const rows = columns[spec.columns[0]?.name ?? '']?.length ?? 0;
  const data = spec.columns.map((c) => {
    const values = columns[c.name];
    if (!values) throw new Error(`table ${spec.name}: no values for column ${c.name}`);
    if (values.length !== rows)
      throw new Error(`table ${spec.name}: column ${c.name} has ${values.length} values, not ${rows}`);
    return columnData(c, values);
  });
  return { data, rows };
}
