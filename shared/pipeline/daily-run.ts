/**
 * The daily run for an as-of date, in two stages that AWS runs as two Lambdas and the CLI runs in turn:
 * 1. models: SQL tier aggregates -> RFM -> churn-recall rule -> model and alert partitions;
 * 2. recall list: the day's alerts joined with the restricted contacts -> the CSV a CRM imports
 *    (restricted/recall_lists/; lists are never written inside a table's location).
 * Every output partition is replaced atomically, so re-running a date is safe and gives the same answer.
 */
import { randomUUID } from 'node:crypto';
import type { ChurnRecallAlert } from '../alerts/churn-recall.ts';
import { type Contact, recallContacts, recallCsv } from '../alerts/recall-csv.ts';
import type { StockoutAlert } from '../alerts/stockout.ts';
import type { Config } from '../config.ts';
import { commitRecords, historyBounds } from '../lake/commits.ts';
import { dataFileKey, movedListKey, recallListKey, tablePrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { decodeParquet } from '../lake/parquet-read.ts';
import type { TableSpec } from '../schemas/table.ts';
import { churnRecall, contacts, orderLines, stockout } from '../schemas/tables.ts';
import type { SqlEngine } from '../sql/engine.ts';
import { shapedEngine } from '../stages/engine-boundary.ts';
import { RUN_METRICS_TABLE, STAGES } from '../stages/registry.ts';
import { queryRows, rowsOnly } from '../stages/row-shape.ts';
import { runStages, StageFailure, type StagesRun, writeOutput } from '../stages/run-stages.ts';
import { columnsOf, type Metric, type SummaryOf } from '../stages/stage.ts';
import { DATE_RE } from '../time.ts';
import type { Log } from './log.ts';
import { writeReport } from './report.ts';

export interface DailyRunDeps {
  lake: Lake;
  config: Config;
  log: Log;
  /** Opens the SQL tier over the lake; `tables` limits the views (the restricted contacts table). */
  openEngine(tables?: readonly TableSpec[]): Promise<SqlEngine>;
}

/** Each registered stage's summary, by stage name, typed as the stage's `run` returns it. */
export type StageSummaries = {
  readonly [S in (typeof STAGES)[number] as S['name']]: SummaryOf<S>;
};

export interface ModelsSummary {
  asOf: string;
  /** What each stage says of its run (`summaries.rfm.customers`, `summaries.churn_recall.alerts` …). */
  summaries: StageSummaries;
  /** Every stage's fitted parameters and quality figures: the rows of the run's diagnostics partition. */
  diagnostics: Metric[];
  /** The lake keys the run wrote. */
  outputs: string[];
}

export interface DailyRunSummary extends ModelsSummary {
  /** The CRM's recall list of the day's alerts, with contact details (restricted/). */
  recallListKey: string;
  /** The HTML report of the run. */
  reportKey: string;
  seconds: number;
}

const partitionKey = (spec: TableSpec, asOf: string) => dataFileKey(spec, { dt: asOf }, 'part-0000');

function checkDate(asOf: string): void {
  if (!DATE_RE.test(asOf)) throw new Error(`as-of date must be YYYY-MM-DD, got "${asOf}"`);
}

/**
 * The stages' summaries of a run in which every stage ran (runStages keeps each under its stage's
 * name; a run with a failure throws before this).
 */
const summariesOf = (run: StagesRun): StageSummaries =>
  Object.fromEntries(STAGES.map((stage) => [stage.name, run.summaries.get(stage.name)])) as StageSummaries;

/**
 * Stage 1: the model stages of the registry (shared/stages/registry.ts), in dependency order. The
 * order history is read once: `order_lines` is pinned to a snapshot of its rows up to the as-of date,
 * which every query of the run reads. `orderLinesRun` names a snapshot the SQL stage already made
 * (Athena in Step Functions); otherwise it is made here. A failing stage fails the run (StageFailure,
 * naming it and its error) after the stages that do not depend on it have written their outputs.
 */
export async function runModels(
  deps: DailyRunDeps,
  asOf: string,
  opts: { orderLinesRun?: string } = {},
): Promise<ModelsSummary> {
  checkDate(asOf);
  const { lake, config, log } = deps;
  // Before any query: Athena reads every file under a table's location, and the run's own queries
  // read churn_recall and stockout (the cooldowns).
  for (const spec of [churnRecall, stockout]) await moveLegacyLists(lake, spec, log);
  const engine = await deps.openEngine();
  try {
    // Where the committed lines lie (the commit records): the history is read for those days only.
    const records = await commitRecords(lake);
    const bounds = historyBounds(records, orderLines.name);
    if (opts.orderLinesRun) {
      await engine.pinOrderLines(asOf, opts.orderLinesRun, { made: true });
    } else {
      log.info(`run ${asOf}: reading the order history`);
      await engine.pinOrderLines(asOf, `run-${asOf}-${randomUUID()}`, bounds ? { bounds } : {});
    }
    const run = await runStages(STAGES, {
      lake,
      config,
      log,
      engine: shapedEngine(engine),
      asOf,
      bounds: (table) => historyBounds(records, table.name),
    });
    const outputs = [
      ...run.outputs,
      await writeOutput(lake, RUN_METRICS_TABLE, asOf, columnsOf(RUN_METRICS_TABLE, run.metrics)),
    ];
    if (run.failures.length) throw new StageFailure(run.failures);
    return { asOf, summaries: summariesOf(run), diagnostics: run.metrics, outputs };
  } finally {
    await engine.close();
  }
}

/** Reads the day's churn-recall partition back from the lake. */
export async function readRecallAlerts(lake: Lake, asOf: string): Promise<ChurnRecallAlert[]> {
  const bytes = await lake.get(partitionKey(churnRecall, asOf));
  if (!bytes)
    throw new Error(`no churn-recall partition for ${asOf} in ${lake.location}: run the models stage first`);
  return decodeParquet(bytes)
    .toArray()
    .map((r) => {
      const a = r.toJSON() as Record<string, unknown>;
      // Arrow gives DATE as epoch milliseconds.
      return {
        ...a,
        last_order_date: new Date(Number(a.last_order_date)).toISOString().slice(0, 10),
      } as unknown as ChurnRecallAlert;
    });
}

/**
 * Lists an earlier version wrote inside a table's location, beside the alert partitions (where Athena
 * reads them as table data and fails), moved to their own keys; a list already at its new key wins.
 * The models stage does it first thing, so an old lake's first run in AWS does not fail on them.
 */
export async function moveLegacyLists(lake: Lake, spec: TableSpec, log: Log): Promise<string[]> {
  const moved: string[] = [];
  for (const key of await lake.list(tablePrefix(spec))) {
    const to = movedListKey(key);
    if (!to) continue;
    if (!(await lake.exists(to))) {
      const bytes = await lake.get(key);
      if (bytes) await lake.put(to, bytes);
    }
    await lake.delete(key);
    moved.push(to);
  }
  if (moved.length) {
    log.info(`moved ${moved.length} list(s) out of ${tablePrefix(spec)} (Athena reads every file there)`);
  }
  return moved;
}

/**
 * Stage 2: the recall CSV (restricted: contact details are joined only here). `alerts` are the
 * day's churn_recall partition (readRecallAlerts); the contacts are looked up for the customers of
 * that partition in the lake.
 */
export async function writeRecallList(
  deps: DailyRunDeps,
  asOf: string,
  alerts: readonly ChurnRecallAlert[],
): Promise<string> {
  checkDate(asOf);
  const byId = new Map<string, Contact>();
  if (alerts.length) {
    // The query takes the day's alerted customers from the churn_recall partition itself (a
    // semi-join), not as a list in its text: Athena caps a query at 262,144 bytes, ~7,300 ids.
    const engine = await deps.openEngine([contacts, churnRecall]);
    try {
      const rows = await queryRows(rowsOnly(engine), recallContacts, { as_of: asOf });
      for (const r of rows) byId.set(r.customer_id, r);
    } finally {
      await engine.close();
    }
  }
  const key = recallListKey(asOf);
  await deps.lake.put(key, recallCsv(alerts, byId));
  return key;
}

/** Both stages, as the CLI runs them. */
export async function runDaily(deps: DailyRunDeps, asOf: string): Promise<DailyRunSummary> {
  const started = Date.now();
  const models = await runModels(deps, asOf);
  const alerts = await readRecallAlerts(deps.lake, asOf);
  const recallListKey = await writeRecallList(deps, asOf, alerts);
  const reportKey = await writeReport(deps.lake, deps.config, asOf, deps.log);
  return {
    ...models,
    recallListKey,
    reportKey,
    outputs: [...models.outputs, recallListKey, reportKey],
    seconds: (Date.now() - started) / 1000,
  };
}

/** The stockout warnings the models stage wrote for `asOf` (empty when none). */
export async function readStockoutAlerts(lake: Lake, asOf: string): Promise<StockoutAlert[]> {
  const bytes = await lake.get(partitionKey(stockout, asOf));
  if (!bytes) return [];
  return decodeParquet(bytes)
    .toArray()
    .map((r) => {
      const a = r.toJSON() as Record<string, unknown>;
      const date = a.expected_stockout_date;
      return {
        ...a,
        expected_stockout_date: date === null ? null : new Date(Number(date)).toISOString().slice(0, 10),
      } as unknown as StockoutAlert;
    });
}
