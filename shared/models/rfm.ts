/**
 * RFM (source article §2 用户分层模型): recency, frequency and monetary per customer, 1-5 quintile
 * scores, and the eight value segments of Chinese e-commerce practice, where each of R, F, M is
 * "high" when the customer is better than the population mean (fewer days for recency).
 *
 * Scores are cumulative-distribution quintiles: score = ceil(5 x share of customers the customer
 * is at least as good as). Tied values get the same score, so the result does not depend on row
 * order (a rank-by-row-number quintile would split ties arbitrarily).
 */
import type { RowOf } from '../schemas/table.ts';
import type { rfm, Segment } from '../schemas/tables.ts';
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

export type RfmRow = RowOf<typeof rfm>;

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

/** Quintile scores where larger is better: ceil(5 x share of values <= v), for each value. */
function scores(values: Float64Array): Int32Array {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(1, Math.ceil((5 * countAtMost(sorted, values[i]!)) / n));
  return out;
}

const meanOf = (xs: ArrayLike<number>): number => {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += xs[i]!;
  return xs.length ? total / xs.length : 0;
};

/** The model's input column by column, one entry per customer. */
export interface RfmInput {
  customer_id: readonly string[];
  last_order_date: readonly string[];
  frequency: ArrayLike<number>;
  monetary: ArrayLike<number>;
}

/** The rfm table's columns (one entry per customer, in input order) and the population means. */
export interface RfmColumns {
  columns: {
    customer_id: readonly string[];
    last_order_date: readonly string[];
    recency_days: Int32Array;
    frequency: Float64Array;
    monetary: Float64Array;
    r_score: Int32Array;
    f_score: Int32Array;
    m_score: Int32Array;
    r_high: boolean[];
    f_high: boolean[];
    m_high: boolean[];
    segment: Segment[];
    segment_zh: string[];
    action: string[];
  };
  means: RfmResult['means'];
}

/**
 * RFM as of `asOf` (`YYYY-MM-DD`), column by column: no object per customer. Purchases dated after
 * `asOf` must not be in the input (the SQL tier filters them); a customer whose last purchase is
 * after `asOf` is an input error.
 */
export function rfmColumns(input: RfmInput, asOf: string): RfmColumns {
  const n = input.customer_id.length;
  const recency = new Int32Array(n);
  // Few distinct dates (one per day of history): each is parsed once.
  const daysTo = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const date = input.last_order_date[i]!;
    let days = daysTo.get(date);
    if (days === undefined) {
      days = daysBetween(date, asOf);
      if (days < 0) throw new Error(`customer ${input.customer_id[i]}: last order ${date} is after ${asOf}`);
      daysTo.set(date, days);
    }
    recency[i] = days;
  }
  const frequency = Float64Array.from(input.frequency);
  const monetary = Float64Array.from(input.monetary);
  const means = { recency_days: meanOf(recency), frequency: meanOf(frequency), monetary: meanOf(monetary) };
  // Recency: fewer days is better, so score the negated value.
  const rScore = scores(Float64Array.from(recency, (d) => -d));
  const fScore = scores(frequency);
  const mScore = scores(monetary);
  const columns: RfmColumns['columns'] = {
    customer_id: input.customer_id,
    last_order_date: input.last_order_date,
    recency_days: recency,
    frequency,
    monetary,
    r_score: rScore,
    f_score: fScore,
    m_score: mScore,
    r_high: new Array<boolean>(n),
    f_high: new Array<boolean>(n),
    m_high: new Array<boolean>(n),
    segment: new Array<Segment>(n),
    segment_zh: new Array<string>(n),
    action: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const rHigh = recency[i]! < means.recency_days;
    const fHigh = frequency[i]! > means.frequency;
    const mHigh = monetary[i]! > means.monetary;
    const info = segmentInfo(rHigh, fHigh, mHigh);
    columns.r_high[i] = rHigh;
    columns.f_high[i] = fHigh;
    columns.m_high[i] = mHigh;
    columns.segment[i] = info.segment;
    columns.segment_zh[i] = info.zh;
    columns.action[i] = info.action;
  }
  return { columns, means };
}

/** RFM of customers given as rows (rfmColumns, one row per customer). */
export function computeRfm(customers: readonly CustomerPurchases[], asOf: string): RfmResult {
  const { columns: c, means } = rfmColumns(
    {
      customer_id: customers.map((x) => x.customer_id),
      last_order_date: customers.map((x) => x.last_order_date),
      frequency: customers.map((x) => x.frequency),
      monetary: customers.map((x) => x.monetary),
    },
    asOf,
  );
  const rows = customers.map(
    (_, i): RfmRow => ({
      customer_id: c.customer_id[i]!,
      last_order_date: c.last_order_date[i]!,
      recency_days: c.recency_days[i]!,
      frequency: c.frequency[i]!,
      monetary: c.monetary[i]!,
      r_score: c.r_score[i]!,
      f_score: c.f_score[i]!,
      m_score: c.m_score[i]!,
      r_high: c.r_high[i]!,
      f_high: c.f_high[i]!,
      m_high: c.m_high[i]!,
      segment: c.segment[i]!,
      segment_zh: c.segment_zh[i]!,
      action: c.action[i]!,
    }),
  );
  return { rows, means };
}
