/**
 * Stock risk per SKU x warehouse and the stockout warning (source article: 库存预警). With daily
 * demand d (the forecast's mean over the horizon) and its daily error sd σ (implied by the
 * forecast's 95 % interval, see intervalSd in forecast.ts), lead time
 * L days and the service level of the SKU's ABC class (z its normal quantile):
 *   safety stock SS = z·σ·√L;  reorder point ROP = lead-time demand (forecast summed over L days) + SS;
 *   days of cover = available / d;  expected stockout = first day the cumulative forecast exceeds
 *   what is available;  suggested order = ROP + d·L − (available + inbound), when positive.
 * Perishables: expected waste = available − d × shelf life, when positive. C-class stock that covers
 * more than 90 days gets a promotion suggestion. A warning fires when the stock position (available
 * + inbound) is at or below the reorder point, or the expected stockout falls inside the lead time;
 * but not for a slow mover whose stock covers more than `slowMoverLeadTimes` lead times (its
 * reorder point is nearly all safety stock of a noisy, near-zero demand: no one needs to act).
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { stockout, stockRisk as stockRiskTable } from '../schemas/product-tables.ts';
import type { RowOf } from '../schemas/table.ts';
import { addDays, daysBetween } from '../time.ts';

export type AbcClass = RowOf<typeof stockRiskTable>['abc_class'];

export interface StockInput {
  sku: string;
  warehouse: string;
  snapshotDate: string;
  onHand: number;
  inbound: number;
  reserved: number;
  abcClass: AbcClass;
  /** Daily forecast means from the day after the snapshot. */
  forecast: readonly number[];
  demandSd: number;
  leadTimeDays: number;
  leadTimeSource: 'product' | 'default';
  shelfLifeDays: number | null;
}

export interface StockPolicy {
  serviceLevel: Record<AbcClass, number>;
  /** C-class stock covering more days than this is overstock. */
  overstockDays: number;
  /** No below-reorder-point warning when the stock covers more than this many lead times. */
  slowMoverLeadTimes: number;
}

export const DEFAULT_POLICY: StockPolicy = {
  serviceLevel: { A: 0.98, B: 0.95, C: 0.9 },
  overstockDays: 90,
  slowMoverLeadTimes: 3,
};

/** What a stock risk row says about acting: the fields its warning is decided from. */
export interface StockPosition {
  abc_class: AbcClass;
  snapshot_date: string;
  available: number;
  inbound: number;
  daily_demand: number;
  reorder_point: number;
  days_of_cover: number | null;
  expected_stockout_date: string | null;
  lead_time_days: number;
}

/**
 * Whether a stock position warns, how severe and why. Decided from stored fields only, so a reader
 * of the stock_risk table (the report, for items still open after their alert) gets the same answer.
 */
export function stockWarning(
  s: StockPosition,
  policy: Pick<StockPolicy, 'slowMoverLeadTimes'> = DEFAULT_POLICY,
): { warning: boolean; severity: StockRiskRow['severity']; reason: string | null } {
  const L = s.lead_time_days;
  const position = s.available + s.inbound;
  const stockoutIn =
    s.expected_stockout_date === null ? null : daysBetween(s.snapshot_date, s.expected_stockout_date);
  const slowMover = s.days_of_cover !== null && s.days_of_cover > policy.slowMoverLeadTimes * L;
  const belowRop = position <= s.reorder_point && s.daily_demand > 0 && !slowMover;
  const soon = stockoutIn !== null && stockoutIn <= L;
  const warning = belowRop || soon;
  const reasons: string[] = [];
  if (belowRop)
    reasons.push(`stock position ${round(position)} at or below reorder point ${round(s.reorder_point)}`);
  if (soon) reasons.push(`expected to run out in ${stockoutIn} day(s), inside the ${L}-day lead time`);
  return {
    warning,
    severity: warning ? SEVERITY[s.abc_class][soon ? 0 : 1] : null,
    reason: warning ? reasons.join('; ') : null,
  };
}

/**
 * A stock_risk row and, when it warns, the warning's severity and reason: not stored with the risk
 * (a reader decides them again from the stored fields, stockWarning), they become the stockout alert.
 */
export type StockRiskRow = RowOf<typeof stockRiskTable> & {
  severity: RowOf<typeof stockout>['severity'] | null;
  reason: string | null;
};

/** The closed form: z(service level) × σ × √L. */
export const safetyStock = (serviceLevel: number, sd: number, leadTimeDays: number): number =>
  normalQuantile(serviceLevel, 0, 1) * sd * Math.sqrt(leadTimeDays);

const SEVERITY: Record<AbcClass, ['critical' | 'high' | 'medium', 'high' | 'medium' | 'low']> = {
  A: ['critical', 'high'],
  B: ['high', 'medium'],
  C: ['medium', 'low'],
};

export function stockRisk(s: StockInput, policy: StockPolicy = DEFAULT_POLICY): StockRiskRow {
  const d = s.forecast.length ? s.forecast.reduce((a, b) => a + b, 0) / s.forecast.length : 0;
  const L = s.leadTimeDays;
  const level = policy.serviceLevel[s.abcClass];
  const ss = safetyStock(level, s.demandSd, L);
  let leadDemand = 0;
  for (let k = 0; k < L; k++) leadDemand += s.forecast[k] ?? d;
  const rop = leadDemand + ss;
  const available = Math.max(0, s.onHand - s.reserved);
  const cover = d > 0 ? available / d : null;
  // The day cumulative demand first exceeds the stock (beyond the forecast: at the mean rate).
  let stockoutIn: number | null = null;
  if (d > 0) {
    let cumulative = 0;
    for (let k = 0; k < s.forecast.length; k++) {
      cumulative += s.forecast[k]!;
      if (cumulative > available) {
        stockoutIn = k + 1;
        break;
      }
    }
    if (stockoutIn === null) stockoutIn = Math.ceil((available - cumulative) / d) + s.forecast.length;
    // Beyond ten years there is no stockout date worth naming.
    if (stockoutIn > 3650) stockoutIn = null;
  }
  const position = available + s.inbound;
  const order = Math.max(0, Math.ceil(rop + d * L - position));
  const waste = s.shelfLifeDays !== null && d >= 0 ? Math.max(0, available - d * s.shelfLifeDays) : null;
  const overstock = s.abcClass === 'C' && (cover === null ? available > 0 : cover > policy.overstockDays);
  const expectedStockout = stockoutIn === null ? null : addDays(s.snapshotDate, stockoutIn);
  const { warning, severity, reason } = stockWarning(
    {
      abc_class: s.abcClass,
      snapshot_date: s.snapshotDate,
      available,
      inbound: s.inbound,
      daily_demand: d,
      reorder_point: rop,
      days_of_cover: cover,
      expected_stockout_date: expectedStockout,
      lead_time_days: L,
    },
    policy,
  );
  return {
    snapshot_date: s.snapshotDate,
    sku: s.sku,
    warehouse: s.warehouse,
    abc_class: s.abcClass,
    on_hand: s.onHand,
    inbound: s.inbound,
    reserved: s.reserved,
    available,
    daily_demand: d,
    demand_sd: s.demandSd,
    lead_time_days: L,
    lead_time_source: s.leadTimeSource,
    service_level: level,
    safety_stock: ss,
    reorder_point: rop,
    days_of_cover: cover,
    expected_stockout_date: expectedStockout,
    suggested_order_qty: order,
    expected_waste: waste,
    promotion: overstock
      ? `C-class overstock (${cover === null ? 'no demand' : `${Math.round(cover)} days of cover`}): promote or bundle to clear`
      : null,
    warning,
    severity,
    reason,
  };
}

const round = (v: number) => Math.round(v * 10) / 10;
