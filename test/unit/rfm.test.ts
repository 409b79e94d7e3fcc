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
