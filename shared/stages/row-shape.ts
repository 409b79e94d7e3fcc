/**
 * The engine boundary of a stage: each query is declared with the columns it returns and their
 * kinds, the row type is derived from that declaration, and every result is checked against it
 * before a model sees it. A renamed or retyped column fails here, naming the query and the column,
 * instead of reaching a model as `undefined` or a string (which `Number()` and `String()` would have
 * turned into 0, NaN or "undefined").
 */
import { QueryError } from '../errors.ts';
import type { SqlEngine } from '../sql/engine.ts';
import type { SqlParam } from '../sql/render.ts';
import { isoDate, parseIsoDate } from '../time.ts';

/** A column's kind; `?` admits null. Dates are `YYYY-MM-DD` (epoch milliseconds and Date objects are converted). */
export type ValueKind =
  | 'string'
  | 'string?'
  | 'date'
  | 'date?'
  | 'int'
  | 'int?'
  | 'double'
  | 'double?'
  | 'boolean';

type ValueOf<K extends ValueKind> = K extends 'string' | 'date'
  ? string
  : K extends 'string?' | 'date?'
    ? string | null
    : K extends 'int' | 'double'
      ? number
      : K extends 'int?' | 'double?'
        ? number | null
        : boolean;

export type RowShape = Readonly<Record<string, ValueKind>>;
export type ShapedRow<S extends RowShape> = { [C in keyof S]: ValueOf<S[C]> };

/**
 * A named .sql file (shared/sql/queries/<name>.sql) and the row shape it returns. This is the one
 * place a query is listed: a stage declares its queries, and a test checks that the declarations
 * and the files match one to one.
 */
export interface QueryDecl<S extends RowShape = RowShape> {
  readonly name: string;
  readonly shape: S;
}

export const query = <const S extends RowShape>(name: string, shape: S): QueryDecl<S> => ({ name, shape });

export class QueryShapeError extends QueryError {}

const describe = (v: unknown): string =>
  typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : `${typeof v} ${String(v)}`;

/** The value as its declared kind, or a reason it is not one. */
function convert(kind: ValueKind, v: unknown): { value: unknown } | { reason: string } {
  if (v === null || v === undefined) {
    return kind.endsWith('?') ? { value: null } : { reason: 'null in a column declared not null' };
  }
  switch (kind) {
    case 'string':
    case 'string?':
      return typeof v === 'string' ? { value: v } : { reason: `expected a string, got ${describe(v)}` };
    case 'date':
    case 'date?':
      if (typeof v === 'number' && Number.isFinite(v)) return { value: isoDate(v) };
      if (v instanceof Date && Number.isFinite(v.getTime())) return { value: isoDate(v.getTime()) };
      if (typeof v === 'string' && parseIsoDate(v) !== undefined) return { value: v };
      return { reason: `expected a date YYYY-MM-DD, got ${describe(v)}` };
    case 'int':
    case 'int?': {
      const n = typeof v === 'bigint' ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n)
        ? { value: n }
        : { reason: `expected a whole number, got ${describe(v)}` };
    }
    case 'double':
    case 'double?':
      if (typeof v === 'number') return { value: v };
      if (typeof v === 'bigint') return { value: Number(v) };
      // DuckDB's JSON rendering spells the non-finite doubles out.
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return { value: Number(v) };
      return { reason: `expected a number, got ${describe(v)}` };
    case 'boolean':
      return typeof v === 'boolean' ? { value: v } : { reason: `expected true or false, got ${describe(v)}` };
  }
}

function checkColumns(decl: QueryDecl, present: readonly string[]): void {
  const declared = Object.keys(decl.shape);
  const missing = declared.filter((c) => !present.includes(c));
  const extra = present.filter((c) => !(c in decl.shape));
  if (missing.length || extra.length) {
    throw new QueryShapeError(
      `${decl.name}.sql`,
      [
        missing.length ? `no column ${missing.map((c) => `"${c}"`).join(', ')}` : '',
        extra.length ? `undeclared column ${extra.map((c) => `"${c}"`).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ') + ` (it returned ${present.join(', ') || 'no columns'}; declared ${declared.join(', ')})`,
    );
  }
}

/** Checks one column's values in place (converted to the declared kind); throws naming query, column and row. */
function checkColumn(decl: QueryDecl, column: string, values: unknown[]): void {
  const kind = decl.shape[column]!;
  for (let i = 0; i < values.length; i++) {
    const r = convert(kind, values[i]);
    if ('reason' in r)
      throw new QueryShapeError(`${decl.name}.sql`, `column "${column}", row ${i + 1}: ${r.reason}`);
    values[i] = r.value;
  }
}

/** Checks rows an engine returned against the declaration; the rows, typed. */
export function checkRows<S extends RowShape>(
  decl: QueryDecl<S>,
  rows: Record<string, unknown>[],
): ShapedRow<S>[] {
  if (rows.length === 0) return [];
  checkColumns(decl, Object.keys(rows[0]!));
  for (const [i, row] of rows.entries()) {
    for (const column of Object.keys(decl.shape)) {
      if (!(column in row))
        throw new QueryShapeError(`${decl.name}.sql`, `column "${column}" missing from row ${i + 1}`);
      const r = convert(decl.shape[column]!, row[column]);
      if ('reason' in r)
        throw new QueryShapeError(`${decl.name}.sql`, `column "${column}", row ${i + 1}: ${r.reason}`);
      row[column] = r.value;
    }
  }
  return rows as ShapedRow<S>[];
}

/** A query's result column by column: one array per declared column, checked. */
export interface ShapedColumns<S extends RowShape> {
  readonly length: number;
  readonly columns: { readonly [C in keyof S]: ValueOf<S[C]>[] };
}

/** Checks a column-major result against the declaration (values converted in place). */
export function checkColumnsResult<S extends RowShape>(
  decl: QueryDecl<S>,
  names: readonly string[],
  data: Record<string, unknown[]>,
): ShapedColumns<S> {
  checkColumns(decl, names);
  let length = 0;
  for (const column of Object.keys(decl.shape)) {
    const values = data[column]!;
    length = values.length;
    checkColumn(decl, column, values);
  }
  return { length, columns: data as ShapedColumns<S>['columns'] };
}

/**
 * The engine's raw answers, before the check. `columns` is optional: an engine that can hand a
 * result over column by column (DuckDB) spares a JS object per row.
 */
export interface ShapedEngine {
  rows(name: string, params: Readonly<Record<string, SqlParam>>): Promise<Record<string, unknown>[]>;
  columns?(
    name: string,
    params: Readonly<Record<string, SqlParam>>,
  ): Promise<{ names: string[]; data: Record<string, unknown[]> }>;
}

export const rowsOnly = (engine: SqlEngine): ShapedEngine => ({
  rows: (name, params) => engine.runNamed(name, params),
});

/** Runs a declared query; its rows, checked. */
export async function queryRows<S extends RowShape>(
  engine: ShapedEngine,
  decl: QueryDecl<S>,
  params: Readonly<Record<string, SqlParam>>,
): Promise<ShapedRow<S>[]> {
  return checkRows(decl, await engine.rows(decl.name, params));
}

/** Runs a declared query; its columns, checked. */
export async function queryColumns<S extends RowShape>(
  engine: ShapedEngine,
  decl: QueryDecl<S>,
  params: Readonly<Record<string, SqlParam>>,
): Promise<ShapedColumns<S>> {
  if (engine.columns) {
    const { names, data } = await engine.columns(decl.name, params);
    return checkColumnsResult(decl, names, data);
  }
  const rows = await engine.rows(decl.name, params);
  const names = rows.length ? Object.keys(rows[0]!) : Object.keys(decl.shape);
  const data: Record<string, unknown[]> = {};
  for (const n of names) data[n] = rows.map((r) => r[n]);
  return checkColumnsResult(decl, names, data);
}
