import { describe, expect, it } from 'vitest';
import { abcXyz, bostonMatrix, coefficientOfVariation } from '../../shared/models/assortment.ts';
import { channelMix, concentration } from '../../shared/models/channel-mix.ts';
import { safetyStock, stockRisk, stockWarning } from '../../shared/models/stock-risk.ts';

describe('ABC-XYZ by hand', () => {
  it('classes by the share before each SKU (80 % / 95 %) and by weekly cv (0.5 / 1.0)', () => {
    const rows = abcXyz([
      { sku: 'E', category: null, revenue: 4, weeklyUnits: [0, 0, 0, 40] }, // cv sqrt(300)/10 = 1.73: Z
      { sku: 'A', category: null, revenue: 50, weeklyUnits: [10, 10, 10, 10] }, // cv 0: X
      { sku: 'C', category: null, revenue: 10, weeklyUnits: [0, 20, 0, 20] }, // cv 1: Y
      { sku: 'B', category: null, revenue: 30, weeklyUnits: [10, 10, 10, 10] },
      { sku: 'D', category: null, revenue: 6, weeklyUnits: [5, 5, 5, 5] },
    ]);
    expect(rows.map((r) => [r.sku, r.abc_class, Number(r.cumulative_share.toFixed(2)), r.abc_xyz])).toEqual([
      ['A', 'A', 0.5, 'A-X'],
      ['B', 'A', 0.8, 'A-X'],
      ['C', 'B', 0.9, 'B-Y'],
      ['D', 'B', 0.96, 'B-X'],
      ['E', 'C', 1, 'C-Z'],
    ]);
    expect(coefficientOfVariation([0, 0, 0, 40])).toBeCloseTo(Math.sqrt(300) / 10, 12);
  });
});

describe('Boston matrix by hand', () => {
  it('places SKUs by growth (10 %) and share relative to the category leader (1.0)', () => {
    const rows = bostonMatrix([
      { key: 'T1', group: 'Tea', revenue: 100, previousRevenue: 80, lastYearRevenue: 50 },
      { key: 'T2', group: 'Tea', revenue: 50, previousRevenue: 60, lastYearRevenue: null },
      { key: 'T3', group: 'Tea', revenue: 60, previousRevenue: 40, lastYearRevenue: null },
      { key: 'C1', group: 'Cups', revenue: 200, previousRevenue: 210, lastYearRevenue: null },
      { key: 'C2', group: 'Cups', revenue: 20, previousRevenue: 0, lastYearRevenue: null },
    ]);
    const by = Object.fromEntries(rows.map((r) => [r.item, r]));
    expect(by.T1).toMatchObject({ quadrant: 'star', growth: 0.25, yoy_growth: 1, relative_share: 100 / 60 });
    expect(by.T3).toMatchObject({ quadrant: 'question_mark', growth: 0.5, relative_share: 0.6 });
    expect(by.T2).toMatchObject({ quadrant: 'dog', relative_share: 0.5 });
    expect(by.C1).toMatchObject({ quadrant: 'cash_cow', relative_share: 10 });
    expect(by.C1!.action).toMatch(/^harvest/);
    expect(by.C2).toMatchObject({ quadrant: 'question_mark', growth: null, relative_share: 0.1 });
  });
});

describe('channel mix by hand', () => {
  it('gives order economics, growth, share and category concentration', () => {
    const o = (
      period: 'current' | 'previous',
      purchased: number,
      cancelled: number,
      refunded: number,
      revenue: number,
      cost: number | null,
    ) => ({
      source: 'shopify',
      channel: 'web',
      country: 'US',
      period,
      purchased,
      cancelled,
      refunded,
      revenue,
      costedRevenue: cost === null ? null : revenue,
      cost,
    });
    const rows = channelMix(
      [
        o('current', 1, 0, 0, 100, 40),
        o('current', 1, 0, 1, 50, 20),
        o('current', 0, 1, 0, 0, null),
        o('previous', 1, 0, 0, 100, null),
      ],
      [
        { source: 'shopify', channel: 'web', category: 'Tea', revenue: 90 },
        { source: 'shopify', channel: 'web', category: 'Cups', revenue: 60 },
      ],
    );
    expect(rows[0]).toMatchObject({
      revenue: 150,
      orders: 2,
      aov: 75,
      growth: 0.5,
      share: 1,
      top_category: 'Tea',
      top_category_share: 0.6,
    });
    expect(rows[0]!.refund_rate).toBeCloseTo(1 / 3, 12);
    expect(rows[0]!.cancel_rate).toBeCloseTo(1 / 3, 12);
    expect(rows[0]!.gross_margin).toBeCloseTo(0.6, 12);
    expect(rows[0]!.category_hhi).toBeCloseTo(0.52, 12);
    expect(rows.at(-1)).toMatchObject({ source: '(all)', revenue: 150 });
    expect(concentration([{ category: 'x', revenue: 5 }]).hhi).toBe(1);
  });
});

describe('safety stock and stock risk', () => {
  it('safety stock is z(service level) x sd x sqrt(lead time)', () => {
    // z(0.95) = 1.6448536; 1.6448536 x 10 x 3.
    expect(safetyStock(0.95, 10, 9)).toBeCloseTo(49.345609, 5);
  });
  it('reorder point, cover, stockout date, order quantity and waste by hand', () => {
    const r = stockRisk({
      sku: 'S',
      warehouse: 'W',
      snapshotDate: '2026-11-23',
      onHand: 10,
      inbound: 0,
      reserved: 2,
      abcClass: 'B',
      forecast: Array(28).fill(2),
      demandSd: 1,
      leadTimeDays: 4,
      leadTimeSource: 'product',
      shelfLifeDays: 3,
    });
    // Available 8; lead-time demand 8; SS = 1.6449 x 1 x 2 = 3.2897; ROP 11.29; cover 4 days;
    // cumulative demand passes 8 on day 5; order = ceil(11.29 + 2 x 4 - 8) = 12; waste = 8 - 2 x 3 = 2.
    expect(r.reorder_point).toBeCloseTo(8 + 2 * 1.6448536, 6);
    expect([
      r.available,
      r.days_of_cover,
      r.expected_stockout_date,
      r.suggested_order_qty,
      r.expected_waste,
    ]).toEqual([8, 4, '2026-11-28', 12, 2]);
    expect([r.warning, r.severity]).toEqual([true, 'medium']);
    expect(r.reason).toMatch(/at or below reorder point 11.3/);
  });
  it('a C-class item with months of cover gets a promotion, and no warning', () => {
    const r = stockRisk({
      sku: 'S',
      warehouse: 'W',
      snapshotDate: '2026-11-23',
      onHand: 500,
      inbound: 0,
      reserved: 0,
      abcClass: 'C',
      forecast: Array(28).fill(1),
      demandSd: 0.5,
      leadTimeDays: 7,
      leadTimeSource: 'default',
      shelfLifeDays: null,
    });
    expect([r.warning, r.days_of_cover]).toEqual([false, 500]);
    expect(r.promotion).toMatch(/C-class overstock \(500 days of cover\)/);
  });
  it('a slow mover below its reorder point but with cover far beyond its lead time does not warn', () => {
    // The demo's SP-65-002: 0.015 units a day, forecast error 0.653, 14-day lead time, 4 available.
    // SS = 1.6449 x 0.653 x sqrt(14) = 4.02, ROP = 0.21 + 4.02 = 4.23 > 4: below the reorder point,
    // yet 4 units last 267 days, more than three lead times (42 days).
    const slow = {
      sku: 'S',
      warehouse: 'W',
      snapshotDate: '2026-11-23',
      onHand: 4,
      inbound: 0,
      reserved: 0,
      abcClass: 'B' as const,
      forecast: Array(28).fill(0.015),
      demandSd: 0.653,
      leadTimeDays: 14,
      leadTimeSource: 'product' as const,
      shelfLifeDays: null,
    };
    const r = stockRisk(slow);
    expect(r.available + r.inbound).toBeLessThanOrEqual(r.reorder_point);
    expect(r.days_of_cover).toBeCloseTo(266.7, 1);
    expect([r.warning, r.severity, r.reason]).toEqual([false, null, null]);
    // The same item with a 100-day lead time (cover under three lead times) warns.
    const far = stockRisk({ ...slow, leadTimeDays: 100 });
    expect([far.warning, far.severity]).toEqual([true, 'medium']);
    // stockWarning decides from the stored row alone, as the report does for items still open.
    expect(stockWarning(r)).toEqual({ warning: false, severity: null, reason: null });
    expect(stockWarning(far)).toEqual({ warning: true, severity: 'medium', reason: far.reason });
  });
});
