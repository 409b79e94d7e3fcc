/**
 * Churn probability and customer value (catalogue model 2): BG/NBD for P(alive) and expected
 * purchases, Gamma-Gamma for the value of a purchase, and their product over the next 12 months,
 * discounted monthly. Time is in days: the fitted alpha is 7 times the weekly alpha of the paper.
 */
import type { RowOf } from '../schemas/table.ts';
import type { clv, diagnostics } from '../schemas/tables.ts';
import { daysBetween } from '../time.ts';
import {
  type BgNbdParams,
  expectedPurchases,
  fitGroupedBgNbd,
  groupHistoryColumns,
  type History,
  pAlive,
} from './bgnbd.ts';
import { expectedAverageValue, fitGammaGammaColumns, type GammaGammaParams } from './gamma-gamma.ts';

export interface CustomerTransactions {
  customer_id: string;
  first_order_date: string;
  last_order_date: string;
  x: number;
  repeat_mean_value: number;
}

export type ClvRow = RowOf<typeof clv>;

export interface ClvOptions {
  /** Yesterday's fits, as starting points. */
  start?: { bgnbd?: BgNbdParams; gammaGamma?: GammaGammaParams };
  /** Monthly discount rate for the 12-month value (default 0.01). */
  monthlyDiscountRate?: number;
}

/** A fitted parameter or quality figure: a row of the run's diagnostics partition. */
export type Metric = RowOf<typeof diagnostics>;

export interface ClvResult {
  rows: ClvRow[];
  diagnostics: Metric[];
  bgnbd: BgNbdParams | undefined;
  gammaGamma: GammaGammaParams | undefined;
}

const MONTH_DAYS = 365.25 / 12;

/** The model's input column by column, one entry per customer. */
export interface ClvInput {
  customer_id: readonly string[];
  first_order_date: readonly string[];
  last_order_date: readonly string[];
  x: ArrayLike<number>;
  repeat_mean_value: ArrayLike<number>;
}

/** The clv table's columns, one entry per customer in input order (a type: outputs index it by name). */
export type ClvColumns = {
  customer_id: readonly string[];
  first_order_date: readonly string[];
  last_order_date: readonly string[];
  x: Float64Array;
  t_x_days: Float64Array;
  t_days: Float64Array;
  p_alive: Float64Array;
  expected_purchases_30d: Float64Array;
  expected_purchases_90d: Float64Array;
  expected_avg_order_value: Float64Array;
  clv_12m: Float64Array;
};

/** Days between two dates of a column, parsed once per distinct pair (a run has a few hundred dates). */
function daysColumn(from: readonly string[], to: (i: number) => string): Float64Array {
  const out = new Float64Array(from.length);
  const cache = new Map<string, number>();
  for (let i = 0; i < from.length; i++) {
    const key = `${from[i]}|${to(i)}`;
    let days = cache.get(key);
    if (days === undefined) {
      days = daysBetween(from[i]!, to(i));
      cache.set(key, days);
    }
    out[i] = days;
  }
  return out;
}

/**
 * BG/NBD and Gamma-Gamma over customers given column by column. Everything BG/NBD says about a
 * customer depends on (x, t_x, T) alone: the fit and the forecasts are computed once per distinct
 * history (a group, weighted by its customers), then spread to the customers of the group.
 */
export function clvColumns(
  input: ClvInput,
  asOf: string,
  options: ClvOptions = {},
): {
  columns: ClvColumns;
  diagnostics: Metric[];
  bgnbd: BgNbdParams | undefined;
  gammaGamma: GammaGammaParams | undefined;
} {
  const n = input.customer_id.length;
  const x = Float64Array.from(input.x);
  const mx = Float64Array.from(input.repeat_mean_value);
  const tx = daysColumn(input.first_order_date, (i) => input.last_order_date[i]!);
  const T = daysColumn(input.first_order_date, () => asOf);
  const columns: ClvColumns = {
    customer_id: input.customer_id,
    first_order_date: input.first_order_date,
    last_order_date: input.last_order_date,
    x,
    t_x_days: tx,
    t_days: T,
    p_alive: new Float64Array(n),
    expected_purchases_30d: new Float64Array(n),
    expected_purchases_90d: new Float64Array(n),
    expected_avg_order_value: new Float64Array(n),
    clv_12m: new Float64Array(n),
  };
  if (n === 0) return { columns, diagnostics: [], bgnbd: undefined, gammaGamma: undefined };
  const { grouped, group } = groupHistoryColumns(x, tx, T);
  const bg = fitGroupedBgNbd(grouped, options.start?.bgnbd);
  let gg: ReturnType<typeof fitGammaGammaColumns> | undefined;
  try {
    gg = fitGammaGammaColumns(x, mx, options.start?.gammaGamma);
  } catch {
    gg = undefined; // no repeat buyers yet: no spend model
  }
  const discount = options.monthlyDiscountRate ?? 0.01;
  const groups = grouped.x.length;
  const alive = new Float64Array(groups);
  const e30 = new Float64Array(groups);
  const e90 = new Float64Array(groups);
  const monthly = new Float64Array(groups * 12);
  for (let g = 0; g < groups; g++) {
    const h: History = { x: grouped.x[g]!, tx: grouped.tx[g]!, T: grouped.T[g]! };
    let previous = 0;
    for (let m = 1; m <= 12; m++) {
      const cumulative = expectedPurchases(bg.params, h, m * MONTH_DAYS);
      monthly[g * 12 + m - 1] = cumulative - previous;
      previous = cumulative;
    }
    alive[g] = pAlive(bg.params, h);
    e30[g] = expectedPurchases(bg.params, h, 30);
    e90[g] = expectedPurchases(bg.params, h, 90);
  }
  for (let i = 0; i < n; i++) {
    const g = group[i]!;
    const aov = gg ? expectedAverageValue(gg.params, { x: x[i]!, mx: mx[i]! }) : mx[i]!;
    let clv = 0;
    for (let m = 0; m < 12; m++) clv += (monthly[g * 12 + m]! * aov) / (1 + discount) ** (m + 1);
    columns.p_alive[i] = alive[g]!;
    columns.expected_purchases_30d[i] = e30[g]!;
    columns.expected_purchases_90d[i] = e90[g]!;
    columns.expected_avg_order_value[i] = aov;
    columns.clv_12m[i] = clv;
  }
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
  return { columns, diagnostics, bgnbd: bg.params, gammaGamma: gg?.params };
}

/** BG/NBD and Gamma-Gamma of customers given as rows (clvColumns, one row per customer). */
export function computeClv(
  customers: readonly CustomerTransactions[],
  asOf: string,
  options: ClvOptions = {},
): ClvResult {
  if (customers.length === 0) return { rows: [], diagnostics: [], bgnbd: undefined, gammaGamma: undefined };
  const { columns: c, ...fit } = clvColumns(
    {
      customer_id: customers.map((r) => r.customer_id),
      first_order_date: customers.map((r) => r.first_order_date),
      last_order_date: customers.map((r) => r.last_order_date),
      x: customers.map((r) => r.x),
      repeat_mean_value: customers.map((r) => r.repeat_mean_value),
    },
    asOf,
    options,
  );
  const rows = customers.map(
    (r, i): ClvRow => ({
      customer_id: r.customer_id,
      first_order_date: r.first_order_date,
      last_order_date: r.last_order_date,
      x: r.x,
      t_x_days: c.t_x_days[i]!,
      t_days: c.t_days[i]!,
      p_alive: c.p_alive[i]!,
      expected_purchases_30d: c.expected_purchases_30d[i]!,
      expected_purchases_90d: c.expected_purchases_90d[i]!,
      expected_avg_order_value: c.expected_avg_order_value[i]!,
      clv_12m: c.clv_12m[i]!,
    }),
  );
  return { rows, ...fit };
}
