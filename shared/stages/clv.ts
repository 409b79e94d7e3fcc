/**
 * Churn probability and customer value (BG/NBD and Gamma-Gamma, shared/models/clv.ts), warm-started
 * from the previous day's fits in its diagnostics partition.
 */
import type { Table } from 'apache-arrow';
import type { BgNbdParams } from '../models/bgnbd.ts';
import { clvColumns } from '../models/clv.ts';
import type { GammaGammaParams } from '../models/gamma-gamma.ts';
import { clv, diagnostics } from '../schemas/tables.ts';
import { byCustomer } from './customer-order.ts';
import { query } from './row-shape.ts';
import { defineStage } from './stage.ts';

const transactions = query('customer_transactions', {
  customer_id: 'string',
  first_order_date: 'date',
  last_order_date: 'date',
  x: 'int',
  repeat_mean_value: 'double',
});
const previousDiagnostics = { table: diagnostics, day: 'previous' } as const;

/** Yesterday's fitted parameters, to start today's fit from (a warm start: fewer iterations). */
export function previousFits(table: Table | undefined): {
  bgnbd?: BgNbdParams;
  gammaGamma?: GammaGammaParams;
} {
  if (!table) return {};
  const m = new Map(table.toArray().map((r) => [String(r.metric), Number(r.value)]));
  const has = (...names: string[]) => names.every((n) => Number.isFinite(m.get(n)) && m.get(n)! > 0);
  return {
    ...(has('bgnbd_r', 'bgnbd_alpha', 'bgnbd_a', 'bgnbd_b')
      ? {
          bgnbd: {
            r: m.get('bgnbd_r')!,
            alpha: m.get('bgnbd_alpha')!,
            a: m.get('bgnbd_a')!,
            b: m.get('bgnbd_b')!,
          },
        }
      : {}),
    ...(has('gg_p', 'gg_q', 'gg_gamma')
      ? { gammaGamma: { p: m.get('gg_p')!, q: m.get('gg_q')!, gamma: m.get('gg_gamma')! } }
      : {}),
  };
}

export const clvStage = defineStage({
  name: 'clv',
  doc: 'BG/NBD P(alive) and expected purchases, Gamma-Gamma order value, 12-month value per customer.',
  queries: [transactions],
  reads: [previousDiagnostics],
  writes: [clv],
  settings: ['clvMonthlyDiscountRate'],
  memoryMb: 2048,
  timeoutSeconds: 900,
  async run(ctx) {
    ctx.log.info(`run ${ctx.asOf}: BG/NBD and Gamma-Gamma`);
    const input = byCustomer((await ctx.columns(transactions, { as_of: ctx.asOf })).columns);
    const value = clvColumns(input, ctx.asOf, {
      start: previousFits(await ctx.read(previousDiagnostics)),
      monthlyDiscountRate: ctx.settings.clvMonthlyDiscountRate,
    });
    return {
      tables: { clv: value.columns },
      metrics: value.diagnostics,
      summary: { diagnostics: value.diagnostics },
    };
  },
  describe({ diagnostics: fits }) {
    const m = new Map(fits.map((d) => [d.metric, d.value]));
    if (!m.has('bgnbd_r')) return ['Churn / CLV: no customers yet'];
    const f = (k: string, digits = 3) => (m.get(k) ?? Number.NaN).toFixed(digits);
    const gg = m.has('gg_p') ? `; Gamma-Gamma p ${f('gg_p')}, q ${f('gg_q')}, gamma ${f('gg_gamma')}` : '';
    return [
      `Churn / CLV (table clv): BG/NBD r ${f('bgnbd_r')}, alpha ${f('bgnbd_alpha')} days, a ${f('bgnbd_a')}, b ${f('bgnbd_b')} over ${m.get('bgnbd_customers')} customers${gg}`,
    ];
  },
});
