/**
 * What the daily report shows, read straight from the run's Parquet partitions (no SQL engine, so
 * the same code runs in a Lambda): the as-of run and, for the changes, the run before it. The core
 * gathers the headline figures and what every section shares (the previous run, product names, the
 * assortment window); each section the stages declare (registry.ts) gathers its own.
 */
import { batchCommitKey, batchIdOfDataFile, partitionPrefix, tablePrefix } from '../lake/keys.ts';
import type { Lake } from '../lake/lake.ts';
import { latestPartitionDate } from '../lake/parquet.ts';
import { readParquetRows } from '../lake/parquet-read.ts';
import type { RowOf, TableSpec } from '../schemas/table.ts';
import { aarrrDaily, abc, channelMix, diagnostics, products, rfm } from '../schemas/tables.ts';
import { addDays } from '../time.ts';
import { REPORT_SECTIONS } from './registry.ts';
import { readPartition } from './rows.ts';
import type { GatherContext, GatheredSection, ReportSection, ReportSettings } from './section.ts';

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

export interface ReportData {
  asOf: string;
  previousAsOf: string | null;
  currency: string;
  timeZone: string;
  windowDays: number;
  headline: Headline;
  previous: Headline | null;
  /** The stages' sections with their data, in page order. */
  sections: readonly GatheredSection[];
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
      const at = Number(r.exported_at instanceof Date ? r.exported_at.getTime() : (r.exported_at ?? 0));
      const before = names.get(String(r.sku));
      if (!before || at >= before.at) names.set(String(r.sku), { name: String(r.name), at });
    }
  }
  return new Map([...names].map(([sku, v]) => [sku, v.name]));
}

async function headline(
  partition: GatherContext['partition'],
  asOf: string,
  windowDays: number,
): Promise<Headline> {
  const rfmRows = await partition(rfm, asOf);
  const daily = await partition(aarrrDaily, asOf);
  const since30 = addDays(asOf, -30);
  const sinceWindow = addDays(asOf, -windowDays);
  const sum = (since: string) =>
    daily.filter((d) => d.date > since && d.date <= asOf).reduce((a, d) => a + d.revenue, 0);
  const total = (await partition(channelMix, asOf)).find(
    (m) => m.source === '(all)' && m.channel === '(all)',
  );
  const active = rfmRows.filter((r) => r.recency_days < 30).length;
  // The run's own 30-day revenue of all orders (diagnostics); a run written before it had only the
  // channel mix over the assortment window.
  const metric = new Map(
    (await partition(diagnostics, asOf)).filter((m) => m.model === 'revenue').map((m) => [m.metric, m.value]),
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
          revenueAll: total ? total.revenue : null,
          revenueIdentified: sum(sinceWindow),
          revenueDays: windowDays,
        }),
    revenueCustomers30: sum(since30),
    activeRate: rfmRows.length ? active / rfmRows.length : 0,
  };
}

export async function gatherReport(
  lake: Lake,
  asOf: string,
  settings: ReportSettings,
  sections: readonly ReportSection[] = REPORT_SECTIONS,
): Promise<ReportData> {
  const names = await productNames(lake);
  // Each partition is read once, whichever of the core and the sections asks first.
  const read = new Map<string, Promise<readonly object[]>>();
  const partition = <T extends TableSpec>(spec: T, dt: string): Promise<readonly RowOf<T>[]> => {
    const key = partitionPrefix(spec, { dt });
    const rows = read.get(key) ?? readPartition(lake, spec, dt);
    read.set(key, rows);
    // The key names the table and day, so a cached read holds this spec's rows.
    return rows as Promise<readonly RowOf<T>[]>;
  };
  const previousAsOf = await latestPartitionDate(lake, rfm, asOf, false);
  // The window the product models used (every row of the run's ABC partition says it).
  const windowDays = (await partition(abc, asOf))[0]?.window_days || settings.assortmentWindowDays;
  const ctx: GatherContext = {
    lake,
    asOf,
    previousAsOf,
    settings,
    partition,
    productName: (sku) => names.get(String(sku)) ?? null,
  };
  const gathered: GatheredSection[] = [];
  for (const section of sections) gathered.push(await section.gather(ctx));
  return {
    asOf,
    previousAsOf,
    currency: settings.reportingCurrency,
    timeZone: settings.timeZone,
    windowDays,
    headline: await headline(partition, asOf, windowDays),
    previous: previousAsOf ? await headline(partition, previousAsOf, windowDays) : null,
    sections: gathered,
  };
}
