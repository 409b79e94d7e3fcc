/**
 * Reading the statement: what kind it is (a query, UNLOAD, or another statement Trino parses), the
 * parts of an UNLOAD, and the base tables a query reads, found in DuckDB's own syntax tree, where the
 * DuckDB-only syntax that Trino would not parse is refused.
 */
import { arr, obj } from './loose-json.ts';
import { QueryFailure } from './query-failure.ts';
import { lineCol, matchingParen, skipQuoted, skipTrivia, wordAt } from './sql-text.ts';

export interface UnloadStatement {
  inner: string;
  innerStart: number;
  target: string;
  properties: Map<string, string>;
}

/** Splits `UNLOAD (<query>) TO '<s3 uri>' WITH (k = 'v', …)`; undefined if the statement is no UNLOAD. */
export function parseUnload(sql: string): UnloadStatement | undefined {
  let i = skipTrivia(sql, 0);
  if (wordAt(sql, i).toUpperCase() !== 'UNLOAD') return undefined;
  const fail = (at: number, what: string): never => {
    const near = sql.slice(at, at + 20).split('\n')[0] || '<EOF>';
    throw new QueryFailure(
      `SYNTAX_ERROR: ${lineCol(sql, at)}: mismatched input '${near}'. Expecting: ${what}`,
    );
  };
  i = skipTrivia(sql, i + 6);
  if (sql[i] !== '(') fail(i, "'('");
  const close = matchingParen(sql, i);
  if (close < 0) fail(i, "')'");
  const innerStart = i + 1;
  const inner = sql.slice(innerStart, close);
  i = skipTrivia(sql, close + 1);
  if (wordAt(sql, i).toUpperCase() !== 'TO') fail(i, "'TO'");
  i = skipTrivia(sql, i + 2);
  if (sql[i] !== "'") fail(i, '<string>');
  let end = skipQuoted(sql, i);
  const target = sql.slice(i + 1, end - 1).replaceAll("''", "'");
  i = skipTrivia(sql, end);
  if (wordAt(sql, i).toUpperCase() !== 'WITH') fail(i, "'WITH'");
  i = skipTrivia(sql, i + 4);
  if (sql[i] !== '(') fail(i, "'('");
  const properties = new Map<string, string>();
  i = skipTrivia(sql, i + 1);
  for (;;) {
    let key: string;
    if (sql[i] === '"') {
      end = skipQuoted(sql, i);
      key = sql.slice(i + 1, end - 1);
      i = end;
    } else {
      key = wordAt(sql, i);
      if (!key) fail(i, '<identifier>');
      i += key.length;
    }
    i = skipTrivia(sql, i);
    if (sql[i] !== '=') fail(i, "'='");
    i = skipTrivia(sql, i + 1);
    let value: string;
    if (sql[i] === "'") {
      end = skipQuoted(sql, i);
      value = sql.slice(i + 1, end - 1).replaceAll("''", "'");
      i = end;
    } else if (wordAt(sql, i).toUpperCase() === 'ARRAY') {
      const open = sql.indexOf('[', i);
      const stop = sql.indexOf(']', open);
      if (open < 0 || stop < 0) fail(i, "'['");
      value = sql.slice(i, stop + 1);
      i = stop + 1;
    } else {
      fail(i, '<string>');
    }
    properties.set(key.toLowerCase(), value!);
    i = skipTrivia(sql, i);
    if (sql[i] === ',') {
      i = skipTrivia(sql, i + 1);
      continue;
    }
    if (sql[i] === ')') break;
    fail(i, "',', ')'");
  }
  i = skipTrivia(sql, i + 1);
  if (sql[i] === ';') i = skipTrivia(sql, i + 1);
  if (i < sql.length) fail(i, '<EOF>');
  return { inner, innerStart, target, properties };
}

export type StatementKind = {
  kind: 'SELECT' | 'UNLOAD' | 'OTHER';
  type: 'DML' | 'DDL' | 'UTILITY';
  keyword: string;
};

/** Statements Trino parses besides queries and UNLOAD (none of them is emulated), by statement type. */
const OTHER_STATEMENTS: Record<string, 'DML' | 'DDL' | 'UTILITY'> = Object.fromEntries([
  ...['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'OPTIMIZE', 'VACUUM'].map((k) => [k, 'DML'] as const),
  ...[
    'EXPLAIN',
    'PREPARE',
    'EXECUTE',
    'DEALLOCATE',
    'USE',
    'SET',
    'RESET',
    'START',
    'COMMIT',
    'ROLLBACK',
    'CALL',
  ].map((k) => [k, 'UTILITY'] as const),
  ...[
    'CREATE',
    'DROP',
    'ALTER',
    'MSCK',
    'SHOW',
    'DESCRIBE',
    'ANALYZE',
    'REFRESH',
    'COMMENT',
    'GRANT',
    'REVOKE',
    'DENY',
    'TRUNCATE',
  ].map((k) => [k, 'DDL'] as const),
]);

/** What the statement is, by its first keyword; an unknown first word is left to the parser's error. */
export function classify(sql: string): StatementKind {
  const i = skipTrivia(sql, 0);
  const keyword = sql[i] === '(' ? 'SELECT' : wordAt(sql, i).toUpperCase();
  if (keyword === 'UNLOAD') return { kind: 'UNLOAD', type: 'DML', keyword };
  const other = OTHER_STATEMENTS[keyword];
  if (other) return { kind: 'OTHER', type: other, keyword };
  return { kind: 'SELECT', type: 'DML', keyword };
}

export interface TableRef {
  catalog: string;
  schema: string;
  name: string;
  location: number;
}

/**
 * The base tables a SELECT reads, from DuckDB's own parser (json_serialize_sql): every BASE_TABLE
 * reference that is not a CTE in scope. Also refuses what DuckDB accepts but Trino does not parse.
 */
export function tableRefs(ast: unknown, reject: (what: string, location?: number) => never): TableRef[] {
  const refs: TableRef[] = [];
  const walk = (node: unknown, scope: ReadonlySet<string>): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, scope);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    let inner = scope;
    const ctes = arr(obj(o.cte_map).map);
    if (ctes.length) {
      const names = new Set(scope);
      for (const c of ctes) names.add(String(obj(c).key).toLowerCase());
      inner = names;
    }
    const loc =
      typeof o.query_location === 'number' && o.query_location < 2 ** 40 ? o.query_location : undefined;
    switch (o.type) {
      case 'BASE_TABLE': {
        const ref = {
          catalog: String(o.catalog_name ?? '').toLowerCase(),
          schema: String(o.schema_name ?? '').toLowerCase(),
          name: String(o.table_name ?? '').toLowerCase(),
          location: loc ?? 0,
        };
        if (ref.catalog || ref.schema || !inner.has(ref.name)) refs.push(ref);
        break;
      }
      case 'TABLE_FUNCTION':
        reject('table functions', loc);
        break;
      case 'PIVOT':
        reject('PIVOT', loc);
        break;
      case 'SHOW_REF':
        reject('DESCRIBE/SUMMARIZE', loc);
        break;
      case 'SELECT_NODE':
        if (o.qualify) reject('QUALIFY', loc);
        if (o.sample) reject('USING SAMPLE', loc);
        if (o.aggregate_handling && o.aggregate_handling !== 'STANDARD_HANDLING') reject('GROUP BY ALL', loc);
        break;
      case 'STAR':
        if (arr(o.exclude_list).length || arr(o.qualified_exclude_list).length) reject('* EXCLUDE', loc);
        if (arr(o.replace_list).length) reject('* REPLACE', loc);
        if (arr(o.rename_list).length) reject('* RENAME', loc);
        if (o.columns === true) reject('COLUMNS(...)', loc);
        break;
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'query_location') walk(v, inner);
  };
  walk(ast, new Set());
  return refs;
}
