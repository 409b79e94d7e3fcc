/**
 * The .sql files and their parameters. Templates use `{{name}}`; values are rendered as SQL literals
 * both DuckDB and Trino read. `raw()` is for fragments the code derives from schemas (column lists),
 * never for user input.
 */
import { readFileSync } from 'node:fs';
import { QueryError } from '../errors.ts';
import { PURCHASE_STATUSES } from '../schemas/tables.ts';

export class RawSql {
  constructor(readonly text: string) {}
}
export const raw = (text: string): RawSql => new RawSql(text);
export type SqlParam = string | number | RawSql;

const QUERY_DIR = new URL('./queries/', import.meta.url);

const cache = new Map<string, string>();
/**
 * A query's text, by the name its declaration gives it (`query()` in shared/stages/row-shape.ts):
 * the declarations are the one list of queries; test/integration/sql.test.ts checks that they and
 * the files in queries/ match one to one.
 */
export function loadSql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!/^\w+$/.test(name)) throw new QueryError(name, 'a query name is letters, digits and _');
    try {
      text = readFileSync(new URL(`${name}.sql`, QUERY_DIR), 'utf8');
    } catch (cause) {
      throw new QueryError(`${name}.sql`, `no such query in shared/sql/queries/`, { cause });
    }
    cache.set(name, text);
  }
  return text;
}

function literal(v: SqlParam): string {
  if (v instanceof RawSql) return v.text;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  return sqlString(v);
}

/** A string literal. */
export const sqlString = (v: string): string => `'${v.replaceAll("'", "''")}'`;

/** Parameters every query may use: definitions that live in the schemas, not in each .sql file. */
const DERIVED: Readonly<Record<string, SqlParam>> = {
  purchase_statuses: new RawSql(PURCHASE_STATUSES.map((s) => `'${s}'`).join(', ')),
};

export function renderSql(
  name: string,
  template: string,
  params: Readonly<Record<string, SqlParam>>,
): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const v = params[key] ?? DERIVED[key];
    if (v === undefined) throw new QueryError(name, `no value for parameter {{${key}}}`);
    return literal(v);
  });
}

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A list of string literals, for `in ({{list}})`. */
export const stringList = (values: readonly string[]): RawSql => raw(values.map(sqlString).join(', '));
