/**
 * Amazon's stock and traffic reports. FBA Manage Inventory (Reports > Fulfillment > Inventory >
 * Manage FBA Inventory, tab-separated, unquoted): one row per SKU with the Amazon warehouse counts;
 * it has no time, so the snapshot is the export time. Business Report "Detail Page Sales and Traffic
 * by Child Item" (CSV, formatted numbers such as `"12,131"`, `12.02%`, `"$12,905.25"`): it covers the
 * date range chosen when it was downloaded and carries no dates, so its rows are dated the day before
 * the export (a daily download of yesterday) unless `--date` says otherwise.
 * Layouts: ../shared/marketplace-layouts.md §10.
 */
import { addDays, localDate } from '../../time.ts';
import type { TableFormat } from '../format.ts';
import { widthProblem } from '../format.ts';
import { HeaderMap } from '../header-map.ts';
import { isBad, parseCountLoose, parseMoney } from '../values.ts';

const FBA_COLUMNS = {
  sku: ['sku'],
  fulfillable: ['afn-fulfillable-quantity'],
  reserved: ['afn-reserved-quantity'],
  unsellable: ['afn-unsellable-quantity'],
  inboundWorking: ['afn-inbound-working-quantity'],
  inboundShipped: ['afn-inbound-shipped-quantity'],
  inboundReceiving: ['afn-inbound-receiving-quantity'],
} as const;

export const amazonFbaInventory: TableFormat = {
  table: 'inventory',
  name: 'amazon-fba-inventory',
  source: 'amazon',
  title: 'Amazon FBA Manage Inventory report',
  download: 'Seller Central > Reports > Fulfillment > Inventory > Manage FBA Inventory > Download (.txt)',
  delimiter: '\t',
  quoting: false,
  requiredColumns: ['sku', 'fnsku', 'asin', 'afn-fulfillable-quantity', 'afn-reserved-quantity'],
  open(header, ctx) {
    const h = new HeaderMap(header, FBA_COLUMNS);
    return {
      row(fields, line, out) {
        if (fields.length !== h.width) return out.reject(widthProblem(fields, h.width, line));
        const n: Record<string, number> = {};
        for (const k of Object.keys(FBA_COLUMNS) as (keyof typeof FBA_COLUMNS)[]) {
          if (k === 'sku') continue;
          const v = parseCountLoose(h.get(fields, k) || '0', 'whole number');
          if (isBad(v))
            return out.reject({ line, column: h.name(header, k), reason: v.reason, record: fields });
          n[k] = v;
        }
        const sku = h.get(fields, 'sku');
        if (!sku) return out.reject({ line, column: 'sku', reason: 'empty sku', record: fields });
        out.accept({
          snapshot_ts: ctx.exportedAt,
          sku,
          warehouse: 'amazon-fba',
          // Reserved units (customer orders, transfers) are still in the warehouse.
          on_hand: (n.fulfillable ?? 0) + (n.reserved ?? 0),
          inbound: (n.inboundWorking ?? 0) + (n.inboundShipped ?? 0) + (n.inboundReceiving ?? 0),
          reserved: n.reserved ?? 0,
          unsellable: n.unsellable ?? 0,
        });
      },
      finish() {},
    };
  },
};

const TRAFFIC_COLUMNS = {
  childAsin: ['(Child) ASIN'],
  sku: ['SKU'],
  sessions: ['Sessions - Total', 'Sessions'],
  pageViews: ['Page Views - Total', 'Page Views'],
  units: ['Units Ordered'],
  sales: ['Ordered Product Sales'],
  orderItems: ['Total Order Items'],
} as const;

export const amazonBusinessReport: TableFormat = {
  table: 'traffic',
  name: 'amazon-business-report',
  source: 'amazon',
  title: 'Amazon Business Report (Detail Page Sales and Traffic by Child Item)',
  download:
    'Seller Central > Reports > Business Reports > By ASIN > Detail Page Sales and Traffic By Child Item > Download (.csv)',
  delimiter: ',',
  quoting: true,
  requiredColumns: ['(Parent) ASIN', '(Child) ASIN', 'Title', 'Units Ordered', 'Ordered Product Sales'],
  open(header, ctx, sink) {
    const h = new HeaderMap(header, TRAFFIC_COLUMNS);
    const date = ctx.reportDate ?? addDays(localDate(ctx.exportedAt, ctx.timeZone), -1);
    if (!ctx.reportDate)
      sink.warn(
        `the report carries no dates; its rows are dated ${date}, the day before the export (use --date to set it)`,
      );
    return {
      row(fields, line, out) {
        if (fields.length !== h.width) return out.reject(widthProblem(fields, h.width, line));
        const count = (k: 'sessions' | 'pageViews' | 'units' | 'orderItems') => {
          const raw = h.get(fields, k);
          return raw === '' ? null : parseCountLoose(raw, 'whole number');
        };
        const values = {
          sessions: count('sessions'),
          pageViews: count('pageViews'),
          units: count('units'),
          orderItems: count('orderItems'),
        };
        for (const [k, v] of Object.entries(values)) {
          if (isBad(v))
            return out.reject({
              line,
              column: h.name(header, k as keyof typeof TRAFFIC_COLUMNS),
              reason: v.reason,
              record: fields,
            });
        }
        const salesRaw = h.get(fields, 'sales');
        const sales = salesRaw ? parseMoney(salesRaw, 'amount') : null;
        if (isBad(sales))
          return out.reject({ line, column: 'Ordered Product Sales', reason: sales.reason, record: fields });
        out.accept({
          date,
          sku: h.get(fields, 'sku') || h.get(fields, 'childAsin') || null,
          channel: 'amazon',
          impressions: null,
          visits: values.sessions as number | null,
          page_views: values.pageViews as number | null,
          add_to_cart: null,
          orders: values.orderItems as number | null,
          paid_orders: null,
          revenue: sales,
        });
      },
      finish() {},
    };
  },
};
