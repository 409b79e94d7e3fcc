/**
 * Churn probability and customer value (catalogue model 2): BG/NBD for P(alive) and expected
 * purchases, Gamma-Gamma for the value of a purchase, and their product over the next 12 months,
 * discounted monthly. Time is in days: the fitted alpha is 7 times the weekly alpha of the paper.
 */
import { daysBetween } from '../time.ts';
import { type BgNbdParams, expectedPurchases, fitBgNbd, type History, pAlive } from './bgnbd.ts';
import { expectedAverageValue, fitGammaGamma, type GammaGammaParams } from './gamma-gamma.ts';

export interface CustomerTransactions {
  customer_id: string;
  first_order_date: string;
  last_order_date: string;
  x: number;
  repeat_mean_value: number;
}

export interface ClvRow {
  customer_id: string;
  first_order_date: string;
  last_order_date: string;
  x: number;
  t_x_days: number;
  t_days: number;
  p_alive: number;
  expected_purchases_30d: number;
  expected_purchases_90d: number;
  expected_avg_order_value: number;
  clv_12m: number;
}

export interface ClvOptions {
  /** Yesterday's fits, as starting points. */
  start?: { bgnbd?: BgNbdParams; gammaGamma?: GammaGammaParams };
  /** Monthly discount rate for the 12-month value (default 0.01). */
  monthlyDiscountRate?: number;
}

export interface Metric {
  model: string;
  metric: string;
  value: number;
}

export interface ClvResult {
  rows: ClvRow[];
  diagnostics: Metric[];
  bgnbd: BgNbdParams | undefined;
  gammaGamma: GammaGammaParams | undefined;
}

const MONTH_DAYS = 365.25 / 12;

export function computeClv(
  customers: readonly CustomerTransactions[],
  asOf: string,
  options: ClvOptions = {},
): ClvResult {
  if (customers.length === 0) return { rows: [], diagnostics: [], bgnbd: undefined, gammaGamma: undefined };
  const histories: History[] = customers.map((c) => ({
    x: c.x,
    tx: daysBetween(c.first_order_date, c.last_order_date),
    T: daysBetween(c.first_order_date, asOf),
  }));
  const bg = fitBgNbd(histories, options.start?.bgnbd);
  const spends = customers.map((c) => ({ x: c.x, mx: c.repeat_mean_value }));
  let gg: ReturnType<typeof fitGammaGamma> | undefined;
  try {
    gg = fitGammaGamma(spends, options.start?.gammaGamma);
  } catch {
    gg = undefined; // no repeat buyers yet: no spend model
  }
  const discount = options.monthlyDiscountRate ?? 0.01;
  // Everything BG/NBD says about a customer depends on (x, t_x, T) alone: compute it once per history.
  const byHistory = new Map<string, { alive: number; e30: number; e90: number; monthly: number[] }>();
  const forecast = (h: History) => {
    const key = `${h.x}|${h.tx}|${h.T}`;
    let f = byHistory.get(key);
    if (!f) {
      const monthly: number[] = [];
      let previous = 0;
      for (let m = 1; m <= 12; m++) {
        const cumulative = expectedPurchases(bg.params, h, m * MONTH_DAYS);
        monthly.push(cumulative - previous);
        previous = cumulative;
      }
      f = {
        alive: pAlive(bg.params, h),
        e30: expectedPurchases(bg.params, h, 30),
        e90: expectedPurchases(bg.params, h, 90),
        monthly,
      };
      byHistory.set(key, f);
    }
    return f;
  };
  const rows = customers.map((c, i): ClvRow => {
    const h = histories[i]!;
    const aov = gg ? expectedAverageValue(gg.params, spends[i]!) : c.repeat_mean_value;
    const f = forecast(h);
    let clv = 0;
    f.monthly.forEach((purchases, m) => {
      clv += (purchases * aov) / (1 + discount) ** (m + 1);
    });
    return {
      customer_id: c.customer_id,
      first_order_date: c.first_order_date,
      last_order_date: c.last_order_date,
      x: c.x,
      t_x_days: h.tx,
      t_days: h.T,
      p_alive: f.alive,
      expected_purchases_30d: f.e30,
      expected_purchases_90d: f.e90,
      expected_avg_order_value: aov,
      clv_12m: clv,
    };
  });
  const diagnostics: Metric[] = [
    { model: 'bgnbd', metric: 'bgnbd_r', value: bg.params.r },
    { model: 'bgnbd', metric: 'bgnbd_alpha', value: bg.params.alpha },
    { model: 'bgnbd', metric: 'bgnbd_a', value: bg.params.a },
    { model: 'bgnbd', metric: 'bgnbd_b', value: bg.params.b },
    { model: 'bgnbd', metric: 'bgnbd_ll', value: bg.logLikelihood },
    { model: 'bgnbd', metric: 'bgnbd_customers', value: bg.customers },
    { model: 'bgnbd', metric: 'bgnbd_distinct_histories', value: bg.distinctHistories },
    { model: 'bgnbd', metric: 'bgnbd_iterations', value: bg.iterations },
  ];
  if (gg) {
    diagnostics.push(
      { model: 'gamma_gamma', metric: 'gg_p', value: gg.params.p },
      { model: 'gamma_gamma', metric: 'gg_q', value: gg.params.q },
      { model: 'gamma_gamma', metric: 'gg_gamma', value: gg.params.gamma },
      { model: 'gamma_gamma', metric: 'gg_ll', value: gg.logLikelihood },
      { model: 'gamma_gamma', metric: 'gg_customers', value: gg.customers },
    );
  }
  return { rows, diagnostics, bgnbd: bg.params, gammaGamma: gg?.params };
}
