/**
 * Stockout warnings: every stock item whose risk row warns, unless the same SKU and warehouse was
 * warned about within the cooldown; sorted by severity, then fewest days of cover. The CSV beside
 * the partition is for a buyer's spreadsheet (spreadsheet-safe cells).
 */
import { toCsv } from '../csv/writer.ts';
import type { StockRiskRow } from '../models/stock-risk.ts';
import type { stockout } from '../schemas/product-tables.ts';
import type { RowOf } from '../schemas/table.ts';

export type StockoutAlert = RowOf<typeof stockout>;
export type StockoutTrigger = StockoutAlert['triggered_by'];

const RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

export const itemKey = (sku: string, warehouse: string): string => `${sku}\u0000${warehouse}`;

export function stockoutAlerts(
  risk: readonly StockRiskRow[],
  recentlyWarned: ReadonlySet<string>,
  trigger: StockoutTrigger,
): StockoutAlert[] {
  return risk
    .filter((r) => r.warning && r.severity && !recentlyWarned.has(itemKey(r.sku, r.warehouse)))
    .map((r) => ({
      severity: r.severity!,
      sku: r.sku,
      warehouse: r.warehouse,
      abc_class: r.abc_class,
      available: r.available,
      inbound: r.inbound,
      reorder_point: r.reorder_point,
      days_of_cover: r.days_of_cover,
      expected_stockout_date: r.expected_stockout_date,
      suggested_order_qty: r.suggested_order_qty,
      reason: r.reason ?? '',
      triggered_by: trigger,
    }))
    .sort(
      (a, b) =>
        RANK[a.severity] - RANK[b.severity] ||
        (a.days_of_cover ?? Number.POSITIVE_INFINITY) - (b.days_of_cover ?? Number.POSITIVE_INFINITY) ||
        a.sku.localeCompare(b.sku) ||
        a.warehouse.localeCompare(b.warehouse),
    );
}

export const STOCKOUT_CSV_COLUMNS = [
  'severity',
  'sku',
  'warehouse',
  'abc_class',
  'available',
  'inbound',
  'reorder_point',
  'days_of_cover',
  'expected_stockout_date',
  'suggested_order_qty',
  'reason',
  'triggered_by',
] as const;

export function stockoutCsv(alerts: readonly StockoutAlert[]): string {
  const rounded = alerts.map((a) => ({
    ...a,
    reorder_point: Math.round(a.reorder_point * 10) / 10,
    days_of_cover: a.days_of_cover === null ? null : Math.round(a.days_of_cover * 10) / 10,
  }));
  return toCsv(STOCKOUT_CSV_COLUMNS, rounded as unknown as Record<string, unknown>[], true);
}
