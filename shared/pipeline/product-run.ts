/**
 * The product stage of the daily run: ABC-XYZ, the Boston matrix, channel mix, demand forecasts and
 * stock risk, from the SQL tier's aggregates. Only the engine is read; the caller writes the rows.
 */
import type { Config } from '../config.ts';
import { abcXyz, type BcgInput, bostonMatrix, type SkuRevenue } from '../models/assortment.ts';
import { type ChannelMixRow, type ChannelOrder, channelMix } from '../models/channel-mix.ts';
import { forecastSeries, type SeriesForecast } from '../models/forecast.ts';
import { type AbcClass, DEFAULT_POLICY, type StockRiskRow, stockRisk } from '../models/stock-risk.ts';
import type { abc as abcTable, bcg as bcgTable, demandForecast } from '../schemas/product-tables.ts';
import type { RowOf } from '../schemas/table.ts';
import type { SqlEngine } from '../sql/engine.ts';
import { stringList } from '../sql/render.ts';
import type { HistoryBounds } from '../sql/views.ts';
import { addDays, dateValue as day, daysBetween } from '../time.ts';
import type { Log } from './log.ts';

/** The settings the product models read. */
export type ProductSettings = Pick<
  Config,
  | 'assortmentWindowDays'
  | 'bcgGrowthThreshold'
  | 'bcgShareThreshold'
  | 'forecastHorizonDays'
  | 'defaultLeadTimeDays'
  | 'serviceLevels'
>;
/** The engine as the product models use it: named queries only. */
type Queries = Pick<SqlEngine, 'runNamed'>;

/** Days of history the forecast is fitted to. */
export const FORECAST_HISTORY_DAYS = 182;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export type ForecastRow = RowOf<typeof demandForecast>;

export interface ProductSummary {
  skus: number;
  abc: Record<AbcClass, number>;
  quadrants: Record<string, number>;
  forecastSeries: number;
  /** Rolling-origin MASE over the series with enough history to judge (see forecastSeries). */
  meanMase: number | null;
  medianMase: number | null;
  /** Series with too little history since their first sale to judge (no MASE). */
  seriesTooShort: number;
  stockItems: number;
  warnings: number;
  defaultLeadTimes: number;
  seconds: number;
}

export interface ProductOutputs {
  abc: RowOf<typeof abcTable>[];
  bcg: RowOf<typeof bcgTable>[];
  channelMix: ChannelMixRow[];
  forecast: ForecastRow[];
  stockRisk: StockRiskRow[];
  metrics: { model: string; metric: string; value: number }[];
  summary: ProductSummary;
}

/** The `days` days up to `asOf`, oldest first; the last window's, since every series shares it. */
let lastWindow: { asOf: string; dates: string[] } | undefined;
function windowDates(asOf: string, days: number): string[] {
  if (lastWindow?.asOf !== asOf || lastWindow.dates.length !== days)
    lastWindow = { asOf, dates: Array.from({ length: days }, (_, k) => addDays(asOf, k - days + 1)) };
  return lastWindow.dates;
}

/** Dense daily series (oldest first) of the `days` days up to `asOf`. */
function dense(points: Map<string, number>, asOf: string, days: number): number[] {
  return windowDates(asOf, days).map((d) => points.get(d) ?? 0);
}

/** ABC-XYZ over the window and the Boston matrix against the window before (and a year before). */
async function assortment(engine: Queries, config: ProductSettings, asOf: string) {
  const w = config.assortmentWindowDays;
  const rows = await engine.runNamed('sku_daily_sales', { as_of: asOf, since: addDays(asOf, -(365 + w)) });
  const windowStart = addDays(asOf, -w);
  const previousStart = addDays(asOf, -2 * w);
  const lastYearEnd = addDays(asOf, -365);
  const lastYearStart = addDays(lastYearEnd, -w);
  const weeks = Math.ceil(w / 7);
  const skus = new Map<string, SkuRevenue & { previous: number; lastYear: number }>();
  let earliest = asOf;
  for (const r of rows) {
    const sku = String(r.sku);
    const date = day(r.date);
    if (date < earliest) earliest = date;
    let s = skus.get(sku);
    if (!s) {
      s = { sku, category: null, revenue: 0, weeklyUnits: Array(weeks).fill(0), previous: 0, lastYear: 0 };
      skus.set(sku, s);
    }
    if (r.category !== null && r.category !== undefined) s.category = String(r.category);
    const revenue = num(r.revenue);
    if (date > windowStart) {
      s.revenue += revenue;
      const week = Math.floor(daysBetween(date, asOf) / 7);
      s.weeklyUnits[weeks - 1 - week] = (s.weeklyUnits[weeks - 1 - week] ?? 0) + num(r.units);
    } else if (date > previousStart) s.previous += revenue;
    if (date > lastYearStart && date <= lastYearEnd) s.lastYear += revenue;
  }
  // Year-on-year only when the data reach back over the whole window of last year.
  const hasLastYear = earliest <= addDays(lastYearStart, 1);
  const active = [...skus.values()].filter((s) => s.revenue > 0 || s.previous > 0);
  const abc = abcXyz(active.filter((s) => s.revenue > 0)).map((r) => ({ ...r, window_days: w }));
  const thresholds = { growth: config.bcgGrowthThreshold, relativeShare: config.bcgShareThreshold };
  const skuInputs: BcgInput[] = active.map((s) => ({
    key: s.sku,
    group: s.category ?? '(uncategorised)',
    revenue: s.revenue,
    previousRevenue: s.previous,
    lastYearRevenue: hasLastYear ? s.lastYear : null,
  }));
  const categories = new Map<string, BcgInput>();
  for (const i of skuInputs) {
    const c = categories.get(i.group) ?? {
      key: i.group,
      group: '(all)',
      revenue: 0,
      previousRevenue: 0,
      lastYearRevenue: hasLastYear ? 0 : null,
    };
    c.revenue += i.revenue;
    c.previousRevenue += i.previousRevenue;
    if (c.lastYearRevenue !== null) c.lastYearRevenue += i.lastYearRevenue ?? 0;
    categories.set(i.group, c);
  }
  const bcg = [
    ...bostonMatrix(skuInputs, thresholds).map((r) => ({ level: 'sku' as const, ...r })),
    ...bostonMatrix([...categories.values()], thresholds).map((r) => ({ level: 'category' as const, ...r })),
  ];
  return { abc, bcg };
}

async function channels(engine: Queries, config: ProductSettings, asOf: string): Promise<ChannelMixRow[]> {
  const w = config.assortmentWindowDays;
  const since = addDays(asOf, -w);
  const orders = await engine.runNamed('channel_orders', {
    as_of: asOf,
    since,
    previous_since: addDays(asOf, -2 * w),
  });
  const categories = await engine.runNamed('channel_categories', { as_of: asOf, since });
  return channelMix(
    orders.map(
      (o): ChannelOrder => ({
        source: String(o.source),
        channel: String(o.channel),
        country: String(o.country),
        period: o.period === 'previous' ? 'previous' : 'current',
        purchased: num(o.purchased),
        cancelled: num(o.cancelled),
        refunded: num(o.refunded),
        revenue: num(o.revenue),
        costedRevenue: orNull(o.costed_revenue),
        cost: orNull(o.cost),
      }),
    ),
    categories.map((c) => ({
      source: String(c.source),
      channel: String(c.channel),
      category: String(c.category),
      revenue: num(c.revenue),
    })),
  );
}

/** Forecasts per SKU x warehouse, and lazily per SKU (for stock in a warehouse the orders never name). */
export class DemandForecasts {
  readonly bySeries = new Map<string, SeriesForecast>();
  private readonly skuPoints = new Map<string, Map<string, number>>();
  private readonly bySku = new Map<string, SeriesForecast>();

  constructor(
    rows: readonly Record<string, unknown>[],
    private readonly asOf: string,
    private readonly horizon: number,
  ) {
    const series = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const key = `${String(r.sku)}\u0000${String(r.warehouse)}`;
      const date = day(r.date);
      const units = num(r.units);
      for (const [map, k] of [
        [series, key],
        [this.skuPoints, String(r.sku)],
      ] as const) {
        let points = map.get(k);
        if (!points) {
          points = new Map();
          map.set(k, points);
        }
        points.set(date, (points.get(date) ?? 0) + units);
      }
    }
    for (const [key, points] of [...series].sort(([a], [b]) => a.localeCompare(b))) {
      this.bySeries.set(key, forecastSeries(dense(points, asOf, FORECAST_HISTORY_DAYS), horizon));
    }
  }

  series(sku: string, warehouse: string): SeriesForecast | undefined {
    return this.bySeries.get(`${sku}\u0000${warehouse}`);
  }

  sku(sku: string): SeriesForecast | undefined {
    let f = this.bySku.get(sku);
    const points = this.skuPoints.get(sku);
    if (!f && points) {
      f = forecastSeries(dense(points, this.asOf, FORECAST_HISTORY_DAYS), this.horizon);
      this.bySku.set(sku, f);
    }
    return f;
  }
}

export interface StockContext {
  forecasts: Pick<DemandForecasts, 'series' | 'sku'>;
  abcClass: Map<string, AbcClass>;
  products: Map<string, { lead: number | null; shelf: number | null }>;
}

/** Stock risk of inventory rows (sku, warehouse, snapshot_date, on_hand, inbound, reserved). */
export function stockRows(
  inventory: readonly Record<string, unknown>[],
  ctx: StockContext,
  config: Pick<Config, 'defaultLeadTimeDays' | 'serviceLevels'>,
): StockRiskRow[] {
  const warehousesPerSku = new Map<string, number>();
  for (const i of inventory)
    warehousesPerSku.set(String(i.sku), (warehousesPerSku.get(String(i.sku)) ?? 0) + 1);
  return inventory
    .map((i) => {
      const sku = String(i.sku);
      const warehouse = String(i.warehouse);
      // Stock in a warehouse the orders never name: the SKU's total demand, shared by its warehouses.
      const own = ctx.forecasts.series(sku, warehouse);
      const total = own ? undefined : ctx.forecasts.sku(sku);
      const share = own ? 1 : 1 / (warehousesPerSku.get(sku) ?? 1);
      const f = own ?? total;
      const product = ctx.products.get(sku);
      const lead = product?.lead ?? null;
      return stockRisk(
        {
          sku,
          warehouse,
          snapshotDate: day(i.snapshot_date),
          onHand: num(i.on_hand),
          inbound: num(i.inbound),
          reserved: num(i.reserved),
          abcClass: ctx.abcClass.get(sku) ?? 'C',
          forecast: f ? f.forecast.map((p) => p.mean * share) : [],
          demandSd: f ? f.demandSd * share : 0,
          leadTimeDays: lead ?? config.defaultLeadTimeDays,
          leadTimeSource: lead === null ? 'default' : 'product',
          shelfLifeDays: product?.shelf ?? null,
        },
        { ...DEFAULT_POLICY, serviceLevel: config.serviceLevels },
      );
    })
    .sort((a, b) => a.sku.localeCompare(b.sku) || a.warehouse.localeCompare(b.warehouse));
}

export async function productMaps(engine: Queries): Promise<StockContext['products']> {
  const rows = await engine.runNamed('products_latest', {});
  return new Map(
    rows.map((p) => [String(p.sku), { lead: orNull(p.lead_time_days), shelf: orNull(p.shelf_life_days) }]),
  );
}

export async function runProductModels(
  engine: Queries,
  config: ProductSettings,
  asOf: string,
  log: Log,
  /** Where the committed inventory snapshots lie (commit records); undefined: there are none. */
  inventoryBounds?: HistoryBounds,
): Promise<ProductOutputs> {
  const started = performance.now();
  log.info(`run ${asOf}: ABC-XYZ, Boston matrix, channel mix`);
  const { abc, bcg } = await assortment(engine, config, asOf);
  const mix = await channels(engine, config, asOf);
  log.info(`run ${asOf}: demand forecasts`);
  const horizon = config.forecastHorizonDays;
  const forecasts = new DemandForecasts(
    await engine.runNamed('sku_warehouse_daily_units', {
      as_of: asOf,
      since: addDays(asOf, -FORECAST_HISTORY_DAYS),
    }),
    asOf,
    horizon,
  );
  const forecastRows: ForecastRow[] = [];
  const metrics: ProductOutputs['metrics'] = [];
  const mases: number[] = [];
  const naiveMases: number[] = [];
  for (const [key, f] of forecasts.bySeries) {
    const [sku, warehouse] = key.split('\u0000') as [string, string];
    f.forecast.forEach((p, k) => {
      forecastRows.push({
        sku,
        warehouse,
        date: addDays(asOf, k + 1),
        units: p.mean,
        lower: p.lower,
        upper: p.upper,
        method: f.method,
        params: f.params,
        mase: f.mase,
      });
    });
    if (f.mase !== null) {
      mases.push(f.mase);
      if (f.naiveMase !== null) naiveMases.push(f.naiveMase);
      metrics.push({ model: 'demand_forecast', metric: `mase:${sku}@${warehouse}`, value: f.mase });
    }
  }
  // Rolling-origin MASE, scaled by each series' whole history since its first sale; series with
  // under MIN_JUDGED_DAYS of it are counted, not averaged (a near-empty history has no scale to trust).
  const sorted = [...mases].sort((a, b) => a - b);
  const meanMase = mases.length ? mases.reduce((a, b) => a + b, 0) / mases.length : null;
  const medianMase = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : null;
  const seriesTooShort = forecasts.bySeries.size - mases.length;
  if (meanMase !== null) {
    metrics.push({ model: 'demand_forecast', metric: 'mase_mean', value: meanMase });
    metrics.push({ model: 'demand_forecast', metric: 'mase_median', value: medianMase! });
    metrics.push({
      model: 'demand_forecast',
      metric: 'naive_mase_mean',
      value: naiveMases.reduce((a, b) => a + b, 0) / Math.max(1, naiveMases.length),
    });
  }
  metrics.push({ model: 'demand_forecast', metric: 'series', value: forecasts.bySeries.size });
  metrics.push({ model: 'demand_forecast', metric: 'series_judged', value: mases.length });
  metrics.push({ model: 'demand_forecast', metric: 'series_too_short', value: seriesTooShort });

  log.info(`run ${asOf}: stock risk`);
  const inventory = inventoryBounds
    ? await engine.runNamed('inventory_latest', {
        as_of: asOf,
        first_day: inventoryBounds.first,
        sources: stringList(inventoryBounds.sources),
      })
    : [];
  const risk = stockRows(
    inventory,
    {
      forecasts,
      abcClass: new Map(abc.map((a) => [a.sku, a.abc_class])),
      products: await productMaps(engine),
    },
    config,
  );
  const defaults = risk.filter((r) => r.lead_time_source === 'default').length;
  if (defaults) {
    log.info(
      `run ${asOf}: ${defaults} stock item(s) use the default lead time of ${config.defaultLeadTimeDays} days (no lead_time_days in products)`,
    );
  }
  const count = <T extends string>(values: T[]) =>
    values.reduce<Record<string, number>>((acc, v) => {
      acc[v] = (acc[v] ?? 0) + 1;
      return acc;
    }, {});
  return {
    abc,
    bcg,
    channelMix: mix,
    forecast: forecastRows,
    stockRisk: risk,
    metrics,
    summary: {
      skus: abc.length,
      abc: { A: 0, B: 0, C: 0, ...count(abc.map((a) => a.abc_class)) } as Record<AbcClass, number>,
      quadrants: count(bcg.filter((b) => b.level === 'sku').map((b) => b.quadrant)),
      forecastSeries: forecasts.bySeries.size,
      meanMase,
      medianMase,
      seriesTooShort,
      stockItems: risk.length,
      warnings: risk.filter((r) => r.warning).length,
      defaultLeadTimes: defaults,
      seconds: (performance.now() - started) / 1000,
    },
  };
}
