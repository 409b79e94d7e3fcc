import { describe, expect, it } from 'vitest';
import { churnRecallAlerts } from '../../shared/alerts/churn-recall.ts';
import { computeRfm } from '../../shared/models/rfm.ts';
import { HAND_EXAMPLE, HAND_EXPECTED } from '../fixtures/rfm/hand-example.ts';

describe('RFM', () => {
  it('scores and segments a hand-computed example', () => {
    const { rows, means } = computeRfm(HAND_EXAMPLE, '2026-03-31');
    expect(means.recency_days).toBeCloseTo(461 / 6, 10);
    expect(means.frequency).toBeCloseTo(16 / 6, 10);
    expect(means.monetary).toBe(450);
    for (const row of rows) {
      const want = HAND_EXPECTED[row.customer_id as keyof typeof HAND_EXPECTED];
      expect({
        recency_days: row.recency_days,
        r: row.r_score,
        f: row.f_score,
        m: row.m_score,
        segment: row.segment,
        zh: row.segment_zh,
      }).toEqual(want);
    }
  });

  it('gives tied values the same score whatever the row order', () => {
    const a = computeRfm(HAND_EXAMPLE, '2026-03-31').rows;
    const b = computeRfm([...HAND_EXAMPLE].reverse(), '2026-03-31').rows;
    const byId = (rows: typeof a) =>
      Object.fromEntries(rows.map((r) => [r.customer_id, [r.r_score, r.f_score, r.m_score]]));
    expect(byId(b)).toEqual(byId(a));
  });

  it('rejects a purchase dated after the as-of date', () => {
    expect(() => computeRfm(HAND_EXAMPLE, '2026-03-29')).toThrow(/after 2026-03-29/);
  });

  it('handles an empty population', () => {
    expect(computeRfm([], '2026-03-31').rows).toEqual([]);
  });
});

describe('churn recall v1', () => {
  const { rows, means } = computeRfm(HAND_EXAMPLE, '2026-03-31');

  it('recalls high-spend customers whose recency turned low', () => {
    const alerts = churnRecallAlerts(rows, { means, recentlyRecalled: new Set() });
    expect(alerts.map((a) => [a.customer_id, a.segment])).toEqual([['F', 'important_retention']]);
    expect(alerts[0]!.reason).toBe('no purchase for 150 days (mean 76.83); spend 900 above mean 450');
    expect(alerts[0]!.offer).toMatch(/VIP recall/);
  });

  it('does not alert again within the cooldown', () => {
    expect(churnRecallAlerts(rows, { means, recentlyRecalled: new Set(['F']) })).toEqual([]);
  });
});

describe('churn recall v2', () => {
  const { rows, means } = computeRfm(HAND_EXAMPLE, '2026-03-31');
  const model = (customer_id: string, p_alive: number, clv_12m: number) => ({
    customer_id,
    first_order_date: '2025-06-01',
    last_order_date: '2026-03-01',
    x: 3,
    t_x_days: 270,
    t_days: 300,
    p_alive,
    expected_purchases_30d: 0.1,
    expected_purchases_90d: 0.3,
    expected_avg_order_value: 100,
    clv_12m,
  });

  it('recalls a high-value customer whose P(alive) fell, with the reason and the value at risk', () => {
    // E spends below the mean but has the highest expected value; P(alive) 0.3 < 0.5.
    const clv = new Map([
      ['E', model('E', 0.3, 900)],
      ['A', model('A', 0.95, 500)],
      ['F', model('F', 0.8, 10)],
    ]);
    const alerts = churnRecallAlerts(rows, { means, recentlyRecalled: new Set(), clv, topShare: 0.2 });
    expect(alerts.map((a) => a.customer_id)).toEqual(['E', 'F']);
    const e = alerts[0]!;
    expect(e.reason).toBe('P(alive) 0.30 below 0.5; expected 12-month value 900 in the top 20 %');
    // (1 - 0.3) x 100 x (3 + 1) x 365 / 300
    expect(e.value_at_risk).toBeCloseTo(0.7 * 100 * 4 * (365 / 300), 10);
    expect(e.offer).toMatch(/Reactivation/);
    // F stays on the list by its sleeping segment, with its own figures.
    expect(alerts[1]).toMatchObject({ p_alive: 0.8, segment: 'important_retention' });
  });
});
