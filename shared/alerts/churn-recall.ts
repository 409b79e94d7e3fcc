/**
 * Churn-recall rule v1: a valuable customer (high M) whose recency has turned low — the RFM segments
 * 重要保持 (important_retention) and 重要挽留 (important_winback) — and who was not already recalled
 * within the cooldown window. Pure: the caller supplies who was recalled recently.
 */
import type { RfmRow } from '../models/rfm.ts';
import type { Segment } from '../schemas/tables.ts';

export const RECALL_SEGMENTS: ReadonlySet<Segment> = new Set(['important_retention', 'important_winback']);

const OFFERS: Partial<Record<Segment, string>> = {
  important_retention: 'VIP recall: personal message with a member-only gift',
  important_winback: 'Discount recall: time-limited coupon on their favourite category',
};

export interface ChurnRecallAlert {
  customer_id: string;
  segment: Segment;
  segment_zh: string;
  reason: string;
  last_order_date: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  offer: string;
}

export interface RecallContext {
  means: { recency_days: number; frequency: number; monetary: number };
  /** Customers recalled within the cooldown window before this run. */
  recentlyRecalled: ReadonlySet<string>;
}

const fmt = (v: number): string => v.toFixed(v >= 100 ? 0 : 2);

export function churnRecallAlerts(rows: readonly RfmRow[], ctx: RecallContext): ChurnRecallAlert[] {
  return rows
    .filter((r) => RECALL_SEGMENTS.has(r.segment) && !ctx.recentlyRecalled.has(r.customer_id))
    .sort((a, b) => b.monetary - a.monetary || a.customer_id.localeCompare(b.customer_id))
    .map((r) => ({
      customer_id: r.customer_id,
      segment: r.segment,
      segment_zh: r.segment_zh,
      reason:
        `no purchase for ${r.recency_days} days (mean ${fmt(ctx.means.recency_days)}); ` +
        `spend ${fmt(r.monetary)} above mean ${fmt(ctx.means.monetary)}`,
      last_order_date: r.last_order_date,
      recency_days: r.recency_days,
      frequency: r.frequency,
      monetary: r.monetary,
      offer: OFFERS[r.segment] ?? 'Recall offer',
    }));
}
