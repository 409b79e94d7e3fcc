/**
 * The SQL tier: the same named .sql files run on DuckDB (local lake) and Athena (S3 lake).
 * Rows come back as plain objects with JSON-friendly values.
 */
import type { SqlParam } from './render.ts';
import type { HistoryBounds } from './views.ts';

export type Row = Record<string, unknown>;

export interface SqlEngine {
  /** Runs one of the project's .sql files with parameters. */
  runNamed(name: string, params: Readonly<Record<string, SqlParam>>): Promise<Row[]>;
  /**
   * Reads the order history once for the rest of this engine's queries: from here on `order_lines`
   * is a snapshot of its rows up to `asOf` (orderLinesSnapshotSql), made under the name `run`, or
   * already made there by the daily run's SQL stage when `made`. A daily run's many queries then
   * read one compact snapshot instead of every partition of the history.
   */
  pinOrderLines(asOf: string, run: string, opts?: { made?: boolean; bounds?: HistoryBounds }): Promise<void>;
  /** Runs an analyst's ad-hoc statement; returns column names and rows. */
  query(sql: string): Promise<{ columns: string[]; rows: Row[] }>;
  close(): Promise<void>;
}
