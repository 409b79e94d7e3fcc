/**
 * The SQL tier on Athena (Trino): the same .sql files as DuckDB. Named queries run as UNLOAD to
 * Parquet in the lake, and their rows are read back from there: no 1,000-row result pages, whatever
 * the size. Polling backs off; every error names the query and carries Athena's query id. The
 * queries name the same tables and views as on DuckDB: the stack declares the views in Glue
 * (views.ts, infra/constructs/catalog.ts), so a query needs no rewriting for Athena.
 */
import { randomUUID } from 'node:crypto';
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { QueryError } from '../errors.ts';
import type { Lake } from '../lake/lake.ts';
import { readParquetRows } from '../lake/parquet-read.ts';
import { orderLines } from '../schemas/tables.ts';
import { columnList } from './columns.ts';
import type { Row, SqlEngine } from './engine.ts';
import { loadSql, renderSql, type SqlParam } from './render.ts';
import {
  GLUE_FILES_DATABASE,
  type HistoryBounds,
  ORDER_LINES_RUNS,
  orderLinesRunPrefix,
  orderLinesSnapshotSql,
  withoutComments,
} from './views.ts';

export interface AthenaEngineOptions {
  athena: AthenaClient;
  workGroup: string;
  database: string;
  /** The lake (an S3Lake in AWS) where UNLOAD results are written and read back. */
  lake: Lake;
  /** Lake prefix for UNLOAD output, e.g. `athena/unload/`. */
  unloadPrefix: string;
  /** Give up after this long (ms). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  newId?: () => string;
}

export class AthenaEngine implements SqlEngine {
  constructor(private readonly o: AthenaEngineOptions) {}

  private async execute(name: string, sql: string): Promise<string> {
    const { athena, workGroup, database } = this.o;
    let queryId: string | undefined;
    try {
      const started = await athena.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: workGroup,
          QueryExecutionContext: { Database: database },
        }),
      );
      queryId = started.QueryExecutionId;
      if (!queryId) throw new Error('Athena returned no query id');
    } catch (cause) {
      throw new QueryError(name, `could not start: ${(cause as Error).message}`, { cause });
    }
    const sleep = this.o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const deadline = Date.now() + (this.o.timeoutMs ?? 10 * 60_000);
    let wait = 200;
    for (;;) {
      const { QueryExecution: q } = await athena.send(
        new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
      );
      const state = q?.Status?.State;
      if (state === 'SUCCEEDED') return queryId;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new QueryError(
          name,
          `${state.toLowerCase()}: ${q?.Status?.StateChangeReason ?? 'no reason given'}`,
          { queryId },
        );
      }
      if (Date.now() > deadline) throw new QueryError(name, 'timed out waiting for Athena', { queryId });
      await sleep(wait);
      wait = Math.min(5_000, Math.round(wait * 1.5));
    }
  }

  /** The run whose snapshot `order_lines` reads, once pinned. */
  private pinnedRun: string | undefined;

  async pinOrderLines(
    asOf: string,
    run: string,
    opts: { made?: boolean; bounds?: HistoryBounds } = {},
  ): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(run)) throw new Error(`run id must be a plain name, got "${run}"`);
    if (!opts.made) {
      await this.execute(
        'order_lines snapshot',
        `UNLOAD (${orderLinesSnapshotSql(asOf, opts.bounds)}) TO '${this.o.lake.uri(orderLinesRunPrefix(run))}' WITH (format = 'PARQUET')`,
      );
    }
    this.pinnedRun = run;
  }

  /** The statement, reading the pinned snapshot wherever it names `order_lines`. */
  private pinned(sql: string): string {
    const run = this.pinnedRun;
    if (run === undefined || !/(?:\bfrom|\bjoin|,)\s*order_lines\b/i.test(sql)) return sql;
    const body = withoutComments(sql);
    const snapshot = `order_lines as (select ${columnList(orderLines)} from ${GLUE_FILES_DATABASE}.${ORDER_LINES_RUNS} where run = '${run}')`;
    return /^with\s/i.test(body)
      ? body.replace(/^with\s/i, `with ${snapshot},\n`)
      : `with ${snapshot}\n${body}`;
  }

  async runNamed(name: string, params: Readonly<Record<string, SqlParam>>): Promise<Row[]> {
    const sql = this.pinned(renderSql(name, loadSql(name), params));
    const prefix = `${this.o.unloadPrefix}${name}/${(this.o.newId ?? randomUUID)()}/`;
    await this.execute(
      `${name}.sql`,
      `UNLOAD (${sql}) TO '${this.o.lake.uri(prefix).replace(/\/?$/, '/')}' WITH (format = 'PARQUET')`,
    );
    return readParquetRows(this.o.lake, prefix);
  }

  async query(sql: string): Promise<{ columns: string[]; rows: Row[] }> {
    const queryId = await this.execute('statement', this.pinned(sql));
    const rows: Row[] = [];
    let columns: string[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.o.athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: queryId, NextToken: token }),
      );
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      const data = page.ResultSet?.Rows ?? [];
      // The first row of the first page repeats the column names.
      for (const r of first ? data.slice(1) : data) {
        rows.push(Object.fromEntries(columns.map((c, i) => [c, r.Data?.[i]?.VarCharValue ?? null])));
      }
      first = false;
      token = page.NextToken;
    } while (token);
    return { columns, rows };
  }

  async close(): Promise<void> {}
}
