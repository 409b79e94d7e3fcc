/** Tables of the product and inventory models (ABC-XYZ, Boston matrix, channel mix, forecast, stock risk, stockout). */
import { col, defineTable, partitionKey, required, type TableSpec } from './table.ts';

const dt = partitionKey('dt', 'As-of date of the run.');

export const abc = defineTable({
  name: 'abc',
  zone: 'models',
  doc: 'ABC-XYZ classes per SKU over the window: revenue Pareto class and weekly-demand variability class.',
  columns: [
    required('sku', 'string', 'Stock keeping unit.'),
    col('category', 'string', 'Category.'),
    required('revenue', 'double', 'Net revenue in the window, reporting currency.'),
    required('share', 'double', 'Share of the window revenue.'),
    required('cumulative_share', 'double', 'Running share, largest SKU first.'),
    required('abc_class', 'string', 'A (to 80 %), B (to 95 %), C.', ['A', 'B', 'C']),
    required('units', 'double', 'Units sold in the window.'),
    col('weekly_cv', 'double', 'Coefficient of variation of weekly units.'),
    required('xyz_class', 'string', 'X (cv <= 0.5), Y (<= 1.0), Z.', ['X', 'Y', 'Z']),
    required('abc_xyz', 'string', 'The ABC-XYZ cell, e.g. A-X.'),
    required('window_days', 'int32', 'Days in the window.'),
  ],
  partitionKeys: [dt],
});

export const bcg = defineTable({
  name: 'bcg',
  zone: 'models',
  doc: 'Boston matrix per SKU (share within its category) and per category (share among categories).',
  columns: [
    required('level', 'string', 'sku or category.', ['sku', 'category']),
    required('item', 'string', 'The SKU or the category.'),
    required('peer_group', 'string', 'What the share is relative within: the category, or "(all)".'),
    required('revenue', 'double', 'Revenue this window.'),
    required('previous_revenue', 'double', 'Revenue the window before.'),
    col('growth', 'double', 'revenue / previous_revenue - 1; null when new.'),
    col('yoy_growth', 'double', 'Against the same window a year earlier, when the history reaches back.'),
    col('relative_share', 'double', "Revenue over the group leader's (the leader's over the runner-up's)."),
    required('quadrant', 'string', 'star, cash_cow, question_mark, dog.', [
      'star',
      'cash_cow',
      'question_mark',
      'dog',
    ]),
    required('action', 'string', 'invest / harvest / test / phase out, with what it means.'),
  ],
  partitionKeys: [dt],
});

export const channelMix = defineTable({
  name: 'channel_mix',
  zone: 'models',
  doc: 'Revenue mix per platform, channel and country, with order economics, growth and category concentration.',
  columns: [
    required('source', 'string', 'Platform ("(all)" for the shop total).'),
    required('channel', 'string', 'Channel.'),
    required('country', 'string', 'Ship-to country.'),
    required('revenue', 'double', 'Net revenue in the window, reporting currency.'),
    required('orders', 'int32', 'Purchased orders.'),
    col('aov', 'double', 'Average order value.'),
    col('refund_rate', 'double', 'Share of orders refunded (fully or partly).'),
    col('cancel_rate', 'double', 'Share of orders cancelled.'),
    col('gross_margin', 'double', 'Margin share where unit costs are known (lines with a cost only).'),
    col('growth', 'double', 'Revenue over the previous window - 1.'),
    required('share', 'double', 'Share of the shop revenue.'),
    col('top_category', 'string', 'The largest category.'),
    col('top_category_share', 'double', 'Its share of the revenue.'),
    col('category_hhi', 'double', 'Herfindahl index of category shares (1 = one category).'),
  ],
  partitionKeys: [dt],
});

export const demandForecast = defineTable({
  name: 'demand_forecast',
  zone: 'models',
  doc: 'Daily unit forecasts per SKU and warehouse for the next days, with a 95 % interval.',
  columns: [
    required('sku', 'string', 'Stock keeping unit.'),
    required('warehouse', 'string', 'Warehouse ("(none)" when orders name none).'),
    required('date', 'date', 'Forecast day.'),
    required('units', 'double', 'Forecast units.'),
    required('lower', 'double', 'Lower end of the 95 % interval.'),
    required('upper', 'double', 'Upper end of the 95 % interval.'),
    required(
      'method',
      'string',
      'ets: ETS models fitted by maximum likelihood, weighted by AICc; ets+tsb: with TSB for intermittent demand, weighted by rolling-origin error; mean: the first one or two days of sales; none: no sales.',
      ['ets', 'ets+tsb', 'mean', 'none'],
    ),
    required('params', 'string', 'The models, their weights and fitted parameters.'),
    col(
      'mase',
      'double',
      'Rolling-origin MASE (weekly origins over the last 12 weeks, scaled by the in-sample weekly-naive error since the first sale); null under 8 weeks of sales history.',
    ),
  ],
  partitionKeys: [dt],
});

const stockColumns = [
  required('sku', 'string', 'Stock keeping unit.'),
  required('warehouse', 'string', 'Warehouse.'),
  required('abc_class', 'string', 'ABC class (sets the service level).', ['A', 'B', 'C']),
  required('available', 'double', 'On hand minus reserved.'),
  required('inbound', 'double', 'Units on the way.'),
  required('reorder_point', 'double', 'Lead-time demand plus safety stock.'),
  col('days_of_cover', 'double', 'Available over daily demand; null without demand.'),
  col('expected_stockout_date', 'date', 'First day the forecast demand exceeds the stock.'),
  required('suggested_order_qty', 'double', 'Order up to reorder point + a lead time of demand.'),
] as const;

export const stockRisk = defineTable({
  name: 'stock_risk',
  zone: 'models',
  doc: 'Stock risk per SKU and warehouse from the latest inventory snapshot and the demand forecast.',
  columns: [
    required('snapshot_date', 'date', 'Date of the inventory snapshot.'),
    ...stockColumns,
    required('on_hand', 'double', 'Units on hand.'),
    required('reserved', 'double', 'Units reserved.'),
    required('daily_demand', 'double', 'Mean forecast units per day.'),
    required('demand_sd', 'double', 'Daily forecast error sd implied by the 95 % forecast interval.'),
    required('lead_time_days', 'int32', 'Replenishment lead time.'),
    required('lead_time_source', 'string', 'product (from the products table) or default (config).', [
      'product',
      'default',
    ]),
    required('service_level', 'double', 'Service level of the ABC class.'),
    required('safety_stock', 'double', 'z x demand sd x sqrt(lead time).'),
    col('expected_waste', 'double', 'Perishables: stock expected to expire unsold.'),
    col('promotion', 'string', 'C-class overstock: a promotion suggestion.'),
    required('warning', 'boolean', 'Below the reorder point or out of stock within the lead time.'),
  ],
  partitionKeys: [dt],
});

export const stockout = defineTable({
  name: 'stockout',
  zone: 'alerts',
  doc: 'Stockout warnings: one per SKU and warehouse per cooldown, by severity.',
  columns: [
    required('severity', 'string', 'critical, high, medium or low (by class and days left).', [
      'critical',
      'high',
      'medium',
      'low',
    ]),
    ...stockColumns,
    required('reason', 'string', 'Why it fired.'),
    required('triggered_by', 'string', 'daily_run, or inventory_drop when a snapshot arrived.', [
      'daily_run',
      'inventory_drop',
    ]),
  ],
  partitionKeys: [dt],
});

export const PRODUCT_TABLES: readonly TableSpec[] = [
  abc,
  bcg,
  channelMix,
  demandForecast,
  stockRisk,
  stockout,
];
