/**
 * The daily run for an as-of date, in two stages that AWS runs as two Lambdas and the CLI runs in turn:
 * 1. models: SQL tier aggregates -> RFM -> churn-recall rule -> model and alert partitions;
 * 2. recall list: the day's alerts joined with the restricted contacts -> the CSV a CRM imports
 *    (restricted/recall_lists/; lists are never written inside a table's location).
 * Every output partition is replaced atomically, so re-running a date is safe and gives the same answer.
 */
import { randomUUID } from 'node:crypto';
import { type ChurnRecallAlert, churnRecallAlerts } from '../alerts/churn-recall.ts';
import { type Contact, recallCsv } from '../alerts/recall-csv.ts';
import { itemKey, type StockoutAlert, stockoutAlerts, stockoutCsv } from '../alerts/stockout.ts';
import type { Config } from '../config.ts';
import { commitRecords, historyBounds } from '../lake/commits.ts';
import { dataFileKey, movedListKey, recallListKey, stockoutListKey, tablePrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { encodeTable, rowsToColumns } from '../lake/parquet.ts';
import { decodeParquet } from '../lake/parquet-read.ts';
import { type CohortActivity, cohortMatrix, type DailyActivity, dailyLifecycle } from '../models/aarrr.ts';
import { type AiplStage, type CustomerFeatures, fastAndGrow } from '../models/aipl.ts';
import type { BgNbdParams } from '../models/bgnbd.ts';
import { type CustomerTransactions, computeClv, type Metric } from '../models/clv.ts';
import type { GammaGammaParams } from '../models/gamma-gamma.ts';
import { type CustomerPurchases, computeRfm } from '../models/rfm.ts';
import type { TableSpec } from '../schemas/table.ts';
import {
  aarrrCohorts,
  aarrrDaily,
  abc,
  aipl,
  basketRules,
  bcg,
  bundles,
  channelMix,
  churnRecall,
  clv,
  contacts,
  demandForecast,
  diagnostics,
  fast,
  funnel,
  grow,
  inventory,
  orderLines,
  rfm,
  SEGMENTS,
  type Segment,
  stockout,
  stockRisk,
} from '../schemas/tables.ts';
import type { SqlEngine } from '../sql/engine.ts';
import { stringList } from '../sql/render.ts';
import { addDays, DATE_RE } from '../time.ts';
import { type BasketSummary, runBasketModels } from './basket-run.ts';
import { type FunnelSummary, runFunnels } from './funnel-run.ts';
import type { Log } from './log.ts';
import { type ProductSummary, runProductModels } from './product-run.ts';
import { writeReport } from './report.ts';

export interface DailyRunDeps {
  lake: Lake;
  config: Config;
  log: Log;
  /** Opens the SQL tier over the lake; `tables` limits the views (the restricted contacts table). */
  openEngine(tables?: readonly TableSpec[]): Promise<SqlEngine>;
}

export interface ModelsSummary {
  asOf: string;
  customers: number;
  customersWithoutRate: number;
  /**
   * Purchase lines ingest could not convert (no rate for their dates then) that the order_lines view
   * converted at read time, with rates ingested since.
   */
  linesConvertedLate: number;
  /** Purchases from exports without a buyer id, per source: left out of the customer models. */
  withoutBuyer: { source: string; orders: number; lines: number }[];
  segments: Record<Segment, number>;
  means: { recency_days: number; frequency: number; monetary: number };
  recall: { alerts: number; suppressedByCooldown: number; top: ChurnRecallAlert[] };
  product: ProductSummary;
  stockout: { alerts: number; top: StockoutAlert[]; csvKey: string };
  basket: BasketSummary;
  funnel: FunnelSummary;
  /** Fitted parameters and quality figures (the diagnostics partition). */
  diagnostics: Metric[];
  outputs: string[];
}

export interface DailyRunSummary extends ModelsSummary {
  recall: ModelsSummary['recall'] & { csvKey: string };
  /** The HTML report of the run. */
  reportKey: string;
  seconds: number;
}

type Aggregate = CustomerPurchases & { lines_without_rate: number };

/** Model inputs in customer order, so a run's output does not depend on the SQL engine's row order. */
const byCustomerId = (a: { customer_id: string }, b: { customer_id: string }): number =>
  a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0;

const partitionKey = (spec: TableSpec, asOf: string) => dataFileKey(spec, { dt: asOf }, 'part-0000');

/** Writes one model/alert partition as a single file, replacing the previous run of that date. */
async function writePartition(
  lake: Lake,
  spec: TableSpec,
  asOf: string,
  rows: readonly object[],
): Promise<string> {
  const key = partitionKey(spec, asOf);
  await lake.put(key, await encodeTable(spec, rowsToColumns(spec, rows as Record<string, unknown>[])));
  return key;
}

function checkDate(asOf: string): void {
  if (!DATE_RE.test(asOf)) throw new Error(`as-of date must be YYYY-MM-DD, got "${asOf}"`);
}

/**
 * Stage 1. The order history is read once: `order_lines` is pinned to a snapshot of its rows up to
 * the as-of date, which every query of the run reads. `orderLinesRun` names a snapshot the SQL stage
 * already made (Athena in Step Functions); otherwise it is made here.
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
    log.info(`run ${asOf}: aggregating purchases per customer`);
    const rows = (await engine.runNamed('rfm_customer_aggregates', {
      as_of: asOf,
    })) as unknown as Aggregate[];
    const sorted = [...rows].sort(byCustomerId);
    // The order_lines view converts at read time (order_lines_latest.sql): rates ingested after the
    // orders apply now, with no re-ingest. Say so, and what still has no rate.
    // Most runs have none to look for: the commit records count the lines stored without a rate;
    // where a record predates that count, a scan of three columns of the line versions says.
    const storedWithoutRate =
      bounds === undefined
        ? 0
        : (bounds.withoutRate ??
          Number(
            (
              await engine.runNamed('lines_unconverted_at_ingest', {
                as_of: asOf,
                first_day: bounds.first,
                sources: stringList(bounds.sources),
              })
            )[0]?.lines ?? 0,
          ));
    const late = storedWithoutRate
      ? (await engine.runNamed('lines_converted_late', { as_of: asOf })).map((r) => ({
          currency: String(r.currency),
          lines: Number(r.lines),
        }))
      : [];
    const linesConvertedLate = late.reduce((n, r) => n + r.lines, 0);
    if (linesConvertedLate) {
      const named = late
        .map((r) => `${r.lines} ${r.currency}`)
        .sort()
        .join(', ');
      log.info(
        `run ${asOf}: ${linesConvertedLate} line(s) converted to ${config.reportingCurrency} with rates that arrived ` +
          `after their export was ingested (${named})`,
      );
    }
    const customersWithoutRate = sorted.filter((a) => a.lines_without_rate > 0).length;
    if (customersWithoutRate) {
      const gaps = await engine.runNamed('lines_without_rate', { as_of: asOf });
      const named = gaps
        .map((g) => `${g.lines} ${g.currency} line(s) dated ${String(g.first_date)}..${String(g.last_date)}`)
        .sort()
        .join(', ');
      log.warn(
        `${customersWithoutRate} customer(s) have purchases without an exchange rate to ${config.reportingCurrency} ` +
          `(${named}) on their dates or up to 7 days before; their monetary value leaves those purchases out ` +
          'for now. Once rates for those dates are ingested, the next run converts them (no re-ingest needed).',
      );
    }
    const withoutBuyer = (
      (await engine.runNamed('purchases_without_buyer', { as_of: asOf })) as unknown as {
        source: string;
        orders: number;
        lines: number;
      }[]
    )
      .map((r) => ({ source: r.source, orders: Number(r.orders), lines: Number(r.lines) }))
      .sort((a, b) => a.source.localeCompare(b.source));
    if (withoutBuyer.length) {
      log.info(
        `run ${asOf}: ${withoutBuyer.map((w) => `${w.orders} ${w.source}`).join(', ')} order(s) carry no buyer id; ` +
          'the customer models leave them out',
      );
    }
    log.info(`run ${asOf}: RFM over ${sorted.length} customers`);
    const result = computeRfm(sorted, asOf);
    const outputs = [await writePartition(lake, rfm, asOf, result.rows)];

    log.info(`run ${asOf}: BG/NBD and Gamma-Gamma`);
    const transactions = (await engine.runNamed('customer_transactions', {
      as_of: asOf,
    })) as unknown as CustomerTransactions[];
    transactions.sort(byCustomerId);
    const value = computeClv(transactions, asOf, {
      start: await previousFits(lake, asOf),
      monthlyDiscountRate: config.clvMonthlyDiscountRate,
    });
    outputs.push(await writePartition(lake, clv, asOf, value.rows));

    log.info(`run ${asOf}: AARRR, AIPL / FAST / GROW`);
    const cohorts = (await engine.runNamed('aarrr_cohort_activity', {
      as_of: asOf,
    })) as unknown as CohortActivity[];
    outputs.push(await writePartition(lake, aarrrCohorts, asOf, cohortMatrix(cohorts, asOf)));
    const daily = (await engine.runNamed('aarrr_daily_activity', {
      as_of: asOf,
    })) as unknown as DailyActivity[];
    outputs.push(await writePartition(lake, aarrrDaily, asOf, dailyLifecycle(daily)));
    const d30 = addDays(asOf, -30);
    const features = (await engine.runNamed('customer_features', {
      as_of: asOf,
      d30,
      d60: addDays(asOf, -60),
      d365: addDays(asOf, -365),
    })) as unknown as CustomerFeatures[];
    features.sort(byCustomerId);
    const previousStages = await previousAipl(lake, asOf);
    const highSpenders = new Set(result.rows.filter((r) => r.m_high).map((r) => r.customer_id));
    const lifecycle = fastAndGrow(features, d30, {
      ...(previousStages ? { previousStages } : {}),
      highSpenders,
    });
    outputs.push(await writePartition(lake, aipl, asOf, lifecycle.stages));
    outputs.push(await writePartition(lake, fast, asOf, [lifecycle.fast]));
    outputs.push(await writePartition(lake, grow, asOf, [lifecycle.grow]));

    const recent = await engine.runNamed('recently_recalled', {
      as_of: asOf,
      since: addDays(asOf, -config.cooldownDays),
    });
    const recentlyRecalled = new Set(recent.map((r) => String(r.customer_id)));
    const clvById = new Map(value.rows.map((r) => [r.customer_id, r]));
    const alerts = churnRecallAlerts(result.rows, { means: result.means, recentlyRecalled, clv: clvById });
    const recalledNow = new Set(alerts.map((a) => a.customer_id));
    const suppressed = churnRecallAlerts(result.rows, {
      means: result.means,
      recentlyRecalled: new Set(),
      clv: clvById,
    }).filter((a) => !recalledNow.has(a.customer_id)).length;
    outputs.push(await writePartition(lake, churnRecall, asOf, alerts));

    const product = await runProductModels(engine, config, asOf, log, historyBounds(records, inventory.name));
    outputs.push(await writePartition(lake, abc, asOf, product.abc));
    outputs.push(await writePartition(lake, bcg, asOf, product.bcg));
    outputs.push(await writePartition(lake, channelMix, asOf, product.channelMix));
    outputs.push(await writePartition(lake, demandForecast, asOf, product.forecast));
    outputs.push(await writePartition(lake, stockRisk, asOf, product.stockRisk));
    // Revenue of the last 30 days, all orders and the part with a buyer id: the report's headline
    // (the customer models leave out exports without a buyer id).
    const [revenue30] = await engine.runNamed('revenue_recent', { as_of: asOf, since: addDays(asOf, -30) });
    const revenue: Metric[] = [
      { model: 'revenue', metric: 'revenue_30d_all_orders', value: Number(revenue30?.revenue ?? 0) },
      {
        model: 'revenue',
        metric: 'revenue_30d_identified',
        value: Number(revenue30?.revenue_identified ?? 0),
      },
    ];
    outputs.push(
      await writePartition(lake, diagnostics, asOf, [...value.diagnostics, ...product.metrics, ...revenue]),
    );
    const warned = await engine.runNamed('recent_stockouts', {
      as_of: asOf,
      since: addDays(asOf, -config.cooldownDays),
    });
    const stockAlerts = stockoutAlerts(
      product.stockRisk,
      new Set(warned.map((w) => itemKey(String(w.sku), String(w.warehouse)))),
      'daily_run',
    );
    outputs.push(await writePartition(lake, stockout, asOf, stockAlerts));
    const stockoutCsvKey = stockoutListKey(asOf);
    await lake.put(stockoutCsvKey, stockoutCsv(stockAlerts));
    outputs.push(stockoutCsvKey);

    const basket = await runBasketModels(engine, config, asOf, log);
    outputs.push(await writePartition(lake, basketRules, asOf, basket.rules));
    outputs.push(await writePartition(lake, bundles, asOf, basket.bundles));
    log.info(`run ${asOf}: funnels`);
    const funnels = await runFunnels(engine, asOf);
    outputs.push(await writePartition(lake, funnel, asOf, funnels.rows));

    const segments = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
    for (const r of result.rows) segments[r.segment]++;
    return {
      asOf,
      customers: result.rows.length,
      customersWithoutRate,
      linesConvertedLate,
      withoutBuyer,
      segments,
      means: result.means,
      recall: { alerts: alerts.length, suppressedByCooldown: suppressed, top: alerts.slice(0, 5) },
      diagnostics: value.diagnostics,
      product: product.summary,
      stockout: { alerts: stockAlerts.length, top: stockAlerts.slice(0, 5), csvKey: stockoutCsvKey },
      basket: basket.summary,
      funnel: funnels.summary,
      outputs,
    };
  } finally {
    await engine.close();
  }
}

/** Yesterday's fitted parameters, to start today's fit from (a warm start: fewer iterations). */
async function previousFits(
  lake: Lake,
  asOf: string,
): Promise<{ bgnbd?: BgNbdParams; gammaGamma?: GammaGammaParams }> {
  const bytes = await lake.get(partitionKey(diagnostics, addDays(asOf, -1)));
  if (!bytes) return {};
  const m = new Map(
    decodeParquet(bytes)
      .toArray()
      .map((r) => [String(r.metric), Number(r.value)]),
  );
  const has = (...names: string[]) => names.every((n) => Number.isFinite(m.get(n)) && m.get(n)! > 0);
  return {
    ...(has('bgnbd_r', 'bgnbd_alpha', 'bgnbd_a', 'bgnbd_b')
      ? {
          bgnbd: {
            r: m.get('bgnbd_r')!,
            alpha: m.get('bgnbd_alpha')!,
            a: m.get('bgnbd_a')!,
            b: m.get('bgnbd_b')!,
          },
        }
      : {}),
    ...(has('gg_p', 'gg_q', 'gg_gamma')
      ? { gammaGamma: { p: m.get('gg_p')!, q: m.get('gg_q')!, gamma: m.get('gg_gamma')! } }
      : {}),
  };
}

/** Yesterday's AIPL stages, for FAST's advance rate. */
async function previousAipl(lake: Lake, asOf: string): Promise<Map<string, AiplStage> | undefined> {
  const bytes = await lake.get(partitionKey(aipl, addDays(asOf, -1)));
  if (!bytes) return undefined;
  return new Map(
    decodeParquet(bytes)
      .toArray()
      .map((r) => [String(r.customer_id), String(r.stage) as AiplStage]),
  );
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
      const rows = await engine.runNamed('recall_contacts', { as_of: asOf });
      for (const r of rows) byId.set(String(r.customer_id), r as unknown as Contact);
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
  const csvKey = await writeRecallList(deps, asOf, alerts);
  const reportKey = await writeReport(deps.lake, deps.config, asOf, deps.log);
  return {
    ...models,
    recall: { ...models.recall, csvKey },
    reportKey,
    outputs: [...models.outputs, csvKey, reportKey],
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
