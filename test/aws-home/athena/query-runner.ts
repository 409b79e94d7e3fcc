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
import { CATALOG, type Catalog, type GlueTable } from './catalog.ts';
import { type EngineAccess, glueArn } from './engine-access.ts';
import { arr } from './loose-json.ts';
import { athenaReason, QueryFailure } from './query-failure.ts';
import type { QueryRecord } from './query-record.ts';
import type { ResultWriter } from './result-writer.ts';
import { doubleColonCasts, ident, lineCol, skipTrivia, sqlString } from './sql-text.ts';
import { parseUnload, tableRefs } from './statements.ts';
import type { TableReader } from './table-reader.ts';

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
      const refs = await this.referencedTables(db, r, inner, innerStart);
      const target = unload ? await this.writer.checkUnloadTarget(principal, unload) : undefined;

      await db.run("set TimeZone = 'UTC'");
      await db.run('set integer_division = true'); // Trino: integer / integer is an integer
      await db.run("set default_null_order = 'nulls_last'"); // Trino's default for ASC and DESC
      await db.run(`attach ':memory:' as ${CATALOG}`);
      const schemas = new Set([...refs.values()].map((t) => t.database));
      if (r.database) schemas.add(r.database.toLowerCase());
      for (const s of schemas) await db.run(`create schema if not exists ${CATALOG}.${ident(s)}`);
      let n = 0;
      for (const table of refs.values()) {
        const view = await this.reader.tableRelation(principal, db, r, table, join(dir, `t${n++}`));
        await db.run(`create view ${CATALOG}.${ident(table.database)}.${ident(table.name)} as ${view}`);
      }
      await db
        .run(`use ${CATALOG}.${ident((r.database ?? 'default').toLowerCase())}`)
        .catch(() => db.run(`use ${CATALOG}`));
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

  /** The Glue tables the statement reads, checked against the catalogue and the caller's Glue rights. */
  private async referencedTables(
    db: DuckDBConnection,
    r: QueryRecord,
    inner: string,
    innerStart: number,
  ): Promise<Map<string, GlueTable>> {
    const parsed = await db.runAndReadAll(`select json_serialize_sql(${sqlString(inner)})`);
    const ast = JSON.parse(String(parsed.getRows()[0]![0])) as Record<string, unknown>;
    const at = (loc: number | undefined) =>
      lineCol(
        r.query,
        innerStart +
          Buffer.from(inner)
            .subarray(0, loc ?? 0)
            .toString().length,
      );
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
    const tables = new Map<string, GlueTable>();
    for (const ref of tableRefs(statements, reject)) {
      if (ref.catalog && ref.catalog !== CATALOG)
        throw new QueryFailure(
          `CATALOG_NOT_FOUND: ${at(ref.location)}: Catalog '${ref.catalog}' does not exist`,
        );
      const database = ref.schema || (r.database ?? 'default').toLowerCase();
      const key = `${database}.${ref.name}`;
      if (tables.has(key)) continue;
      await this.access.glueAuthorize(r, 'glue:GetDatabase', [
        glueArn('catalog'),
        glueArn(`database/${database}`),
      ]);
      if (!this.catalog.databases.has(database))
        throw new QueryFailure(`SCHEMA_NOT_FOUND: ${at(ref.location)}: Schema '${database}' does not exist`);
      await this.access.glueAuthorize(r, 'glue:GetTable', [
        glueArn('catalog'),
        glueArn(`database/${database}`),
        glueArn(`table/${database}/${ref.name}`),
      ]);
      const table = this.catalog.tables.get(key);
      if (!table)
        throw new QueryFailure(
          `TABLE_NOT_FOUND: ${at(ref.location)}: Table '${CATALOG}.${database}.${ref.name}' does not exist`,
        );
      if (table.tableType === 'VIRTUAL_VIEW' || !/parquet/i.test(table.serde))
        throw new QueryFailure(
          `NOT_SUPPORTED: the Athena stand-in reads Parquet tables only (${key} is ${table.tableType}, ${table.serde})`,
        );
      tables.set(key, table);
    }
    return tables;
  }
}
