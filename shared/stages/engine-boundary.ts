/**
 * The SQL engine as stages see it (row-shape.ts checks what it returns). DuckDB hands a result over
 * column by column, so a query with a row per customer costs an array per column, not an object
 * per customer; other engines (Athena: rows decoded from its UNLOAD files) give rows. DuckDB is
 * recognised by its connection, not imported: the AWS functions are bundled without it.
 */
import { QueryError } from '../errors.ts';
import type { DuckDbEngine } from '../sql/duckdb.ts';
import type { SqlEngine } from '../sql/engine.ts';
import { loadSql, renderSql } from '../sql/render.ts';
import type { ShapedEngine } from './row-shape.ts';

const isDuckDb = (engine: SqlEngine): engine is DuckDbEngine =>
  'connection' in engine && typeof (engine as DuckDbEngine).connection?.runAndReadAll === 'function';

export function shapedEngine(engine: SqlEngine): ShapedEngine {
  const rows: ShapedEngine['rows'] = (name, params) => engine.runNamed(name, params);
  if (!isDuckDb(engine)) return { rows };
  return {
    rows,
    async columns(name, params) {
      const sql = renderSql(name, loadSql(name), params);
      try {
        const reader = await engine.connection.runAndReadAll(sql);
        // JS values: numbers, strings, booleans, bigint (64-bit), Date (DATE); row-shape.ts converts.
        return {
          names: reader.columnNames(),
          data: reader.getColumnsObjectJS() as Record<string, unknown[]>,
        };
      } catch (cause) {
        throw new QueryError(`${name}.sql`, (cause as Error).message, { cause });
      }
    },
  };
}
