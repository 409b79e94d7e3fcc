import { describe, expect, it } from 'vitest';
import { dropTest, type FunnelSeries, funnelRows } from '../../shared/models/funnel.ts';
import { addDays } from '../../shared/time.ts';

const STEPS = ['impressions', 'visits', 'add_to_cart', 'orders', 'paid_orders'];

/** 28 steady days, then a last day with the given counts. */
function series(last: number[], steady = [1000, 200, 40, 20, 18]): FunnelSeries[] {
  const out: FunnelSeries[] = [];
  for (let d = 28; d >= 1; d--)
    out.push({ date: addDays('2026-11-23', -d), channel: 'web', sku: 'S1', counts: steady });
  out.push({ date: '2026-11-23', channel: 'web', sku: 'S1', counts: last });
  return out;
}

describe('the drop test', () => {
  it('is the pooled two-proportion z statistic, one-sided', () => {
    // Day 10/200 against 1120/5600: pooled 1130/5800 = 0.19483,
    // se = sqrt(0.19483 x 0.80517 x (1/200 + 1/5600)) = 0.028502, z = (0.05 - 0.2) / 0.028502 = -5.263.
    const t = dropTest(10, 200, 1120, 5600)!;
    expect(t.z).toBeCloseTo(-5.263, 3);
    expect(t.p).toBeLessThan(1e-6);
    expect(dropTest(40, 200, 1120, 5600)!.z).toBeCloseTo(0, 12);
    expect(dropTest(5, 4, 10, 20)).toBeNull(); // more at a step than before it: no proportion
  });
});

describe('funnel breakpoints', () => {
  it('finds a planted drop at add-to-cart and flags it significant', () => {
    const rows = funnelRows('traffic', STEPS, series([1000, 200, 10, 5, 4]), '2026-11-23', '2026-11-23');
    expect(rows.map((r) => [r.step, r.count, r.step_conversion])).toEqual([
      ['impressions', 1000, null],
      ['visits', 200, 0.2],
      ['add_to_cart', 10, 0.05],
      ['orders', 5, 0.5],
      ['paid_orders', 4, 0.8],
    ]);
    const bp = rows.filter((r) => r.is_breakpoint);
    expect(bp.map((r) => [r.step, r.baseline_conversion, r.significant])).toEqual([
      ['add_to_cart', 0.2, true],
    ]);
    expect(rows[4]!.overall_conversion).toBeCloseTo(0.004, 12);
  });

  it('names the worst step but does not flag a drop that small volume cannot support', () => {
    const rows = funnelRows(
      'traffic',
      STEPS,
      series([100, 20, 3, 2, 2], [100, 20, 4, 2, 2]),
      '2026-11-23',
      '2026-11-23',
    );
    const bp = rows.find((r) => r.is_breakpoint)!;
    expect(bp.step).toBe('add_to_cart');
    expect(bp.significant).toBe(false);
  });

  it('skips steps a source does not measure, and never makes leakage a breakpoint', () => {
    const rows = funnelRows(
      'orders',
      ['created', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'],
      series([100, 90, 80, null as unknown as number, 5, 3], [100, 95, 90, 0, 2, 1]).map((s) => ({
        ...s,
        counts: s.counts.map((c) => (c === undefined ? null : c)),
      })),
      '2026-11-23',
      '2026-11-23',
      ['cancelled', 'refunded'],
    );
    expect(rows.map((r) => r.step)).toEqual(['created', 'paid', 'shipped', 'cancelled', 'refunded']);
    const cancelled = rows.find((r) => r.step === 'cancelled')!;
    expect([cancelled.step_index, cancelled.step_conversion, cancelled.is_breakpoint]).toEqual([
      null,
      0.05,
      false,
    ]);
    expect(rows.find((r) => r.is_breakpoint)?.step).toBe('shipped');
  });
});
