/**
 * Conversion funnels with breakpoint detection. For each day and funnel (a channel, and a SKU for
 * the traffic funnel), each step's conversion (count / previous step's count) is compared with the
 * same step's pooled conversion over the trailing 28 days. The breakpoint of a day is the step whose
 * conversion fell furthest below its baseline (relative drop); it is flagged significant by a
 * one-sided two-proportion z-test (pooled variance, normal approximation) at p < 0.01, when the day
 * and the baseline each have at least 30 at the step before.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { RowOf } from '../schemas/table.ts';
import type { funnel } from '../schemas/tables.ts';
import { addDays } from '../time.ts';

export const BASELINE_DAYS = 28;
export const SIGNIFICANCE = 0.01;
export const MIN_VOLUME = 30;

export interface FunnelSeries {
  date: string;
  channel: string;
  sku: string | null;
  /** Count per step, in step order; null where the source does not measure the step. */
  counts: (number | null)[];
}

export type FunnelRow = RowOf<typeof funnel>;

/** One-sided test of a drop: day x1/n1 against baseline x0/n0. */
export function dropTest(x1: number, n1: number, x0: number, n0: number): { z: number; p: number } | null {
  if (n1 <= 0 || n0 <= 0 || x1 > n1 || x0 > n0) return null;
  const pooled = (x1 + x0) / (n1 + n0);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  if (se === 0) return null;
  const z = (x1 / n1 - x0 / n0) / se;
  return { z, p: normalCdf(z, 0, 1) };
}

/**
 * Funnel rows for the days `from`..`to` (inclusive). `series` must include the 28 days before
 * `from` for baselines. `leakage` names trailing steps that leave the funnel (cancelled, refunded):
 * their conversion is against the top of the funnel and they are never breakpoints.
 */
export function funnelRows(
  kind: FunnelRow['kind'],
  steps: readonly string[],
  series: readonly FunnelSeries[],
  from: string,
  to: string,
  leakage: readonly string[] = [],
): FunnelRow[] {
  const byKey = new Map<string, Map<string, (number | null)[]>>();
  const keyOf = (s: { channel: string; sku: string | null }) => `${s.channel}\u0000${s.sku ?? ''}`;
  for (const s of series) {
    const k = keyOf(s);
    let days = byKey.get(k);
    if (!days) {
      days = new Map();
      byKey.set(k, days);
    }
    days.set(s.date, s.counts);
  }
  const out: FunnelRow[] = [];
  const flowSteps = steps.length - leakage.length;
  for (const [k, days] of byKey) {
    const [channel, skuKey] = k.split('\u0000') as [string, string];
    const sku = skuKey === '' ? null : skuKey;
    for (const [date, counts] of [...days].sort(([a], [b]) => a.localeCompare(b))) {
      if (date < from || date > to) continue;
      const rows: FunnelRow[] = [];
      // Volume behind each test: the smaller of the day's and the baseline's previous-step count.
      const volume = new Map<FunnelRow, number>();
      const top = counts.find((c) => c !== null) ?? null;
      let prev: { index: number; count: number } | undefined;
      for (let i = 0; i < steps.length; i++) {
        const count = counts[i];
        if (count === null || count === undefined) continue;
        const leak = i >= flowSteps;
        const row: FunnelRow = {
          kind,
          date,
          channel,
          sku,
          step: steps[i]!,
          step_index: leak ? null : i,
          count,
          step_conversion: null,
          overall_conversion: top ? count / top : null,
          baseline_conversion: null,
          z: null,
          p_value: null,
          is_breakpoint: false,
          significant: false,
        };
        if (leak) {
          row.step_conversion = top ? count / top : null;
        } else if (prev) {
          row.step_conversion = prev.count > 0 ? count / prev.count : null;
          // Pooled over the trailing days on which both steps were measured.
          let x0 = 0;
          let n0 = 0;
          for (let d = 1; d <= BASELINE_DAYS; d++) {
            const past = days.get(addDays(date, -d));
            const a = past?.[prev.index];
            const b = past?.[i];
            if (a === null || a === undefined || b === null || b === undefined) continue;
            n0 += a;
            x0 += b;
          }
          if (n0 > 0) {
            row.baseline_conversion = x0 / n0;
            const test = dropTest(count, prev.count, x0, n0);
            if (test) {
              row.z = test.z;
              row.p_value = test.p;
            }
          }
          volume.set(row, Math.min(prev.count, n0));
        }
        if (!leak) prev = { index: i, count };
        rows.push(row);
      }
      // The breakpoint: the largest relative drop below baseline among the flow steps.
      let worst: FunnelRow | undefined;
      let worstDrop = 0;
      for (const r of rows) {
        if (r.step_conversion === null || !r.baseline_conversion) continue;
        const drop = (r.baseline_conversion - r.step_conversion) / r.baseline_conversion;
        if (drop > worstDrop) {
          worstDrop = drop;
          worst = r;
        }
      }
      if (worst) {
        worst.is_breakpoint = true;
        worst.significant =
          worst.p_value !== null && worst.p_value < SIGNIFICANCE && (volume.get(worst) ?? 0) >= MIN_VOLUME;
      }
      out.push(...rows);
    }
  }
  return out;
}
