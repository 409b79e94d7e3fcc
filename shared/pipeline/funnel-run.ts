/**
 * The funnel stage of the daily run: the traffic funnel (from the traffic table) and the order
 * funnel (from order lines) for the last 28 days, each day against its trailing 28-day baseline.
 */
import { BASELINE_DAYS, type FunnelRow, type FunnelSeries, funnelRows } from '../models/funnel.ts';
import type { SqlEngine } from '../sql/engine.ts';
import { addDays, dateValue as day } from '../time.ts';

export const TRAFFIC_STEPS = ['impressions', 'visits', 'add_to_cart', 'orders', 'paid_orders'] as const;
export const ORDER_STEPS = ['created', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'] as const;
const ORDER_LEAKAGE = ['cancelled', 'refunded'];

/** Days reported per run; the SQL reads as many again before them for the baselines. */
export const FUNNEL_DAYS = 28;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface FunnelSummary {
  rows: number;
  seconds: number;
  breakpoints: {
    kind: string;
    date: string;
    channel: string;
    sku: string | null;
    step: string;
    drop: number;
  }[];
}

export async function runFunnels(
  engine: Pick<SqlEngine, 'runNamed'>,
  asOf: string,
): Promise<{ rows: FunnelRow[]; summary: FunnelSummary }> {
  const started = performance.now();
  const from = addDays(asOf, -(FUNNEL_DAYS - 1));
  const since = addDays(from, -(BASELINE_DAYS + 1));
  const traffic = await engine.runNamed('funnel_traffic', { as_of: asOf, since });
  const orders = await engine.runNamed('funnel_orders', { as_of: asOf, since });
  const series = (rows: typeof traffic, steps: readonly string[], withSku: boolean): FunnelSeries[] =>
    rows.map((r) => ({
      date: day(r.date),
      channel: String(r.channel),
      sku: withSku && r.sku !== null && r.sku !== undefined ? String(r.sku) : null,
      counts: steps.map((s) => num(r[s])),
    }));
  const rows = [
    ...funnelRows('traffic', TRAFFIC_STEPS, series(traffic, TRAFFIC_STEPS, true), from, asOf),
    ...funnelRows('orders', ORDER_STEPS, series(orders, ORDER_STEPS, false), from, asOf, ORDER_LEAKAGE),
  ];
  const breakpoints = rows
    .filter((r) => r.significant && r.date === asOf)
    .map((r) => ({
      kind: r.kind,
      date: r.date,
      channel: r.channel,
      sku: r.sku,
      step: r.step,
      drop: r.baseline_conversion ? 1 - (r.step_conversion ?? 0) / r.baseline_conversion : 0,
    }))
    .sort((a, b) => b.drop - a.drop);
  return { rows, summary: { rows: rows.length, seconds: (performance.now() - started) / 1000, breakpoints } };
}
