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
import type { ColumnsOf, RowOf, TableSpec } from '../schemas/table.ts';
import type { diagnostics } from '../schemas/tables.ts';
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

/**
 * One output table's columns as the write boundary takes them: an array (or typed array) per
 * column, all of one length. A stage's own are typed from its table's spec (ColumnsOf); the write
 * boundary checks them again, since what came from SQL can still be wrong.
 */
export type OutputColumns = Readonly<Record<string, ArrayLike<unknown>>>;

/** The output tables of a stage that writes W, by table name: `{ rfm: ColumnsOf<typeof rfm> }`. */
export type TablesOf<W extends readonly TableSpec[]> = {
  readonly [T in W[number] as T['name']]: ColumnsOf<T>;
};

/**
 * Returned tables with each table and column W does not declare typed `never`. TypeScript checks an
 * inferred return type for missing and mistyped properties but not for extra ones, so defineStage
 * holds what a stage returns against this as well: an undeclared table or column is a compile error.
 */
export type OnlyDeclared<Tables, W extends readonly TableSpec[]> = {
  readonly [T in keyof Tables]: T extends keyof TablesOf<W>
    ? { readonly [C in keyof Tables[T]]: C extends keyof TablesOf<W>[T] ? Tables[T][C] : never }
    : never;
};

/** A row of the run's diagnostics partition. */
export type Metric = RowOf<typeof diagnostics>;

export interface StageResult<Summary, Tables = TablesOf<readonly TableSpec[]>> {
  /** Exactly the tables the stage declares it writes, by name. */
  readonly tables: Tables;
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

/** W: the tables it writes; Tables: what its run returns of them (by default, exactly those). */
export interface Stage<
  N extends string = string,
  Summary = unknown,
  K extends keyof Config = keyof Config,
  W extends readonly TableSpec[] = readonly TableSpec[],
  Tables = TablesOf<W>,
> {
  readonly name: N;
  readonly doc: string;
  readonly queries: readonly QueryDecl[];
  readonly reads: readonly LakeRead[];
  readonly writes: W;
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
  run(ctx: StageContext<K>): Promise<StageResult<Summary, Tables>>;
  /**
   * How its summary reads to an operator in `storepulse run`'s output: lines and tables, one
   * paragraph of the run summary, in registry order. A stage without it prints nothing there.
   * (A method, not a function property, so a stage with its own Summary is still a `Stage`.)
   */
  describe?(summary: Summary, run: DescribeContext): readonly SummaryBlock[];
}

/** What a stage's `describe` knows of the run besides its own summary. */
export interface DescribeContext {
  readonly asOf: string;
}

/** A table in a stage's run summary: the CLI aligns its columns (cli/output.ts formatTable). */
export interface SummaryTable {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
}

/** One block of a stage's run summary: a line of text, or a table. */
export type SummaryBlock = string | SummaryTable;

/** DuckDB's memory budget in a process that runs one stage: half the stage's declared memory. */
export const duckDbBudget = (stage: Pick<Stage, 'memoryMb'>): string => `${Math.floor(stage.memoryMb / 2)}MB`;

/**
 * Declares a stage; the name, summary, settings and written tables keep their literal types for the
 * registry, and what its run returns must be exactly its written tables, each exactly its columns.
 */
export const defineStage = <
  const N extends string,
  Summary,
  const K extends keyof Config = never,
  const W extends readonly TableSpec[] = readonly [],
  const Tables extends TablesOf<W> = TablesOf<W>,
>(
  stage: Stage<N, Summary, K, W, Tables & OnlyDeclared<Tables, W>>,
): Stage<N, Summary, K, W> => stage;

/** What a stage's run summarises (read off its result's `summary`, whatever tables it returns). */
export type SummaryOf<S> = S extends { run(ctx: never): Promise<{ readonly summary: infer Summary }> }
  ? Summary
  : never;

/**
 * Row objects as output columns. A row may carry more than the table stores (a stock risk row its
 * warning's severity); a declared column a row lacks is an error, not a null.
 */
export function columnsOf<T extends TableSpec>(spec: T, rows: readonly NoInfer<RowOf<T>>[]): ColumnsOf<T> {
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
  return out as unknown as ColumnsOf<T>;
}
