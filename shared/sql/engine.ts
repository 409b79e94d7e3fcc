/**
 * The SQL tier: the same named .sql files run on DuckDB (local lake) and Athena (S3 lake).
 * Rows come back as plain objects with JSON-friendly values.
 */
import type { QueryName, SqlParam } from './render.ts';

export type Row = Record<string, unknown>;

export interface SqlEngine {
  /** Runs one of the project's .sql files with parameters. */
  runNamed(name: QueryName, params: Readonly<Record<string, SqlParam>>): Promise<Row[]>;
  /** Runs an analyst's ad-hoc statement; returns column names and rows. */
  query(sql: string): Promise<{ columns: string[]; rows: Row[] }>;
  close(): Promise<void>;
}
