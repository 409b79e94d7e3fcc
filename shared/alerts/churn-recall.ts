/**
 * Churn recall (v2): a valuable customer going to sleep. Valuable: spend above the population mean
 * (RFM m_high) or expected 12-month value (clv_12m) in the top share of customers. Going to sleep:
 * the RFM segment turned to a sleeping one (重要保持 / 重要挽留: recency fell below the mean) or the
 * BG/NBD probability of still being active fell below a threshold. One alert per customer per
 * cooldown window. Pure: the caller supplies the model rows and who was recalled recently.
 */
import type { ClvRow } from '../models/clv.ts';
import type { RfmRow } from '../models/rfm.ts';
import type { RowOf } from '../schemas/table.ts';
import type { churnRecall, Segment } from '../schemas/tables.ts';

/** What the rule reads of a customer's RFM row and of their CLV row. */
export const RECALL_RFM_COLUMNS = [
  'customer_id',
  'segment',
  'segment_zh',
  'last_order_date',
  'recency_days',
  'frequency',
  'monetary',
  'm_high',
] as const;
export const RECALL_CLV_COLUMNS = [
  'customer_id',
  'p_alive',
  'clv_12m',
  'x',
  't_days',
  'expected_avg_order_value',
] as const;
export type RecallRfm = Pick<RfmRow, (typeof RECALL_RFM_COLUMNS)[number]>;
export type RecallClv = Pick<ClvRow, (typeof RECALL_CLV_COLUMNS)[number]>;

export const RECALL_SEGMENTS: ReadonlySet<Segment> = new Set(['important_retention', 'important_winback']);

const OFFERS: Partial<Record<Segment, string>> = {
  important_value: 'VIP care call: early access to the new season, no discount needed',
  important_development: 'Membership upgrade: points multiplier on the next order',
  important_retention: 'VIP recall: personal message with a member-only gift',
  important_winback: 'Discount recall: time-limited coupon on their favourite category',
};
const DEFAULT_OFFER = 'Reactivation: personal message with a time-limited offer';

export type ChurnRecallAlert = RowOf<typeof churnRecall>;

export interface RecallContext {
  means: { recency_days: number; frequency: number; monetary: number };
  /** Customers recalled within the cooldown window before this run. */
  recentlyRecalled: ReadonlySet<string>;
  /** Churn / value model rows by customer, when the model ran. */
  clv?: ReadonlyMap<string, RecallClv>;
  /** Share of customers, by clv_12m, that counts as valuable (default 0.2). */
  topShare?: number;
  /** P(alive) below this means going to sleep (default 0.5). */
  pAliveThreshold?: number;
  /**
   * The customers in the top share by clv_12m, when the caller ranked them (topValueCustomers):
   * then `clv` need only hold the customers in `rows`.
   */
  topValue?: ReadonlySet<string>;
}

/** The top `share` of customers by clv_12m (ties by id): the valuable ones by expected value. */
export function topValueCustomers(
  ids: readonly string[],
  clv12m: ArrayLike<number>,
  share: number,
): Set<string> {
  const order = Array.from(ids, (_, i) => i).sort(
    (a, b) => clv12m[b]! - clv12m[a]! || ids[a]!.localeCompare(ids[b]!),
  );
  return new Set(order.slice(0, Math.ceil(ids.length * share)).map((i) => ids[i]!));
}

/**
 * A figure of the reason text. Rounded to cents first: a sum of cents lands a few ulps either side
 * of .5 depending on the order the engine adds in, and toFixed would print 410 on one run and 411 on
 * the next for the same 410.50.
 */
const fmt = (v: number): string => {
  const cents = Math.round(v * 100) / 100;
  return cents.toFixed(cents >= 100 ? 0 : 2);
};

/** A year of the customer's own purchase rate at their expected order value, times P(gone). */
export function valueAtRisk(c: RecallClv): number {
  const perYear = ((c.x + 1) * 365) / Math.max(c.t_days, 30);
  return (1 - c.p_alive) * c.expected_avg_order_value * perYear;
}

export function churnRecallAlerts(rows: readonly RecallRfm[], ctx: RecallContext): ChurnRecallAlert[] {
  const threshold = ctx.pAliveThreshold ?? 0.5;
  const clv = ctx.clv;
  let topValue = ctx.topValue ?? new Set<string>();
  if (!ctx.topValue && clv && clv.size) {
    const rows = [...clv.values()];
    topValue = topValueCustomers(
      rows.map((c) => c.customer_id),
      rows.map((c) => c.clv_12m),
      ctx.topShare ?? 0.2,
    );
  }
  const alerts: ChurnRecallAlert[] = [];
  for (const r of rows) {
    if (ctx.recentlyRecalled.has(r.customer_id)) continue;
    const model = clv?.get(r.customer_id);
    const valuable = r.m_high || topValue.has(r.customer_id);
    const sleepingSegment = RECALL_SEGMENTS.has(r.segment);
    const fading = model !== undefined && model.p_alive < threshold;
    if (!valuable || !(sleepingSegment || fading)) continue;
    const why: string[] = [];
    if (sleepingSegment)
      why.push(`no purchase for ${r.recency_days} days (mean ${fmt(ctx.means.recency_days)})`);
    if (fading) why.push(`P(alive) ${model.p_alive.toFixed(2)} below ${threshold}`);
    why.push(
      r.m_high
        ? `spend ${fmt(r.monetary)} above mean ${fmt(ctx.means.monetary)}`
        : `expected 12-month value ${fmt(model?.clv_12m ?? 0)} in the top ${Math.round((ctx.topShare ?? 0.2) * 100)} %`,
    );
    alerts.push({
      customer_id: r.customer_id,
      segment: r.segment,
      segment_zh: r.segment_zh,
      reason: why.join('; '),
      last_order_date: r.last_order_date,
      recency_days: r.recency_days,
      frequency: r.frequency,
      monetary: r.monetary,
      p_alive: model?.p_alive ?? null,
      clv_12m: model?.clv_12m ?? null,
      value_at_risk: model ? valueAtRisk(model) : null,
      offer: OFFERS[r.segment] ?? DEFAULT_OFFER,
    });
  }
  return alerts.sort(
    (a, b) =>
      (b.value_at_risk ?? 0) - (a.value_at_risk ?? 0) ||
      b.monetary - a.monetary ||
      a.customer_id.localeCompare(b.customer_id),
  );
}
