/**
 * The product models (shared/pipeline/product-run.ts): ABC-XYZ, the Boston matrix, channel mix,
 * demand forecasts and stock risk, and the day's stockout warnings with their CSV list.
 */
import { itemKey, stockoutAlerts, stockoutCsv } from '../alerts/stockout.ts';
import { stockoutListKey } from '../lake/keys.ts';
import { runProductModels } from '../pipeline/product-run.ts';
import { bcgSection } from '../report/sections/bcg.ts';
import { channelsSection } from '../report/sections/channels.ts';
import { paretoSection } from '../report/sections/pareto.ts';
import { stockSection } from '../report/sections/stock.ts';
import { abc, bcg, channelMix, demandForecast, inventory, stockout, stockRisk } from '../schemas/tables.ts';
import { addDays } from '../time.ts';
import { query } from './row-shape.ts';
import { columnsOf, defineStage } from './stage.ts';

const skuDailySales = query('sku_daily_sales', {
  sku: 'string',
  category: 'string?',
  date: 'date',
  units: 'double',
  revenue: 'double',
});
const channelOrders = query('channel_orders', {
  source: 'string',
  channel: 'string',
  country: 'string',
  period: 'string',
  order_id: 'string',
  purchased: 'int',
  cancelled: 'int',
  refunded: 'int',
  revenue: 'double',
  costed_revenue: 'double?',
  cost: 'double?',
});
const channelCategories = query('channel_categories', {
  source: 'string',
  channel: 'string',
  category: 'string',
  revenue: 'double',
});
const dailyUnits = query('sku_warehouse_daily_units', {
  sku: 'string',
  warehouse: 'string',
  date: 'date',
  units: 'double',
});
const inventoryLatest = query('inventory_latest', {
  sku: 'string',
  warehouse: 'string',
  snapshot_date: 'date',
  on_hand: 'double',
  inbound: 'double',
  reserved: 'double',
});
const productsLatest = query('products_latest', {
  sku: 'string',
  name: 'string?',
  category: 'string?',
  unit_cost: 'double?',
  lead_time_days: 'int?',
  shelf_life_days: 'int?',
});
const recentStockouts = query('recent_stockouts', { sku: 'string', warehouse: 'string' });

export const productStage = defineStage({
  name: 'product',
  doc: 'ABC-XYZ, Boston matrix, channel mix, demand forecasts, stock risk and stockout warnings.',
  queries: [
    skuDailySales,
    channelOrders,
    channelCategories,
    dailyUnits,
    inventoryLatest,
    productsLatest,
    recentStockouts,
  ],
  reads: [],
  writes: [abc, bcg, channelMix, demandForecast, stockRisk, stockout],
  settings: [
    'assortmentWindowDays',
    'bcgGrowthThreshold',
    'bcgShareThreshold',
    'forecastHorizonDays',
    'defaultLeadTimeDays',
    'serviceLevels',
    'cooldownDays',
  ],
  memoryMb: 2048,
  timeoutSeconds: 900,
  report: [stockSection, paretoSection, bcgSection, channelsSection],
  async run(ctx) {
    const { asOf, settings } = ctx;
    const product = await runProductModels(ctx.engine, settings, asOf, ctx.log, ctx.bounds(inventory));
    const warned = await ctx.rows(recentStockouts, {
      as_of: asOf,
      since: addDays(asOf, -settings.cooldownDays),
    });
    const alerts = stockoutAlerts(
      product.stockRisk,
      new Set(warned.map((w) => itemKey(w.sku, w.warehouse))),
      'daily_run',
    );
    const csvKey = stockoutListKey(asOf);
    return {
      tables: {
        abc: columnsOf(abc, product.abc),
        bcg: columnsOf(bcg, product.bcg),
        channel_mix: columnsOf(channelMix, product.channelMix),
        demand_forecast: columnsOf(demandForecast, product.forecast),
        stock_risk: columnsOf(stockRisk, product.stockRisk),
        stockout: columnsOf(stockout, alerts),
      },
      metrics: product.metrics,
      files: [{ key: csvKey, body: stockoutCsv(alerts) }],
      summary: {
        product: product.summary,
        stockout: { alerts: alerts.length, top: alerts.slice(0, 5), csvKey },
      },
    };
  },
  describe: ({ product: p, stockout: s }) => [
    `Assortment (tables abc, bcg, channel_mix): ${p.skus} SKUs sold, A ${p.abc.A} / B ${p.abc.B} / C ${p.abc.C}; ` +
      `Boston matrix ${Object.entries(p.quadrants)
        .map(([q, n]) => `${n} ${q}`)
        .join(', ')}`,
    `Demand forecast (table demand_forecast): ${p.forecastSeries} SKU x warehouse series, rolling-origin MASE mean ${p.meanMase?.toFixed(2) ?? 'n/a'}, median ${p.medianMase?.toFixed(2) ?? 'n/a'} over ${p.forecastSeries - p.seriesTooShort} series (${p.seriesTooShort} too short to judge)`,
    `Stock risk (table stock_risk): ${p.stockItems} items, ${p.warnings} below reorder point or short within lead time` +
      (p.defaultLeadTimes ? `; ${p.defaultLeadTimes} use the default lead time` : ''),
    `Stockout warnings (table stockout): ${s.alerts}; list: ${s.csvKey}`,
    ...(s.top.length
      ? [
          {
            columns: [
              'severity',
              'sku',
              'warehouse',
              'abc_class',
              'available',
              'days_of_cover',
              'expected_stockout_date',
              'suggested_order_qty',
            ],
            rows: s.top.map((a) => ({
              ...a,
              days_of_cover: a.days_of_cover === null ? null : Math.round(a.days_of_cover * 10) / 10,
            })),
          },
        ]
      : []),
  ],
});
