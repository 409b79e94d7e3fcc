import { PRODUCT_TABLES } from './product-tables.ts';
import { col, defineTable, partitionKey, required, type TableSpec } from './table.ts';

export * from './product-tables.ts';

export const ORDER_STATUSES = [
  'pending',
  'paid',
  'shipped',
  'completed',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses that count as a purchase for customer models (a fully refunded order does not). */
export const PURCHASE_STATUSES: readonly OrderStatus[] = [
  'paid',
  'shipped',
  'completed',
  'partially_refunded',
];

/**
 * Set on rows a compaction rewrote (lake/compaction.ts): they are read from its file while its record
 * in `compactions` says so, in place of the batch files it absorbed; null on rows as ingest wrote them.
 */
const compactionId = col(
  'compaction_id',
  'string',
  'The compaction that rewrote the row into its partition file; null as ingest wrote it.',
);

const source = partitionKey('source', 'Marketplace or format the row came from (shopify, generic, ...).');
const dt = (doc: string) => partitionKey('dt', doc);

export const orderLines = defineTable({
  name: 'order_lines',
  zone: 'curated',
  doc: 'One row per order line per export (a compaction moves the versions a later export superseded to the archive); the order_lines view shows the latest export of each line.',
  columns: [
    required('order_id', 'string', 'Order number as the platform shows it.'),
    required(
      'line_id',
      'string',
      "Line id from the export, else the line's position within its order (1, 2, ...).",
    ),
    col(
      'customer_id',
      'string',
      'Pseudonymous customer id (keyed hash, namespaced by source); null when the platform exports no buyer.',
    ),
    required('order_ts', 'timestamp', 'When the order was placed (UTC).'),
    col('paid_ts', 'timestamp', 'When the order was paid (UTC), when the export says.'),
    required('status', 'string', 'Canonical order status.', ORDER_STATUSES),
    col('sku', 'string', 'Stock keeping unit.'),
    col('product_name', 'string', 'Product name as exported.'),
    col('category', 'string', 'Product category, when the export carries one.'),
    required('quantity', 'int32', 'Units ordered.'),
    required('unit_price', 'double', 'Price per unit, in the order currency.'),
    required(
      'discount',
      'double',
      'Discount on the line, order currency (order-level discounts allocated by line value).',
    ),
    required(
      'refund_amount',
      'double',
      'Refunded on the line, order currency (order-level refunds allocated by line value).',
    ),
    required('currency', 'string', 'ISO 4217 code of the order currency.'),
    required('net_amount', 'double', 'quantity x unit_price - discount - refund_amount, order currency.'),
    col(
      'net_amount_rc',
      'double',
      'net_amount in the reporting currency; null when no exchange rate is known.',
    ),
    col('channel', 'string', 'Sales channel (web, pos, app, ...).'),
    col('country', 'string', 'Ship-to country.'),
    col('warehouse', 'string', 'Fulfilment location.'),
    col('referral_id', 'string', 'Referral or group-buy id, where the platform gives one.'),
    required('exported_at', 'timestamp', 'When the export file was made (file time unless given).'),
    required('ingested_at', 'timestamp', 'When storepulse ingested the file.'),
    required('batch_id', 'string', 'Content hash of the export file: re-ingesting it changes nothing.'),
    compactionId,
  ],
  partitionKeys: [source, dt('Order date in the shop time zone (YYYY-MM-DD).')],
});

/** Restricted: contact details never enter curated tables; only the churn-recall sink reads these. */
export const contacts = defineTable({
  name: 'contacts',
  zone: 'restricted',
  doc: 'Contact details keyed by pseudonymous customer_id. Restricted: read only by the recall sink.',
  columns: [
    col('customer_id', 'string', 'Pseudonymous customer id.', { nullable: false, unique: true }),
    col('source_customer_ref', 'string', "The platform's own customer reference (id or email).", {
      unique: true,
    }),
    col('email', 'string', 'E-mail address.', { unique: true }),
    col('phone', 'string', 'Phone number.', { unique: true }),
    required('exported_at', 'timestamp', 'Export time of the file the contact came from.'),
    required('batch_id', 'string', 'Content hash of the export file.'),
    compactionId,
    col(
      'source_line',
      'int32',
      'Line of the export these details were last read on: within one batch the highest wins (a large file writes its contacts in several files).',
    ),
    col('name', 'string', "The buyer's name where the export gives one (Shopify, WooCommerce)."),
  ],
  partitionKeys: [source],
});

/**
 * One row per committed batch, written last by ingest (before its manifest): a curated or contacts
 * row is visible to readers only once its batch has a row here. One tiny file per batch,
 * `curated/batch_commits/<batch>.parquet` (key built in lake/keys.ts, batchCommitKey).
 */
export const batchCommits = defineTable({
  name: 'batch_commits',
  zone: 'curated',
  doc: 'Committed batches: the rows of a batch are visible once its row is here, all at once.',
  columns: [
    required('batch_id', 'string', 'Content hash of the export file.'),
    required('source', 'string', 'Marketplace or format of the file.'),
    required('table_name', 'string', 'The table the rows of the file land in.'),
    required('file', 'string', 'Name of the export file.'),
    required('rows_landed', 'int32', 'Rows written to the table.'),
    required('rows_quarantined', 'int32', 'Rows rejected to quarantine/.'),
    required('committed_at', 'timestamp', 'When the batch was committed.'),
    col(
      'first_dt',
      'string',
      'Earliest dt partition the batch wrote (YYYY-MM-DD); null for a table without dates, and in records written before this column.',
    ),
    col('last_dt', 'string', 'Latest dt partition the batch wrote (YYYY-MM-DD); null as first_dt.'),
    col(
      'rows_without_rate',
      'int32',
      'Order lines landed without a reporting-currency amount (no exchange rate then); null in records written before this column.',
    ),
  ],
  partitionKeys: [],
});

/** What a compaction record's `member` names (lake/compaction.ts). */
export const COMPACTION_MEMBER_KINDS = ['live', 'absorbed'] as const;

/**
 * The compaction records: which compacted files count (`live`) and which files they replaced
 * (`absorbed`). One object, `curated/compactions/<compaction>.parquet`, written whole by each
 * compaction (it carries the earlier record's rows forward), so swapping a partition's batch files
 * for their compacted file is one put: a reader sees the old files or the new one, never both.
 */
export const compactions = defineTable({
  name: 'compactions',
  zone: 'curated',
  doc: 'Compaction records: the compacted files that count (live) and the files they replaced (absorbed).',
  columns: [
    required('compaction_id', 'string', 'The compaction that wrote this record.'),
    required('table_name', 'string', 'The table the member belongs to.'),
    required(
      'kind',
      'string',
      'live: a compaction whose files count; absorbed: files no reader counts.',
      COMPACTION_MEMBER_KINDS,
    ),
    required(
      'member',
      'string',
      "live: a compaction id. absorbed: '<partition values>/<batch or compaction id>', separated by '/', as the views compute it.",
    ),
    required('committed_at', 'timestamp', 'When the record was written.'),
  ],
  partitionKeys: [],
});

export const products = defineTable({
  name: 'products',
  zone: 'curated',
  doc: 'Product master data.',
  columns: [
    required('sku', 'string', 'Stock keeping unit.'),
    col('name', 'string', 'Product name.'),
    col('category', 'string', 'Category.'),
    col('brand', 'string', 'Brand or vendor.'),
    col('price', 'double', 'List price per unit, shop currency.'),
    col('unit_cost', 'double', 'Cost per unit, shop currency.'),
    col('lead_time_days', 'int32', 'Replenishment lead time in days.'),
    col('shelf_life_days', 'int32', 'Shelf life in days, for perishables.'),
    required('exported_at', 'timestamp', 'Export time.'),
    required('batch_id', 'string', 'Content hash of the export file.'),
    compactionId,
  ],
  partitionKeys: [source],
});

export const inventory = defineTable({
  name: 'inventory',
  zone: 'curated',
  doc: 'Inventory snapshots per SKU and warehouse.',
  columns: [
    required('snapshot_ts', 'timestamp', 'When the stock was counted (UTC).'),
    required('sku', 'string', 'Stock keeping unit.'),
    col('warehouse', 'string', 'Warehouse or location.'),
    required('on_hand', 'int32', 'Units on hand.'),
    col('inbound', 'int32', 'Units inbound (ordered, not received).'),
    col('reserved', 'int32', 'Units reserved for open orders.'),
    col('unsellable', 'int32', 'Units damaged or otherwise not sellable.'),
    required('batch_id', 'string', 'Content hash of the export file.'),
    compactionId,
  ],
  partitionKeys: [source, dt('Snapshot date in the shop time zone.')],
});

export const traffic = defineTable({
  name: 'traffic',
  zone: 'curated',
  doc: 'Daily traffic and conversion counts per SKU and channel.',
  columns: [
    required('date', 'date', 'Day (shop time zone).'),
    col('sku', 'string', 'SKU; null for shop-level rows.'),
    col('channel', 'string', 'Traffic channel.'),
    col('impressions', 'int32', 'Impressions.'),
    col('visits', 'int32', 'Visits / sessions.'),
    col('page_views', 'int32', 'Page views.'),
    col('add_to_cart', 'int32', 'Add-to-cart events.'),
    col('orders', 'int32', 'Orders placed.'),
    col('paid_orders', 'int32', 'Orders paid.'),
    col('revenue', 'double', 'Revenue, shop currency.'),
    required('exported_at', 'timestamp', 'Export time: the latest export of a day wins.'),
    required('batch_id', 'string', 'Content hash of the export file.'),
    compactionId,
  ],
  partitionKeys: [source, dt('Day (shop time zone).')],
});

export const fxRates = defineTable({
  name: 'fx_rates',
  zone: 'curated',
  doc: 'Exchange rates into the reporting currency: 1 unit of `currency` = `rate` reporting-currency units on `date`.',
  columns: [
    required('date', 'date', 'Day the rate applies to.'),
    required('currency', 'string', 'ISO 4217 code converted from.'),
    required('rate', 'double', 'Reporting-currency units per unit of `currency`.'),
    required('reporting_currency', 'string', 'ISO 4217 code converted into.'),
    required('exported_at', 'timestamp', 'Export time: the latest file wins for a day.'),
    required('batch_id', 'string', 'Content hash of the rates file.'),
    compactionId,
  ],
  partitionKeys: [source],
});

export const SEGMENTS = [
  'important_value',
  'important_development',
  'important_retention',
  'important_winback',
  'general_value',
  'general_development',
  'general_retention',
  'general_winback',
] as const;
export type Segment = (typeof SEGMENTS)[number];

export const rfm = defineTable({
  name: 'rfm',
  zone: 'models',
  doc: 'RFM scores and the 8 value segments per customer, as of dt.',
  columns: [
    required('customer_id', 'string', 'Pseudonymous customer id.'),
    required('last_order_date', 'date', 'Date of the last purchase on or before the as-of date.'),
    required('recency_days', 'int32', 'Days from the last purchase to the as-of date.'),
    required('frequency', 'int32', 'Distinct purchases (paid, not cancelled or fully refunded).'),
    required('monetary', 'double', 'Net spend, reporting currency, net of refunds.'),
    required('r_score', 'int32', 'Recency quintile score, 5 = most recent.'),
    required('f_score', 'int32', 'Frequency quintile score, 5 = most frequent.'),
    required('m_score', 'int32', 'Monetary quintile score, 5 = highest spend.'),
    required('r_high', 'boolean', 'Recency better (fewer days) than the population mean.'),
    required('f_high', 'boolean', 'Frequency above the population mean.'),
    required('m_high', 'boolean', 'Monetary above the population mean.'),
    required('segment', 'string', 'Value segment (English).', SEGMENTS),
    required('segment_zh', 'string', 'Value segment (Chinese, as in the source article).'),
    required('action', 'string', 'What the source article suggests doing for the segment.'),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const churnRecall = defineTable({
  name: 'churn_recall',
  zone: 'alerts',
  doc: 'Valuable customers going to sleep: the recall list a CRM imports.',
  columns: [
    required('customer_id', 'string', 'Pseudonymous customer id.'),
    required('segment', 'string', 'RFM segment that triggered the alert.', SEGMENTS),
    required('segment_zh', 'string', 'Segment (Chinese).'),
    required('reason', 'string', 'Why the customer is recalled.'),
    required('last_order_date', 'date', 'Date of the last purchase.'),
    required('recency_days', 'int32', 'Days since the last purchase.'),
    required('frequency', 'int32', 'Purchases so far.'),
    required('monetary', 'double', 'Net spend so far, reporting currency.'),
    col('p_alive', 'double', 'BG/NBD probability that the customer is still active.'),
    col('clv_12m', 'double', 'Expected value of the next 12 months.'),
    col(
      'value_at_risk',
      'double',
      'Spend a year at their own purchase rate, times the probability they are gone.',
    ),
    required('offer', 'string', 'Suggested recall offer.'),
  ],
  partitionKeys: [dt('As-of date of the run that raised the alert.')],
});

export const clv = defineTable({
  name: 'clv',
  zone: 'models',
  doc: 'Churn probability and customer value per customer (BG/NBD and Gamma-Gamma), as of dt.',
  columns: [
    required('customer_id', 'string', 'Pseudonymous customer id.'),
    required('first_order_date', 'date', 'Date of the first purchase.'),
    required('last_order_date', 'date', 'Date of the last purchase on or before the as-of date.'),
    required('x', 'int32', 'Repeat transactions (purchase days after the first).'),
    required('t_x_days', 'int32', 'Days from the first to the last purchase.'),
    required('t_days', 'int32', 'Days from the first purchase to the as-of date.'),
    required('p_alive', 'double', 'BG/NBD probability that the customer is still active.'),
    required('expected_purchases_30d', 'double', 'BG/NBD expected purchases in the next 30 days.'),
    required('expected_purchases_90d', 'double', 'BG/NBD expected purchases in the next 90 days.'),
    required(
      'expected_avg_order_value',
      'double',
      'Gamma-Gamma expected value of a purchase, reporting currency.',
    ),
    required(
      'clv_12m',
      'double',
      'Expected value of the next 12 months, discounted monthly, reporting currency.',
    ),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const diagnostics = defineTable({
  name: 'diagnostics',
  zone: 'models',
  doc: 'Fitted parameters and quality figures of the models, one row per metric.',
  columns: [
    required('model', 'string', 'Model name (bgnbd, gamma_gamma, ...).'),
    required('metric', 'string', 'Metric name (bgnbd_r, bgnbd_alpha, bgnbd_ll, gg_p, ...).'),
    required('value', 'double', 'Value.'),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const aarrrCohorts = defineTable({
  name: 'aarrr_cohorts',
  zone: 'models',
  doc: 'Retention and revenue by first-purchase month (cohort) and months since the first purchase.',
  columns: [
    required('cohort_month', 'string', 'Month of the first purchase, YYYY-MM.'),
    required('month_index', 'int32', 'Months since the first purchase (0 = the first month).'),
    required('cohort_customers', 'int32', 'Customers in the cohort.'),
    required('active_customers', 'int32', 'Cohort customers who purchased in that month.'),
    required('retention_pct', 'double', 'active_customers / cohort_customers, in percent.'),
    required('revenue', 'double', "Cohort's revenue in that month, reporting currency."),
    required('cumulative_revenue_per_customer', 'double', 'Revenue up to that month per cohort customer.'),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const aarrrDaily = defineTable({
  name: 'aarrr_daily',
  zone: 'models',
  doc: 'Acquisition, activation, revenue, retention and referral per day, source and channel.',
  columns: [
    required('date', 'date', 'Day (shop time zone).'),
    required('source', 'string', 'Marketplace of the orders.'),
    required('channel', 'string', 'Sales channel; "(none)" when the export gives none.'),
    required('new_customers', 'int32', 'Customers whose first order is this day (acquisition).'),
    required('activated_customers', 'int32', 'Customers whose first paid order is this day (activation).'),
    required('buyers', 'int32', 'Customers with a paid order this day.'),
    required('repeat_buyers', 'int32', 'Buyers who had paid before (retention).'),
    required('paid_orders', 'int32', 'Paid orders.'),
    required('revenue', 'double', 'Net revenue, reporting currency.'),
    required('arpu', 'double', 'Revenue per buyer.'),
    col(
      'referral_customers',
      'int32',
      'New customers whose first order has a referral / group-buy id; null when the source has none.',
    ),
    col(
      'k_factor',
      'double',
      'Referred new customers per buyer this day; null when the source has no referral ids.',
    ),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const AIPL_STAGES = ['aware', 'interested', 'purchased', 'loyal'] as const;

export const aipl = defineTable({
  name: 'aipl',
  zone: 'models',
  doc: "Each customer's AIPL stage as of dt (orders only: see the README for the rules).",
  columns: [
    required('customer_id', 'string', 'Pseudonymous customer id.'),
    required('stage', 'string', 'AIPL stage.', AIPL_STAGES),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const fast = defineTable({
  name: 'fast',
  zone: 'models',
  doc: 'Alibaba FAST indicators, one row per as-of date.',
  columns: [
    required('population', 'int32', 'F: customers in any AIPL stage.'),
    required('aware', 'int32', 'Customers in stage aware.'),
    required('interested', 'int32', 'Customers in stage interested.'),
    required('purchased', 'int32', 'Customers in stage purchased.'),
    required('loyal', 'int32', 'Customers in stage loyal.'),
    col(
      'advance_rate',
      'double',
      "A: share of the previous run's interested and purchased customers who moved up.",
    ),
    required('super_users', 'int32', 'S: loyal customers with high spend (RFM m_high).'),
    required(
      'active_member_rate',
      'double',
      'T: share of purchasing customers who bought in the last 30 days.',
    ),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const grow = defineTable({
  name: 'grow',
  zone: 'models',
  doc: 'Alibaba GROW indicators over the last 30 days, one row per as-of date.',
  columns: [
    required('gain', 'double', 'G: new buyers in the last 30 days per purchasing customer (penetration).'),
    required('retain', 'double', "R: share of the previous 30 days' buyers who bought again."),
    col('boost', 'double', 'O: spend per buyer, last 30 days over the previous 30.'),
    required('widen', 'double', "W: share of the last 30 days' buyers who bought a category new to them."),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const basketRules = defineTable({
  name: 'basket_rules',
  zone: 'models',
  doc: 'Association rules over order baskets (arules apriori semantics: one item on the right), by SKU and by category.',
  columns: [
    required('level', 'string', 'What the items are: sku or category.', ['sku', 'category']),
    required(
      'antecedent',
      'string',
      'Left-hand side items, as a JSON array (empty: the rule holds for any basket).',
    ),
    required('antecedent_size', 'int32', 'Number of items on the left-hand side.'),
    required('consequent', 'string', 'The right-hand side item.'),
    required('support', 'double', 'Share of baskets holding every item of the rule.'),
    required('confidence', 'double', 'Share of baskets with the antecedent that also hold the consequent.'),
    required('lift', 'double', "Confidence over the consequent's own support."),
    required('leverage', 'double', 'support − supp(antecedent) × supp(consequent).'),
    required('conviction', 'double', '(1 − supp(consequent)) / (1 − confidence); Infinity at confidence 1.'),
    required('count', 'int32', 'Baskets holding every item of the rule.'),
    required('baskets', 'int32', 'Baskets mined (orders in the window).'),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const bundles = defineTable({
  name: 'bundles',
  zone: 'models',
  doc: '"Frequently bought together": the best one-to-one SKU rules for each SKU, ranked by lift.',
  columns: [
    required('sku', 'string', 'The SKU in the basket.'),
    required('rank', 'int32', '1 = best companion.'),
    required('bundle_sku', 'string', 'The SKU to offer with it.'),
    required('confidence', 'double', 'Share of baskets with `sku` that also hold `bundle_sku`.'),
    required('lift', 'double', 'Confidence over the support of `bundle_sku`.'),
    required('support', 'double', 'Share of baskets holding both.'),
    required('count', 'int32', 'Baskets holding both.'),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

export const FUNNEL_KINDS = ['traffic', 'orders'] as const;

export const funnel = defineTable({
  name: 'funnel',
  zone: 'models',
  doc: 'Conversion funnels per day: traffic (impressions -> visits -> add-to-cart -> orders -> paid) per SKU and channel, and orders (created -> paid -> shipped -> completed, with cancel and refund leakage) per channel; each step against its trailing 28-day baseline.',
  columns: [
    required('kind', 'string', 'traffic or orders.', FUNNEL_KINDS),
    required('date', 'date', 'Day (shop time zone).'),
    required('channel', 'string', 'Channel ("(none)" when the data has none).'),
    col('sku', 'string', 'SKU (traffic funnel); null: shop level.'),
    required('step', 'string', 'Step name.'),
    col(
      'step_index',
      'int32',
      'Position in the funnel (0 = top); null for the leakage rows (cancelled, refunded).',
    ),
    required('count', 'double', 'Count at this step.'),
    col('step_conversion', 'double', 'count / previous step count; for leakage rows, count / created.'),
    col('overall_conversion', 'double', 'count / top-of-funnel count.'),
    col(
      'baseline_conversion',
      'double',
      'The step conversion over the trailing 28 days (pooled), when there is one.',
    ),
    col('z', 'double', 'Two-proportion z statistic of the day against its baseline.'),
    col('p_value', 'double', 'One-sided p-value of a drop (normal approximation).'),
    required(
      'is_breakpoint',
      'boolean',
      'The step of this day whose conversion fell furthest below its baseline.',
    ),
    required('significant', 'boolean', 'Breakpoint whose drop is significant (p < 0.01, enough volume).'),
  ],
  partitionKeys: [dt('As-of date of the run.')],
});

/** Every table the SQL tier exposes as a view, by name. Restricted tables are left out on purpose. */
export const QUERYABLE_TABLES: readonly TableSpec[] = [
  batchCommits,
  compactions,
  orderLines,
  products,
  inventory,
  traffic,
  fxRates,
  rfm,
  clv,
  diagnostics,
  aarrrCohorts,
  aarrrDaily,
  aipl,
  fast,
  grow,
  churnRecall,
  basketRules,
  bundles,
  funnel,
  ...PRODUCT_TABLES,
];
export const ALL_TABLES: readonly TableSpec[] = [...QUERYABLE_TABLES, contacts];

/**
 * The name a table's files are registered under in the SQL tier. Order lines keep every exported
 * version; the `order_lines` the queries read is the latest-version view over `order_lines_versions`.
 */
export const storedTableName = (spec: TableSpec): string =>
  spec === orderLines ? 'order_lines_versions' : spec.name;

/**
 * Tables whose rows belong to an ingest batch (a `batch_id` column): readers see a row only when its
 * batch has a commit row in `batch_commits`. Every curated table but the commit table, and contacts.
 */
export const COMMITTED_TABLES: readonly TableSpec[] = ALL_TABLES.filter(
  (t) => (t.zone === 'curated' || t === contacts) && t !== batchCommits && t !== compactions,
);
