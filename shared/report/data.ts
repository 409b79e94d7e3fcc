/**
 * What the daily report shows, read straight from the run's Parquet partitions (no SQL engine, so
 * the same code runs in a Lambda): the as-of run and, for the changes, the run before it. Alerts are
 * shown as open items, not only what fired today: a churn-recall customer stays open until they buy
 * again (or their cooldown lapses and they are raised anew), a stock item while its stock_risk row
 * warns.
 */
import {
  batchCommitKey,
  batchIdOfDataFile,
  partitionPrefix,
  recallListKey,
  stockoutListKey,
  tablePrefix,
} from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { latestPartitionDate } from '../lake/parquet.ts';
import { readParquetRows } from '../lake/parquet-read.ts';
import { type AbcClass, stockWarning } from '../models/stock-risk.ts';
import type { TableSpec } from '../schemas/table.ts';
import {
  aarrrCohorts,
  aarrrDaily,
  abc,
  bcg,
  bundles,
  channelMix,
  churnRecall,
  diagnostics,
  funnel,
  products,
  rfm,
  SEGMENTS,
  stockout,
  stockRisk,
} from '../schemas/tables.ts';
import { addDays, dateValue as day } from '../time.ts';

type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** How many rows of a list the page shows; the rest are in the CSV it links. */
export const SHOWN_ROWS = { recall: 15, stockout: 20 } as const;

/** What the report needs to know beyond the lake. */
export interface ReportSettings {
  reportingCurrency: string;
  timeZone: string;
  cooldownDays: number;
  assortmentWindowDays: number;
  bcgGrowthThreshold: number;
  bcgShareThreshold: number;
}

export interface Headline {
  customers: number;
  /** Net revenue of every order (with or without a buyer id) over the last `revenueDays` days. */
  revenueAll: number | null;
  /** The same days' revenue from orders whose export names the buyer. */
  revenueIdentified: number;
  /** 30 (the run's revenue metrics), or the assortment window for a run written before them. */
  revenueDays: number;
  /** Revenue of identified customers in the last 30 days (the customer models' revenue). */
  revenueCustomers30: number;
  activeRate: number;
}

export type ItemStatus = 'new' | 'open';

export interface RecallItem {
  customer_id: string;
  segment: string;
  last_order_date: string;
  monetary: number;
  p_alive: number | null;
  value_at_risk: number | null;
  reason: string;
  offer: string;
  status: ItemStatus;
  /** The run that raised the alert. */
  alerted: string;
}

export interface StockItem {
  severity: string;
  sku: string;
  name: string | null;
  warehouse: string;
  abc_class: string;
  available: number;
  inbound: number;
  days_of_cover: number | null;
  expected_stockout_date: string | null;
  suggested_order_qty: number;
  reason: string;
  status: ItemStatus;
  /** The run that raised the alert, when one did within the cooldown. */
  alerted: string | null;
}

/** An alert list as open items: the top rows, and counts of the whole. */
export interface OpenList<T> {
  rows: T[];
  open: number;
  newToday: number;
  stillOpen: number;
  /** Open after the previous run, closed now (bought again / no longer short). */
  resolved: number;
  /** Lake keys of the CSV lists holding the open items, by the date that raised them. */
  lists: { date: string; key: string; items: number }[];
}

export interface FunnelStep {
  step: string;
  count: number;
  conversion: number | null;
  breakpoint: boolean;
  drop: number | null;
}

export interface ReportData {
  asOf: string;
  previousAsOf: string | null;
  currency: string;
  timeZone: string;
  windowDays: number;
  headline: Headline;
  previous: Headline | null;
  segments: { segment: string; customers: number; spend: number; joined: number; left: number }[];
  recall: OpenList<RecallItem>;
  stock: OpenList<StockItem> & { resolvedItems: { sku: string; name: string | null; warehouse: string }[] };
  cohorts: { cohort: string; cells: (number | null)[] }[];
  trafficFunnel: { channel: string; sku: string | null; name: string | null; steps: FunnelStep[] } | null;
  orderFunnel: { steps: FunnelStep[] } | null;
  pareto: { sku: string; name: string | null; cumulative: number; revenue: number; abc: string }[];
  bcg: {
    sku: string;
    name: string | null;
    growth: number;
    share: number;
    revenue: number;
    quadrant: string;
  }[];
  bcgThresholds: { growth: number; share: number };
  channels: { label: string; revenue: number; share: number }[];
  bundles: {
    sku: string;
    name: string | null;
    bundle_sku: string;
    bundle_name: string | null;
    confidence: number;
    lift: number;
  }[];
}

const partition = (lake: Lake, spec: TableSpec, dt: string) =>
  readParquetRows(lake, partitionPrefix(spec, { dt }));

/** The dt= partitions of a table from `since` to before `until`. */
async function partitionDates(lake: Lake, spec: TableSpec, since: string, until: string): Promise<string[]> {
  const dates = new Set<string>();
  for (const key of await lake.list(tablePrefix(spec))) {
    const d = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
    if (d && d >= since && d < until) dates.add(d);
  }
  return [...dates].sort();
}

/**
 * Product names by SKU, from the latest committed export of each (a batch is visible once its
 * commit record exists, as for every other reader of curated tables).
 */
async function productNames(lake: Lake): Promise<Map<string, string>> {
  const keys = await lake.list(tablePrefix(products));
  const committed = new Map<string, boolean>();
  const names = new Map<string, { name: string; at: number }>();
  for (const key of keys) {
    const batch = batchIdOfDataFile(key);
    if (!batch) continue;
    if (!committed.has(batch)) committed.set(batch, await lake.exists(batchCommitKey(batch)));
    if (!committed.get(batch)) continue;
    for (const r of await readParquetRows(lake, key)) {
      if (r.name === null || r.name === undefined || r.name === '') continue;
      const at = num(r.exported_at instanceof Date ? r.exported_at.getTime() : r.exported_at);
      const before = names.get(String(r.sku));
      if (!before || at >= before.at) names.set(String(r.sku), { name: String(r.name), at });
    }
  }
  return new Map([...names].map(([sku, v]) => [sku, v.name]));
}

async function headline(
  lake: Lake,
  asOf: string,
  rfmRows: readonly Row[],
  windowDays: number,
): Promise<Headline> {
  const daily = await partition(lake, aarrrDaily, asOf);
  const since30 = addDays(asOf, -30);
  const sinceWindow = addDays(asOf, -windowDays);
  const sum = (since: string) =>
    daily.filter((d) => day(d.date) > since && day(d.date) <= asOf).reduce((a, d) => a + num(d.revenue), 0);
  const total = (await partition(lake, channelMix, asOf)).find(
    (m) => m.source === '(all)' && m.channel === '(all)',
  );
  const active = rfmRows.filter((r) => num(r.recency_days) < 30).length;
  // The run's own 30-day revenue of all orders (diagnostics); a run written before it had only the
  // channel mix over the assortment window.
  const metric = new Map(
    (await partition(lake, diagnostics, asOf))
      .filter((m) => m.model === 'revenue')
      .map((m) => [String(m.metric), num(m.value)]),
  );
  const all30 = metric.get('revenue_30d_all_orders');
  return {
    customers: rfmRows.length,
    ...(all30 !== undefined
      ? {
          revenueAll: all30,
          revenueIdentified: metric.get('revenue_30d_identified') ?? sum(since30),
          revenueDays: 30,
        }
      : {
          revenueAll: total ? num(total.revenue) : null,
          revenueIdentified: sum(sinceWindow),
          revenueDays: windowDays,
        }),
    revenueCustomers30: sum(since30),
    activeRate: rfmRows.length ? active / rfmRows.length : 0,
  };
}

function funnelSteps(rows: readonly Row[]): FunnelStep[] {
  return [...rows]
    .filter((r) => r.step_index !== null && r.step_index !== undefined)
    .sort((a, b) => num(a.step_index) - num(b.step_index))
    .map((r) => ({
      step: String(r.step),
      count: num(r.count),
      conversion: r.step_conversion === null ? null : num(r.step_conversion),
      breakpoint: Boolean(r.is_breakpoint) && Boolean(r.significant),
      drop:
        r.baseline_conversion && r.step_conversion !== null
          ? 1 - num(r.step_conversion) / num(r.baseline_conversion)
          : null,
    }));
}

const recallItem = (r: Row, status: ItemStatus, alerted: string): RecallItem => ({
  customer_id: String(r.customer_id),
  segment: String(r.segment),
  last_order_date: day(r.last_order_date),
  monetary: num(r.monetary),
  p_alive: numOrNull(r.p_alive),
  value_at_risk: numOrNull(r.value_at_risk),
  reason: String(r.reason ?? ''),
  offer: String(r.offer ?? ''),
  status,
  alerted,
});

/**
 * Churn recall as open items: today's alerts (new) and the customers alerted within the cooldown who
 * have not bought since (still open). One who bought again is resolved; "resolved" counts those whose
 * new purchase came after the previous run.
 */
async function recallItems(
  lake: Lake,
  asOf: string,
  previousAsOf: string | null,
  rfmRows: readonly Row[],
  cooldownDays: number,
): Promise<OpenList<RecallItem>> {
  const today = (await partition(lake, churnRecall, asOf)).map((r) => recallItem(r, 'new', asOf));
  const todayIds = new Set(today.map((r) => r.customer_id));
  const earlier = new Map<string, RecallItem>();
  for (const d of await partitionDates(lake, churnRecall, addDays(asOf, -cooldownDays), asOf)) {
    for (const r of await partition(lake, churnRecall, d)) {
      if (!todayIds.has(String(r.customer_id))) earlier.set(String(r.customer_id), recallItem(r, 'open', d));
    }
  }
  const lastOrder = new Map(rfmRows.map((r) => [String(r.customer_id), day(r.last_order_date)]));
  const stillOpen: RecallItem[] = [];
  let resolved = 0;
  for (const item of earlier.values()) {
    const last = lastOrder.get(item.customer_id);
    if (last !== undefined && last > item.last_order_date) {
      if (previousAsOf === null || last > previousAsOf) resolved++;
    } else stillOpen.push(item);
  }
  const open = [...today, ...stillOpen].sort(
    (a, b) => (b.value_at_risk ?? 0) - (a.value_at_risk ?? 0) || b.monetary - a.monetary,
  );
  const byDate = new Map<string, number>();
  for (const item of open) byDate.set(item.alerted, (byDate.get(item.alerted) ?? 0) + 1);
  return {
    rows: open.slice(0, SHOWN_ROWS.recall),
    open: open.length,
    newToday: today.length,
    stillOpen: stillOpen.length,
    resolved,
    lists: [...byDate]
      .sort(([a], [b]) => b.localeCompare(a))
      .map(([date, items]) => ({ date, key: recallListKey(date), items })),
  };
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const stockKey = (r: Row) => `${String(r.sku)}\u0000${String(r.warehouse)}`;

function stockPosition(r: Row) {
  return {
    abc_class: String(r.abc_class) as AbcClass,
    snapshot_date: day(r.snapshot_date),
    available: num(r.available),
    inbound: num(r.inbound),
    daily_demand: num(r.daily_demand),
    reorder_point: num(r.reorder_point),
    days_of_cover: numOrNull(r.days_of_cover),
    expected_stockout_date: r.expected_stockout_date == null ? null : day(r.expected_stockout_date),
    lead_time_days: num(r.lead_time_days),
  };
}

/**
 * Stockout warnings as open items: every item whose stock_risk row warns today, new when today's
 * run (or a snapshot today) raised its alert, still open when the cooldown held it back. Resolved:
 * warned in the previous run's stock_risk, not any more.
 */
async function stockItems(
  lake: Lake,
  asOf: string,
  names: ReadonlyMap<string, string>,
  cooldownDays: number,
): Promise<ReportData['stock']> {
  const riskDate = await latestPartitionDate(lake, stockRisk, asOf, true);
  const risk = riskDate ? await partition(lake, stockRisk, riskDate) : [];
  const warning = risk.filter((r) => stockWarning(stockPosition(r)).warning);
  const todayAlerts = new Map((await partition(lake, stockout, asOf)).map((a) => [stockKey(a), a]));
  const alertedOn = new Map<string, string>();
  for (const d of await partitionDates(lake, stockout, addDays(asOf, -cooldownDays), asOf))
    for (const a of await partition(lake, stockout, d)) alertedOn.set(stockKey(a), d);
  const items: StockItem[] = warning.map((r) => {
    const p = stockPosition(r);
    const w = stockWarning(p);
    const isNew = todayAlerts.has(stockKey(r));
    return {
      severity: String(w.severity),
      sku: String(r.sku),
      name: names.get(String(r.sku)) ?? null,
      warehouse: String(r.warehouse),
      abc_class: p.abc_class,
      available: p.available,
      inbound: p.inbound,
      days_of_cover: p.days_of_cover,
      expected_stockout_date: p.expected_stockout_date,
      suggested_order_qty: num(r.suggested_order_qty),
      reason: w.reason ?? '',
      status: isNew ? 'new' : 'open',
      alerted: isNew ? asOf : (alertedOn.get(stockKey(r)) ?? null),
    };
  });
  items.sort(
    (a, b) =>
      (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
      (a.days_of_cover ?? Number.POSITIVE_INFINITY) - (b.days_of_cover ?? Number.POSITIVE_INFINITY) ||
      a.sku.localeCompare(b.sku),
  );
  const previousDate = riskDate ? await latestPartitionDate(lake, stockRisk, riskDate, false) : null;
  const open = new Set(items.map((i) => `${i.sku}\u0000${i.warehouse}`));
  const resolvedItems = (previousDate ? await partition(lake, stockRisk, previousDate) : [])
    .filter((r) => stockWarning(stockPosition(r)).warning && !open.has(stockKey(r)))
    .map((r) => ({
      sku: String(r.sku),
      name: names.get(String(r.sku)) ?? null,
      warehouse: String(r.warehouse),
    }));
  const newToday = items.filter((i) => i.status === 'new').length;
  const byDate = new Map<string, number>();
  for (const i of items) if (i.alerted) byDate.set(i.alerted, (byDate.get(i.alerted) ?? 0) + 1);
  return {
    rows: items.slice(0, SHOWN_ROWS.stockout),
    open: items.length,
    newToday,
    stillOpen: items.length - newToday,
    resolved: resolvedItems.length,
    resolvedItems,
    lists: [...byDate]
      .sort(([a], [b]) => b.localeCompare(a))
      .map(([date, n]) => ({ date, key: stockoutListKey(date), items: n })),
  };
}

export async function gatherReport(lake: Lake, asOf: string, settings: ReportSettings): Promise<ReportData> {
  const names = await productNames(lake);
  const name = (sku: unknown) => names.get(String(sku)) ?? null;
  const rfmRows = await partition(lake, rfm, asOf);
  const previousAsOf = await latestPartitionDate(lake, rfm, asOf, false);
  const previousRfm = previousAsOf ? await partition(lake, rfm, previousAsOf) : [];
  const before = new Map(previousRfm.map((r) => [String(r.customer_id), String(r.segment)]));
  const segments = SEGMENTS.map((segment) => {
    const rows = rfmRows.filter((r) => r.segment === segment);
    const ids = new Set(rows.map((r) => String(r.customer_id)));
    return {
      segment,
      customers: rows.length,
      spend: rows.reduce((a, r) => a + num(r.monetary), 0),
      joined: previousAsOf ? rows.filter((r) => before.get(String(r.customer_id)) !== segment).length : 0,
      left: previousAsOf ? [...before].filter(([id, s]) => s === segment && !ids.has(id)).length : 0,
    };
  });

  const cohortRows = await partition(lake, aarrrCohorts, asOf);
  const byCohort = new Map<string, (number | null)[]>();
  for (const c of cohortRows) {
    const cells = byCohort.get(String(c.cohort_month)) ?? [];
    cells[num(c.month_index)] = num(c.retention_pct);
    byCohort.set(String(c.cohort_month), cells);
  }
  const cohorts = [...byCohort]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-12)
    .map(([cohort, cells]) => ({
      cohort,
      cells: Array.from({ length: Math.min(12, cells.length) }, (_, i) => cells[i] ?? null),
    }));

  const funnelRows = (await partition(lake, funnel, asOf)).filter((r) => day(r.date) === asOf);
  const traffic = funnelRows.filter((r) => r.kind === 'traffic');
  // The traffic funnel shown: the one with today's most significant breakpoint, else the busiest.
  const trafficKeys = new Map<string, Row[]>();
  for (const r of traffic) {
    const k = `${String(r.channel)}\u0000${r.sku ?? ''}`;
    trafficKeys.set(k, [...(trafficKeys.get(k) ?? []), r]);
  }
  const flagged = [...trafficKeys].find(([, rows]) => rows.some((r) => r.is_breakpoint && r.significant));
  const busiest = [...trafficKeys].sort(
    ([, a], [, b]) => Math.max(...b.map((r) => num(r.count))) - Math.max(...a.map((r) => num(r.count))),
  )[0];
  const shown = (flagged ?? busiest)?.[1];
  const orders = funnelRows.filter((r) => r.kind === 'orders');
  const orderTotals = new Map<string, Row>();
  for (const r of orders) {
    const t = orderTotals.get(String(r.step)) ?? { ...r, count: 0, is_breakpoint: false, significant: false };
    t.count = num(t.count) + num(r.count);
    if (r.is_breakpoint && r.significant) Object.assign(t, { is_breakpoint: true, significant: true });
    orderTotals.set(String(r.step), t);
  }
  const orderSteps = [...orderTotals.values()];
  // Conversions of the summed funnel, step over step.
  orderSteps.sort((a, b) => num(a.step_index) - num(b.step_index));
  let prev: number | null = null;
  for (const s of orderSteps) {
    if (s.step_index === null || s.step_index === undefined) continue;
    s.step_conversion = prev ? num(s.count) / prev : null;
    prev = num(s.count);
  }

  const abcRows = (await partition(lake, abc, asOf)).sort((a, b) => num(b.revenue) - num(a.revenue));
  const bcgRows = (await partition(lake, bcg, asOf)).filter(
    (r) => r.level === 'sku' && r.growth !== null && r.relative_share !== null,
  );
  const mix = (await partition(lake, channelMix, asOf)).filter((r) => r.source !== '(all)');
  const channels = new Map<string, { revenue: number; share: number }>();
  for (const m of mix) {
    const label = `${String(m.source)} / ${String(m.channel)}`;
    const c = channels.get(label) ?? { revenue: 0, share: 0 };
    c.revenue += num(m.revenue);
    c.share += num(m.share);
    channels.set(label, c);
  }
  const bundleRows = (await partition(lake, bundles, asOf))
    .filter((b) => num(b.rank) === 1)
    .sort((a, b) => num(b.lift) - num(a.lift));
  const windowDays = num(abcRows[0]?.window_days) || settings.assortmentWindowDays;

  return {
    asOf,
    previousAsOf,
    currency: settings.reportingCurrency,
    timeZone: settings.timeZone,
    windowDays,
    headline: await headline(lake, asOf, rfmRows, windowDays),
    previous: previousAsOf ? await headline(lake, previousAsOf, previousRfm, windowDays) : null,
    segments,
    recall: await recallItems(lake, asOf, previousAsOf, rfmRows, settings.cooldownDays),
    stock: await stockItems(lake, asOf, names, settings.cooldownDays),
    cohorts,
    trafficFunnel: shown?.[0]
      ? {
          channel: String(shown[0].channel),
          sku: shown[0].sku == null ? null : String(shown[0].sku),
          name: shown[0].sku == null ? null : name(shown[0].sku),
          steps: funnelSteps(shown),
        }
      : null,
    orderFunnel: orderSteps.length ? { steps: funnelSteps(orderSteps) } : null,
    pareto: abcRows.map((r) => ({
      sku: String(r.sku),
      name: name(r.sku),
      cumulative: num(r.cumulative_share),
      revenue: num(r.revenue),
      abc: String(r.abc_class),
    })),
    bcg: bcgRows.map((r) => ({
      sku: String(r.item),
      name: name(r.item),
      growth: num(r.growth),
      share: num(r.relative_share),
      revenue: num(r.revenue),
      quadrant: String(r.quadrant),
    })),
    bcgThresholds: { growth: settings.bcgGrowthThreshold, share: settings.bcgShareThreshold },
    channels: [...channels]
      .map(([label, c]) => ({ label, ...c }))
      .sort((a, b) => b.revenue - a.revenue)
      .slice(0, 12),
    bundles: bundleRows.slice(0, 10).map((b) => ({
      sku: String(b.sku),
      name: name(b.sku),
      bundle_sku: String(b.bundle_sku),
      bundle_name: name(b.bundle_sku),
      confidence: num(b.confidence),
      lift: num(b.lift),
    })),
  };
}
