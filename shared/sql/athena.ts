/**
 * The SQL tier on Athena (Trino): the same .sql files as DuckDB. Named queries run as UNLOAD to
 * Parquet in the lake, and their rows are read back from there: no 1,000-row result pages, whatever
 * the size. Polling backs off; every error names the query and carries Athena's query id.
 */
import { randomUUID } from 'node:crypto';
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { DEFAULT_CONFIG } from '../config.ts';
import { QueryError } from '../errors.ts';
import type { Lake } from '../lake/lake.ts';
import { readParquetRows } from '../lake/parquet-read.ts';
import { batchCommits, COMMITTED_TABLES, storedTableName } from '../schemas/tables.ts';
import type { Row, SqlEngine } from './engine.ts';
import { orderLinesViewSql } from './order-lines-view.ts';
import { loadSql, type QueryName, renderSql, type SqlParam } from './render.ts';

export interface AthenaEngineOptions {
  athena: AthenaClient;
  workGroup: string;
  database: string;
  /** The lake (an S3Lake in AWS) where UNLOAD results are written and read back. */
  lake: Lake;
  /** Lake prefix for UNLOAD output, e.g. `athena/unload/`. */
  unloadPrefix: string;
  /** Currency the order_lines view converts net_amount_rc into; default the setting's default. */
  reportingCurrency?: string;
  /** Give up after this long (ms). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  newId?: () => string;
}

/** The Glue database of the lake's tables (infra/constructs/catalog.ts). */
export const GLUE_DATABASE = 'storepulse';

/** The tables a statement reads, by the names it uses (after FROM, JOIN or a comma). */
const reads = (body: string, name: string): boolean =>
  new RegExp(`(?:\\bfrom|\\bjoin|,)\\s*${name}\\b`, 'i').test(body);

/**
 * The committed rows of a batch table, as a WITH element named as the Glue table: its rows whose
 * batch has a commit record. The Glue table inside is qualified with its database, so it never
 * resolves to the WITH element itself, on Trino or on DuckDB (the AWS harness's stand-in).
 */
export function committedRelation(spec: (typeof COMMITTED_TABLES)[number], database: string): string {
  return (
    `select * from ${database}.${storedTableName(spec)} ` +
    `where batch_id in (select batch_id from ${database}.${storedTableName(batchCommits)})`
  );
}

/**
 * The views DuckDB has, for Athena: each batch table the statement reads (`order_lines_versions`,
 * `fx_rates`, ..., `contacts`), directly or through the `order_lines` view, becomes a WITH element
 * of its committed rows, and `order_lines` the latest-version view over them, prepended (merged
 * with the statement's own WITH clause). Filters on the partition keys still prune: the commit
 * filter is a semi-join on batch_id.
 */
export function withCommittedViews(
  sql: string,
  opts: { reportingCurrency?: string; database?: string } = {},
): string {
  const body = withoutComments(sql);
  const latest = reads(body, 'order_lines')
    ? withoutComments(orderLinesViewSql(opts.reportingCurrency ?? DEFAULT_CONFIG.reportingCurrency))
    : undefined;
  const views: string[] = [];
  for (const spec of COMMITTED_TABLES) {
    const name = storedTableName(spec);
    if (reads(body, name) || (latest !== undefined && reads(latest, name)))
      views.push(`${name} as (${committedRelation(spec, opts.database ?? GLUE_DATABASE)})`);
  }
  if (latest !== undefined) views.push(`order_lines as (${latest})`);
  if (views.length === 0) return body;
  const list = views.join(',\n');
  return /^\s*with\s/i.test(body) ? body.replace(/^\s*with\s/i, `with ${list},\n`) : `with ${list}\n${body}`;
}

/**
 * The body of an `order_lines` view for analysts (Athena's console): the latest version of each
 * committed line, with the committed rows of each table it reads as WITH elements.
 */
export function committedOrderLinesView(
  opts: { reportingCurrency?: string; database?: string } = {},
): string {
  const merged = withCommittedViews('select * from order_lines', opts);
  // `with <tables>,\norder_lines as (<view>)\nselect * from order_lines` -> `with <tables>\n<view>`
  const at = merged.lastIndexOf(',\norder_lines as (');
  const view = merged.slice(
    at + ',\norder_lines as ('.length,
    merged.lastIndexOf(')\nselect * from order_lines'),
  );
  return `${merged.slice(0, at)}\n${view}`;
}

/** The same with the default database (the SQL stage's statement, planned apart from any engine). */
export const withOrderLinesView = (sql: string, reportingCurrency?: string): string =>
  withCommittedViews(sql, reportingCurrency === undefined ? {} : { reportingCurrency });

/** Drops whole-line `--` comments and trailing blank space, so the SQL can be wrapped in parentheses. */
const withoutComments = (sql: string): string =>
  sql
    .split('\n')
    .filter((l) => !/^\s*--/.test(l))
    .join('\n')
    .trim();

export class AthenaEngine implements SqlEngine {
  constructor(private readonly o: AthenaEngineOptions) {}

  private views(): { reportingCurrency?: string; database: string } {
    return {
      database: this.o.database,
      ...(this.o.reportingCurrency === undefined ? {} : { reportingCurrency: this.o.reportingCurrency }),
    };
  }

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

  async runNamed(name: QueryName, params: Readonly<Record<string, SqlParam>>): Promise<Row[]> {
    const sql = withCommittedViews(renderSql(name, loadSql(name), params), this.views());
    const prefix = `${this.o.unloadPrefix}${name}/${(this.o.newId ?? randomUUID)()}/`;
    await this.execute(
      `${name}.sql`,
      `UNLOAD (${sql}) TO '${this.o.lake.uri(prefix).replace(/\/?$/, '/')}' WITH (format = 'PARQUET')`,
    );
    return readParquetRows(this.o.lake, prefix);
  }

  async query(sql: string): Promise<{ columns: string[]; rows: Row[] }> {
    const queryId = await this.execute('statement', withCommittedViews(sql, this.views()));
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
