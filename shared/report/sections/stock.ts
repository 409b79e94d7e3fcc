/**
 * The product stage's stockout section: every item whose stock_risk row warns today as an open
 * item, new when today's run (or a snapshot today) raised its alert, still open when the cooldown
 * held it back. Resolved: warned in the previous run's stock_risk, not any more.
 */
import { stockoutListKey } from '../../lake/keys.ts';
import { latestPartitionDate } from '../../lake/parquet.ts';
import { stockWarning } from '../../models/stock-risk.ts';
import type { RowOf } from '../../schemas/table.ts';
import { stockout, stockRisk } from '../../schemas/tables.ts';
import { addDays } from '../../time.ts';
import { esc, product, table } from '../format.ts';
import { renderReason } from '../labels.ts';
import {
  type ItemStatus,
  listsByDate,
  type OpenList,
  openSplit,
  openSummary,
  statusTag,
} from '../open-items.ts';
import { partitionDates } from '../rows.ts';
import { defineSection } from '../section.ts';

/** How many open items the page shows; the rest are in the CSV lists it links. */
const SHOWN_ROWS = 20;

const EN = {
  stockout: 'Stockout warnings',
  stockOpen: 'Stockout: open',
  bySeverity: 'severity, then days of cover',
  resolvedList: 'Resolved since the previous run',
  severity: 'Severity',
  product: 'Product',
  warehouse: 'Warehouse',
  abc: 'ABC',
  available: 'Available',
  inbound: 'Inbound',
  cover: 'Days of cover',
  stockoutDate: 'Runs out',
  order: 'Order qty',
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
};
const ZH: typeof EN = {
  stockout: '缺货预警',
  stockOpen: '缺货预警：待处理',
  bySeverity: '级别和可售天数',
  resolvedList: '自上次运行以来已解决',
  severity: '级别',
  product: '商品',
  warehouse: '仓库',
  abc: 'ABC',
  available: '可用库存',
  inbound: '在途',
  cover: '可售天数',
  stockoutDate: '预计断货',
  order: '建议补货',
  critical: '紧急',
  high: '高',
  medium: '中',
  low: '低',
};

/** A warning stock_risk row as the page shows it: its severity, product name and status. */
export type StockItem = Pick<
  RowOf<typeof stockRisk>,
  | 'sku'
  | 'warehouse'
  | 'abc_class'
  | 'available'
  | 'inbound'
  | 'days_of_cover'
  | 'expected_stockout_date'
  | 'suggested_order_qty'
> & {
  severity: string;
  name: string | null;
  reason: string;
  status: ItemStatus;
  /** The run that raised the alert, when one did within the cooldown. */
  alerted: string | null;
};

export type StockItems = OpenList<StockItem> & {
  resolvedItems: { sku: string; name: string | null; warehouse: string }[];
};

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const stockKey = (r: { sku: string; warehouse: string }) => `${r.sku}\u0000${r.warehouse}`;

export const stockSection = defineSection({
  id: 'stockout',
  placement: 'alerts',
  labels: { en: EN, zh: ZH },
  title: (page) => page.labels.stockout,
  async gather({ lake, asOf, settings, partition, productName }): Promise<StockItems> {
    const riskDate = await latestPartitionDate(lake, stockRisk, asOf, true);
    const risk = riskDate ? await partition(stockRisk, riskDate) : [];
    // A stock_risk row is the stock position the warning is decided from.
    const warning = risk.filter((r) => stockWarning(r).warning);
    const todayAlerts = new Map((await partition(stockout, asOf)).map((a) => [stockKey(a), a]));
    const alertedOn = new Map<string, string>();
    for (const d of await partitionDates(lake, stockout, addDays(asOf, -settings.cooldownDays), asOf))
      for (const a of await partition(stockout, d)) alertedOn.set(stockKey(a), d);
    const items: StockItem[] = warning.map((r) => {
      const w = stockWarning(r);
      const isNew = todayAlerts.has(stockKey(r));
      return {
        severity: String(w.severity),
        sku: r.sku,
        name: productName(r.sku),
        warehouse: r.warehouse,
        abc_class: r.abc_class,
        available: r.available,
        inbound: r.inbound,
        days_of_cover: r.days_of_cover,
        expected_stockout_date: r.expected_stockout_date,
        suggested_order_qty: r.suggested_order_qty,
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
    const open = new Set(items.map(stockKey));
    const resolvedItems = (previousDate ? await partition(stockRisk, previousDate) : [])
      .filter((r) => stockWarning(r).warning && !open.has(stockKey(r)))
      .map((r) => ({ sku: r.sku, name: productName(r.sku), warehouse: r.warehouse }));
    const newToday = items.filter((i) => i.status === 'new').length;
    return {
      rows: items.slice(0, SHOWN_ROWS),
      open: items.length,
      newToday,
      stillOpen: items.length - newToday,
      resolved: resolvedItems.length,
      resolvedItems,
      lists: listsByDate(
        items.map((i) => i.alerted),
        stockoutListKey,
      ),
    };
  },
  render(stock, { labels: L, format: f, language, hrefs }) {
    if (stock.open + stock.resolved === 0) return null;
    const severities = new Map([
      ['critical', L.critical],
      ['high', L.high],
      ['medium', L.medium],
      ['low', L.low],
    ]);
    const severity = (s: string) => severities.get(s) ?? s;
    return (
      openSummary(stock, L, L.bySeverity, hrefs) +
      (stock.rows.length
        ? table(
            [
              { header: L.severity, nowrap: true },
              { header: L.product, full: true },
              { header: L.status, nowrap: true },
              { header: L.warehouse },
              { header: L.abc },
              { header: L.available, numeric: true },
              { header: L.inbound, numeric: true },
              { header: L.cover, numeric: true },
              { header: L.stockoutDate, nowrap: true },
              { header: L.order, numeric: true },
              { header: L.reason, wide: true },
            ],
            stock.rows.map((s) => [
              `<span class="sev ${esc(s.severity)}">${esc(severity(s.severity))}</span>`,
              product(s.sku, s.name),
              statusTag(s, L),
              esc(s.warehouse),
              esc(s.abc_class),
              f.count(s.available),
              f.count(s.inbound),
              s.days_of_cover === null ? '—' : s.days_of_cover.toFixed(1),
              esc(s.expected_stockout_date ?? '—'),
              f.count(s.suggested_order_qty),
              esc(renderReason(s.reason, language, f.money)),
            ]),
          )
        : `<p class="empty">${esc(L.noneOpen)}</p>`) +
      (stock.resolvedItems.length
        ? `<p class="note">${esc(L.resolvedList)}: ${stock.resolvedItems
            .map((r) => `${product(r.sku, r.name)} (${esc(r.warehouse)})`)
            .join(', ')}</p>`
        : '')
    );
  },
  cards: (stock, { labels: L, format: f }) => [
    { label: L.stockOpen, value: f.count(stock.open), sub: openSplit(stock, L) },
  ],
  links: (stock) => stock.lists.map((l) => l.key),
});
