/**
 * Running one query: the statement read and checked, the tables it names resolved in the Glue
 * catalogue with the caller's Glue rights, each table offered to a fresh DuckDB as a view, the query
 * run with Trino's settings and no other file access, its results written, and its state settled
 * with the reason Athena would give.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Principal } from './api.ts';
import { CATALOG, type Catalog, GLUE_TYPES, type GlueTable } from './catalog.ts';
import { type EngineAccess, glueArn } from './engine-access.ts';
import { arr } from './loose-json.ts';
import { injectedKeys, projectedPartitions } from './partition-projection.ts';
import { partitionId, partitionsRead } from './partition-pruning.ts';
import { athenaReason, QueryFailure } from './query-failure.ts';
import type { QueryRecord } from './query-record.ts';
import type { ResultWriter } from './result-writer.ts';
import { doubleColonCasts, ident, lineCol, skipTrivia, sqlString } from './sql-text.ts';
import { parseUnload, tableRefs } from './statements.ts';
import type { TableReader, VisibleObject } from './table-reader.ts';

export class QueryRunner {
  constructor(
    private readonly catalog: Catalog,
    private readonly access: EngineAccess,
    private readonly reader: TableReader,
    private readonly writer: ResultWriter,
    private readonly now: () => Date,
  ) {}

  async execute(principal: Principal, r: QueryRecord): Promise<void> {
    r.state = 'RUNNING';
    r.started = Date.now();
    const dir = await mkdtemp(join(tmpdir(), 'storepulse-athena-'));
    let instance: DuckDBInstance | undefined;
    let connection: DuckDBConnection | undefined;
    try {
      if (r.statement.kind === 'OTHER')
        throw new QueryFailure(
          `NOT_SUPPORTED: the Athena stand-in runs SELECT and UNLOAD statements only; ${r.statement.keyword} is not emulated`,
        );
      const first = skipTrivia(r.query, 0);
      if (
        r.statement.kind === 'SELECT' &&
        !['SELECT', 'WITH', 'VALUES', 'TABLE'].includes(r.statement.keyword)
      )
        throw new QueryFailure(
          `SYNTAX_ERROR: ${lineCol(r.query, first)}: mismatched input '${r.query.slice(first).split(/\s/)[0]}'. Expecting: 'SELECT', 'WITH', 'VALUES', 'TABLE', 'UNLOAD', or another statement`,
        );
      const unload = r.statement.kind === 'UNLOAD' ? parseUnload(r.query) : undefined;
      // A trailing `;` ends the statement; it is not part of the query the engine wraps.
      const inner = unload ? unload.inner : r.query.replace(/;\s*$/, '');
      const innerStart = unload ? unload.innerStart : 0;
      for (const at of doubleColonCasts(inner))
        throw new QueryFailure(`SYNTAX_ERROR: ${lineCol(r.query, innerStart + at)}: mismatched input '::'`);

      instance = await DuckDBInstance.create(':memory:', { threads: '2' });
      connection = await instance.connect();
      const db = connection;
      const { tables: refs, views } = await this.referencedTables(db, r, inner, innerStart);
      const target = unload ? await this.writer.checkUnloadTarget(principal, unload) : undefined;

      await db.run("set TimeZone = 'UTC'");
      await db.run('set integer_division = true'); // Trino: integer / integer is an integer
      await db.run("set default_null_order = 'nulls_last'"); // Trino's default for ASC and DESC
      await db.run(`attach ':memory:' as ${CATALOG}`);
      const schemas = new Set([...refs.values(), ...views].map((t) => t.database));
      if (r.database) schemas.add(r.database.toLowerCase());
      for (const s of schemas) await db.run(`create schema if not exists ${CATALOG}.${ident(s)}`);
      await db
        .run(`use ${CATALOG}.${ident((r.database ?? 'default').toLowerCase())}`)
        .catch(() => db.run(`use ${CATALOG}`));
      const tables = [...refs.values()];
      const objects = new Map<GlueTable, VisibleObject[]>();
      for (const t of tables) objects.set(t, await this.reader.visibleObjects(principal, t));
      const distinct = (t: GlueTable) => [
        ...new Map(objects.get(t)!.map((o) => [partitionId(o.values), o.values])).values(),
      ];
      // Views after the tables (and views) they read; names in a view resolve in its own schema.
      const createViews = async () => {
        for (const v of views) await this.createView(db, v);
      };
      // Which partitions the query reads, from the plan over placeholders (partition-pruning.ts).
      const pruned = tables.some((t) => t.partitionKeys.length > 0)
        ? await partitionsRead(
            db,
            join(dir, 'plan'),
            inner,
            tables,
            distinct,
            (t) => projectedPartitions(t, this.now()),
            createViews,
          )
        : undefined;
      // An injected key has no values of its own: Athena needs them from the query, by equality.
      for (const t of tables)
        for (const key of injectedKeys(t))
          if (pruned?.get(t)?.read === undefined)
            throw new QueryFailure(
              `CONSTRAINT_VIOLATION: For the injected projected partition column ${key}, the WHERE clause must contain only static equality conditions, and at least one such condition must be present.`,
            );
      for (const [n, table] of tables.entries()) {
        const view = await this.reader.tableRelation(
          principal,
          db,
          r,
          table,
          join(dir, `t${n}`),
          objects.get(table)!,
          pruned?.get(table),
        );
        await db.run(
          `create or replace view ${CATALOG}.${ident(table.database)}.${ident(table.name)} as ${view}`,
        );
      }
      if (!pruned) await createViews();
      // The query itself may touch nothing but this query's own folder and the fetched objects.
      const allowed = [`${dir}/`, ...(this.reader.objectsDir ? [`${await this.reader.objectsDir}/`] : [])];
      await db.run(`set allowed_directories = [${allowed.map(sqlString).join(', ')}]`);
      await db.run('set enable_external_access = false');
      await db.run('set lock_configuration = true');

      const engineStart = Date.now();
      if (unload && target) await this.writer.runUnload(principal, db, r, unload, target, dir);
      else await this.writer.runSelect(principal, db, r, inner);
      r.engineMs = Date.now() - engineStart;
      r.state = 'SUCCEEDED';
    } catch (e) {
      if (e instanceof QueryFailure) {
        r.state = e.state;
        r.reason = e.reason;
      } else {
        r.state = 'FAILED';
        // DuckDB's errors are plain Errors; anything else (the harness's IAM model refusing to
        // decide, an S3 failure) is the stand-in's own trouble and says so.
        r.reason =
          e instanceof Error && e.name === 'Error'
            ? athenaReason(e.message)
            : `STAND_IN_ERROR: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      }
    } finally {
      r.completed = this.now();
      connection?.closeSync();
      instance?.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * A view as DuckDB's: created in its schema (DuckDB, like Trino, resolves the names in a view's
   * text where the view lives), then checked to give the columns and types the definition declares,
   * as Trino checks a view when it is queried.
   */
  private async createView(db: DuckDBConnection, v: GlueTable): Promise<void> {
    const def = v.view!;
    const qualified = `${CATALOG}.${ident(v.database)}.${ident(v.name)}`;
    await db.run(`create view ${qualified} as ${def.sql}`);
    const described = (await db.runAndReadAll(`describe ${qualified}`)).getRowObjectsJson();
    const stale = (why: string) =>
      new QueryFailure(
        `VIEW_IS_STALE: View '${CATALOG}.${v.database}.${v.name}' is stale or in invalid state: ${why}`,
      );
    if (described.length !== def.columns.length)
      throw stale(
        `stored view definition has ${def.columns.length} columns, query view gives ${described.length}`,
      );
    for (const [i, want] of def.columns.entries()) {
      const got = described[i]!;
      const name = String(got.column_name).toLowerCase();
      const type = trinoType(String(got.column_type));
      if (name !== want.name || type !== want.type)
        throw stale(
          `column [${name}] of type ${type} projected from query view at position ${i} cannot be coerced to column [${want.name}] of type ${want.type} stored in view definition`,
        );
    }
  }

  /**
   * The Glue tables the statement reads, checked against the catalogue and the caller's Glue rights;
   * a view is read with the caller's rights on everything under it. Views come back in the order
   * they can be created.
   */
  private async referencedTables(
    db: DuckDBConnection,
    r: QueryRecord,
    inner: string,
    innerStart: number,
  ): Promise<{ tables: Map<string, GlueTable>; views: GlueTable[] }> {
    const tables = new Map<string, GlueTable>();
    const views: GlueTable[] = [];
    const done = new Set<string>();
    const visit = async (
      sql: string,
      defaultSchema: string,
      at: (loc: number | undefined) => string,
      path: readonly string[],
    ): Promise<void> => {
      for (const ref of await this.parseRefs(db, sql, at)) {
        if (ref.catalog && ref.catalog !== CATALOG)
          throw new QueryFailure(
            `CATALOG_NOT_FOUND: ${at(ref.location)}: Catalog '${ref.catalog}' does not exist`,
          );
        const database = ref.schema || defaultSchema;
        const key = `${database}.${ref.name}`;
        if (path.includes(key))
          throw new QueryFailure(`VIEW_IS_RECURSIVE: View is recursive: ${[...path, key].join(' -> ')}`);
        if (done.has(key)) continue;
        const table = await this.glueTable(r, database, ref.name, at(ref.location));
        if (table.view) {
          const def = table.view;
          const viewAt = (loc: number | undefined) => `view ${key}, ${lineCol(def.sql, loc ?? 0)}`;
          for (const pos of doubleColonCasts(def.sql))
            throw new QueryFailure(`SYNTAX_ERROR: ${viewAt(pos)}: mismatched input '::'`);
          await visit(def.sql, def.schema || database, viewAt, [...path, key]);
          views.push(table);
        } else {
          if (!/parquet/i.test(table.serde))
            throw new QueryFailure(
              `NOT_SUPPORTED: the Athena stand-in reads Parquet tables only (${key} is ${table.tableType}, ${table.serde})`,
            );
          tables.set(key, table);
        }
        done.add(key);
      }
    };
    const at = (loc: number | undefined) =>
      lineCol(
        r.query,
        innerStart +
          Buffer.from(inner)
            .subarray(0, loc ?? 0)
            .toString().length,
      );
    await visit(inner, (r.database ?? 'default').toLowerCase(), at, []);
    return { tables, views };
  }

  /** The table references of one statement (CTE names excluded), DuckDB-only syntax refused. */
  private async parseRefs(
    db: DuckDBConnection,
    sql: string,
    at: (loc: number | undefined) => string,
  ): Promise<ReturnType<typeof tableRefs>> {
    const parsed = await db.runAndReadAll(`select json_serialize_sql(${sqlString(sql)})`);
    const ast = JSON.parse(String(parsed.getRows()[0]![0])) as Record<string, unknown>;
    if (ast.error) {
      const pos = Number(ast.position ?? 0);
      const msg = String(ast.error_message ?? 'syntax error');
      if (String(ast.error_type) === 'parser') throw new QueryFailure(`SYNTAX_ERROR: ${at(pos)}: ${msg}`);
      throw new QueryFailure(`NOT_SUPPORTED: ${msg}`);
    }
    const statements = arr(ast.statements);
    if (statements.length !== 1)
      throw new QueryFailure(`INVALID_INPUT: Only one sql statement is allowed. Got: ${statements.length}`);
    const reject = (what: string, loc?: number): never => {
      throw new QueryFailure(
        `SYNTAX_ERROR: ${at(loc)}: ${what} is DuckDB syntax that Athena (Trino) does not accept`,
      );
    };
    return tableRefs(statements, reject);
  }

  /** One table or view of the catalogue, with the caller's Glue rights on its database and itself. */
  private async glueTable(r: QueryRecord, database: string, name: string, where: string): Promise<GlueTable> {
    await this.access.glueAuthorize(r, 'glue:GetDatabase', [
      glueArn('catalog'),
      glueArn(`database/${database}`),
    ]);
    if (!this.catalog.databases.has(database))
      throw new QueryFailure(`SCHEMA_NOT_FOUND: ${where}: Schema '${database}' does not exist`);
    await this.access.glueAuthorize(r, 'glue:GetTable', [
      glueArn('catalog'),
      glueArn(`database/${database}`),
      glueArn(`table/${database}/${name}`),
    ]);
    const table = this.catalog.tables.get(`${database}.${name}`);
    if (!table)
      throw new QueryFailure(
        `TABLE_NOT_FOUND: ${where}: Table '${CATALOG}.${database}.${name}' does not exist`,
      );
    return table;
  }
}

/** DuckDB's name of a column type as Trino names the Glue type it stands for. */
const trinoType = (duck: string): string => {
  for (const t of Object.values(GLUE_TYPES)) if (t.duck === duck.toUpperCase()) return t.trino;
  return duck.toLowerCase();
};
