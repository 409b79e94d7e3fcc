/**
 * A model stage of the daily run, declared in one place: the queries it runs (with their row
 * shapes), the partitions it reads from the lake, the tables it writes, the settings it uses, and
 * its compute. The runner (run-stages.ts) derives the order of the stages from what they read and
 * write, hands each only what it declared, and checks what it returns against the declarations.
 */

import type { Table } from 'apache-arrow';
import type { Config } from '../config.ts';
import type { Log } from '../pipeline/log.ts';
import type { ReportSection } from '../report/section.ts';
import type { TableSpec } from '../schemas/table.ts';
import type { SqlEngine } from '../sql/engine.ts';
import type { SqlParam } from '../sql/render.ts';
import type { HistoryBounds } from '../sql/views.ts';
import type { QueryDecl, RowShape, ShapedColumns, ShapedRow } from './row-shape.ts';

/**
 * A partition the stage reads from the lake: the run's own (another stage's output of today, so
 * that stage runs first) or the previous day's (yesterday's fits, stages).
 */
export interface LakeRead {
  readonly table: TableSpec;
  readonly day: 'run' | 'previous';
}

/** One output table's columns: an array (or typed array) per declared column, all of one length. */
export type OutputColumns = Readonly<Record<string, ArrayLike<unknown>>>;

export interface Metric {
  model: string;
  metric: string;
  value: number;
}

export interface StageResult<Summary> {
  /** Exactly the tables the stage declares it writes. */
  readonly tables: ReadonlyMap<TableSpec, OutputColumns>;
  /** Rows of the run's diagnostics partition (fitted parameters, quality figures). */
  readonly metrics?: readonly Metric[];
  /** Other objects it writes (a CSV list), by lake key. */
  readonly files?: readonly { key: string; body: string }[];
  readonly summary: Summary;
}

export interface StageContext<K extends keyof Config> {
  readonly asOf: string;
  /** Only the settings the stage declares. */
  readonly settings: Pick<Config, K>;
  readonly log: Log;
  /** A declared query's rows, checked against its shape. */
  rows<S extends RowShape>(
    q: QueryDecl<S>,
    params: Readonly<Record<string, SqlParam>>,
  ): Promise<ShapedRow<S>[]>;
  /** A declared query's columns, checked against its shape. */
  columns<S extends RowShape>(
    q: QueryDecl<S>,
    params: Readonly<Record<string, SqlParam>>,
  ): Promise<ShapedColumns<S>>;
  /**
   * The declared queries by name, for code written against the engine (product, basket and funnel
   * runs): rows checked as `rows` checks them; an undeclared name fails.
   */
  readonly engine: Pick<SqlEngine, 'runNamed'>;
  /** A declared lake read: the partition of the run's day or the day before, if it exists. */
  read(r: LakeRead): Promise<Table | undefined>;
  /** Where a table's committed rows lie (the commit records); undefined when it has none. */
  bounds(table: TableSpec): HistoryBounds | undefined;
}

export interface Stage<N extends string = string, Summary = unknown, K extends keyof Config = keyof Config> {
  readonly name: N;
  readonly doc: string;
  readonly queries: readonly QueryDecl[];
  readonly reads: readonly LakeRead[];
  readonly writes: readonly TableSpec[];
  readonly settings: readonly K[];
  /**
   * The memory an invocation of the stage asks for, in MB (a Lambda's memory size). A stage run in
   * its own process locally gives DuckDB half of it (duckDbBudget), the rest is the stage's own.
   */
  readonly memoryMb: number;
  /**
   * The report's sections that show the stage's outputs (shared/report/sections/): the page draws
   * every stage's sections, so a model's section is registered here and listed nowhere else.
   */
  readonly report?: readonly ReportSection[];
  /**
   * How long an invocation of the stage may run, in seconds (a Lambda's timeout, at most 900). The
   * heavy stages ask for Lambda's limit: at 10M order lines each takes 10–35 s on two cores, and a
   * Lambda of 1–2.5 GB has one or two vCPUs; the quick ones ask for less so a hung query fails sooner.
   */
  readonly timeoutSeconds: number;
  run(ctx: StageContext<K>): Promise<StageResult<Summary>>;
}

/** DuckDB's memory budget in a process that runs one stage: half the stage's declared memory. */
export const duckDbBudget = (stage: Pick<Stage, 'memoryMb'>): string => `${Math.floor(stage.memoryMb / 2)}MB`;

/** Declares a stage; the name, summary and settings keep their literal types for the registry. */
export const defineStage = <const N extends string, Summary, const K extends keyof Config = never>(
  stage: Stage<N, Summary, K>,
): Stage<N, Summary, K> => stage;

export type SummaryOf<S> = S extends { run(ctx: never): Promise<StageResult<infer Summary>> }
  ? Summary
  : never;

/** Row objects as output columns: a declared column a row lacks is an error, not a null. */
export function columnsOf(spec: TableSpec, rows: readonly object[]): OutputColumns {
  const out: Record<string, unknown[]> = {};
  for (const c of spec.columns) {
    const values = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Record<string, unknown>;
      if (!(c.name in row)) throw new Error(`${spec.name}: row ${i + 1} has no column "${c.name}"`);
      values[i] = row[c.name];
    }
    out[c.name] = values;
  }
  return out;
}
