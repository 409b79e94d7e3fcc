/**
 * RFM (source article §2 用户分层模型): recency, frequency and monetary per customer, 1-5 quintile
 * scores, and the eight value segments of Chinese e-commerce practice, where each of R, F, M is
 * "high" when the customer is better than the population mean (fewer days for recency).
 *
 * Scores are cumulative-distribution quintiles: score = ceil(5 x share of customers the customer
 * is at least as good as). Tied values get the same score, so the result does not depend on row
 * order (a rank-by-row-number quintile would split ties arbitrarily).
 */
import type { Segment } from '../schemas/tables.ts';
import { daysBetween } from '../time.ts';

export interface CustomerPurchases {
  customer_id: string;
  last_order_date: string;
  frequency: number;
  monetary: number;
}

export interface SegmentInfo {
  segment: Segment;
  zh: string;
  action: string;
}

/** Keyed by R, F, M high (1) or low (0). Actions follow the article: VIP for high value, discount recall for sleepers. */
const SEGMENTS: Record<string, SegmentInfo> = {
  '111': {
    segment: 'important_value',
    zh: '重要价值客户',
    action: 'VIP benefits: exclusive service and early access; keep them delighted',
  },
  '101': {
    segment: 'important_development',
    zh: '重要发展客户',
    action: 'Raise frequency: membership perks, bundles, repurchase reminders',
  },
  '011': {
    segment: 'important_retention',
    zh: '重要保持客户',
    action: 'Recall now: personal outreach with VIP benefits before they lapse',
  },
  '001': {
    segment: 'important_winback',
    zh: '重要挽留客户',
    action: 'Win back: discount recall offer for a sleeping high-value customer',
  },
  '110': {
    segment: 'general_value',
    zh: '一般价值客户',
    action: 'Up-sell: higher-value bundles and tiered member benefits',
  },
  '100': {
    segment: 'general_development',
    zh: '一般发展客户',
    action: 'Nurture: first-order gift follow-up and onboarding content',
  },
  '010': {
    segment: 'general_retention',
    zh: '一般保持客户',
    action: 'Low-cost reminder: repurchase nudges, points about to expire',
  },
  '000': { segment: 'general_winback', zh: '一般挽留客户', action: 'Low priority: broad campaigns only' },
};

export const segmentInfo = (rHigh: boolean, fHigh: boolean, mHigh: boolean): SegmentInfo =>
  SEGMENTS[`${+rHigh}${+fHigh}${+mHigh}`]!;

export const SEGMENT_INFO: readonly SegmentInfo[] = Object.values(SEGMENTS);

export interface RfmRow {
  customer_id: string;
  last_order_date: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  r_score: number;
  f_score: number;
  m_score: number;
  r_high: boolean;
  f_high: boolean;
  m_high: boolean;
  segment: Segment;
  segment_zh: string;
  action: string;
}

export interface RfmResult {
  rows: RfmRow[];
  means: { recency_days: number; frequency: number; monetary: number };
}

/** Number of values <= v in an ascending array. */
function countAtMost(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Quintile score where larger is better: ceil(5 x share of values <= v). */
function scorer(values: readonly number[]): (v: number) => number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  return (v) => Math.max(1, Math.ceil((5 * countAtMost(sorted, v)) / n));
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * RFM as of `asOf` (`YYYY-MM-DD`). Purchases dated after `asOf` must not be in the input (the SQL
 * tier filters them); a customer whose last purchase is after `asOf` is an input error.
 */
export function computeRfm(customers: readonly CustomerPurchases[], asOf: string): RfmResult {
  const recency = customers.map((c) => {
    const days = daysBetween(c.last_order_date, asOf);
    if (days < 0)
      throw new Error(`customer ${c.customer_id}: last order ${c.last_order_date} is after ${asOf}`);
    return days;
  });
  const frequency = customers.map((c) => c.frequency);
  const monetary = customers.map((c) => c.monetary);
  const means = { recency_days: mean(recency), frequency: mean(frequency), monetary: mean(monetary) };
  // Recency: fewer days is better, so score the negated value.
  const rScore = scorer(recency.map((d) => -d));
  const fScore = scorer(frequency);
  const mScore = scorer(monetary);
  const rows = customers.map((c, i): RfmRow => {
    const r = recency[i]!;
    const rHigh = r < means.recency_days;
    const fHigh = c.frequency > means.frequency;
    const mHigh = c.monetary > means.monetary;
    const info = segmentInfo(rHigh, fHigh, mHigh);
    return {
      customer_id: c.customer_id,
      last_order_date: c.last_order_date,
      recency_days: r,
      frequency: c.frequency,
      monetary: c.monetary,
      r_score: rScore(-r),
      f_score: fScore(c.frequency),
      m_score: mScore(c.monetary),
      r_high: rHigh,
      f_high: fHigh,
      m_high: mHigh,
      segment: info.segment,
      segment_zh: info.zh,
      action: info.action,
    };
  });
  return { rows, means };
}
