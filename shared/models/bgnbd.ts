/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an alternative to the
 * Pareto/NBD model", Marketing Science 24(2)): repeat purchases follow a Poisson process with a
 * gamma(r, alpha) rate across customers; after each purchase a customer drops out with probability
 * p ~ beta(a, b). Fitted by maximum likelihood over (x, t_x, T); customers with the same history
 * share one likelihood term, so the fit costs per distinct history, not per customer.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import { LOG_BOUND, minimiseWithRestart } from './nelder-mead.ts';

export interface History {
  /** Repeat transactions (all but the first). */
  x: number;
  /** Time from the first to the last transaction. */
  tx: number;
  /** Time from the first transaction to the as-of date. */
  T: number;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface GroupedHistories {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
  customers: number;
  /** Distinct values of x, t_x and T, and each history's index into them: logs are taken per value. */
  xs: Float64Array;
  txs: Float64Array;
  Ts: Float64Array;
  xIndex: Int32Array;
  txIndex: Int32Array;
  TIndex: Int32Array;
}

function distinct(values: Float64Array): { values: Float64Array; index: Int32Array } {
  const ids = new Map<number, number>();
  const index = new Int32Array(values.length);
  values.forEach((v, i) => {
    let id = ids.get(v);
    if (id === undefined) {
      id = ids.size;
      ids.set(v, id);
    }
    index[i] = id;
  });
  return { values: Float64Array.from(ids.keys()), index };
}

/** Distinct (x, t_x, T) with their counts. */
export function groupHistories(histories: readonly History[]): GroupedHistories {
  return groupHistoryColumns(
    Float64Array.from(histories, (h) => h.x),
    Float64Array.from(histories, (h) => h.tx),
    Float64Array.from(histories, (h) => h.T),
  ).grouped;
}

/**
 * Distinct (x, t_x, T) of histories given column by column, in first-seen order, and each
 * customer's group: what the fit and the scoring work on, once per group.
 */
export function groupHistoryColumns(
  xs: ArrayLike<number>,
  txs: ArrayLike<number>,
  Ts: ArrayLike<number>,
): { grouped: GroupedHistories; group: Int32Array } {
  // Whole days (the daily run's histories) make a numeric key, exact while m^3 < 2^53; other
  // values (weeks of a published data set) a string one.
  let m = 1;
  let whole = true;
  for (let c = 0; c < xs.length && whole; c++) {
    for (const v of [xs[c]!, txs[c]!, Ts[c]!]) {
      if (!Number.isInteger(v) || v < 0) whole = false;
      else if (v >= m) m = v + 1;
    }
  }
  const numeric = whole && m ** 3 < Number.MAX_SAFE_INTEGER;
  const index = new Map<number | string, number>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const counts: number[] = [];
  const group = new Int32Array(xs.length);
  for (let c = 0; c < xs.length; c++) {
    const key = numeric ? (xs[c]! * m + txs[c]!) * m + Ts[c]! : `${xs[c]}|${txs[c]}|${Ts[c]}`;
    let i = index.get(key);
    if (i === undefined) {
      i = x.length;
      index.set(key, i);
      x.push(xs[c]!);
      tx.push(txs[c]!);
      T.push(Ts[c]!);
      counts.push(0);
    }
    counts[i]!++;
    group[c] = i;
  }
  const gx = Float64Array.from(x);
  const gtx = Float64Array.from(tx);
  const gT = Float64Array.from(T);
  const dx = distinct(gx);
  const dtx = distinct(gtx);
  const dT = distinct(gT);
  return {
    grouped: {
      x: gx,
      tx: gtx,
      T: gT,
      count: Float64Array.from(counts),
      customers: xs.length,
      xs: dx.values,
      txs: dtx.values,
      Ts: dT.values,
      xIndex: dx.index,
      txIndex: dtx.index,
      TIndex: dT.index,
    },
    group,
  };
}

const logAddExp = (u: number, v: number): number => {
  const m = Math.max(u, v);
  return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
};

/**
 * Total log-likelihood (eq. 6 of the paper), in logs throughout for stability. The gamma-function
 * terms depend on x alone, so they are computed once per distinct x, not once per history.
 */
export function bgnbdLogLikelihood(p: BgNbdParams, g: GroupedHistories): number {
  const { r, alpha, a, b } = p;
  const lnA = Math.log(a);
  const common = gammaln(a + b) - gammaln(b) - gammaln(r) + r * Math.log(alpha);
  // Per distinct value: the gamma-function terms and ln(b + x - 1) by x, ln(alpha + t) by t_x and T.
  const lnA12ByX = new Float64Array(g.xs.length);
  const lnBxByX = new Float64Array(g.xs.length);
  g.xs.forEach((x, k) => {
    lnA12ByX[k] = common + gammaln(r + x) + gammaln(b + x) - gammaln(a + b + x);
    lnBxByX[k] = x > 0 ? Math.log(b + x - 1) : 0;
  });
  const lnTx = g.txs.map((t) => Math.log(alpha + t));
  const lnT = g.Ts.map((t) => Math.log(alpha + t));
  let total = 0;
  for (let i = 0; i < g.x.length; i++) {
    const x = g.x[i]!;
    const k = g.xIndex[i]!;
    const lnA3 = -(r + x) * lnT[g.TIndex[i]!]!;
    const ll =
      x > 0
        ? lnA12ByX[k]! + logAddExp(lnA3, lnA - lnBxByX[k]! - (r + x) * lnTx[g.txIndex[i]!]!)
        : lnA12ByX[k]! + lnA3;
    total += g.count[i]! * ll;
  }
  return total;
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  customers: number;
  distinctHistories: number;
}

/** Maximum likelihood over log-parameters (all four are positive), from `start` (yesterday's fit). */
export function fitBgNbd(histories: readonly History[], start?: BgNbdParams): BgNbdFit {
  return fitGroupedBgNbd(groupHistories(histories), start);
}

/** fitBgNbd over histories already grouped (groupHistoryColumns): the cost is per group. */
export function fitGroupedBgNbd(g: GroupedHistories, start?: BgNbdParams): BgNbdFit {
  if (g.customers === 0) throw new Error('BG/NBD needs at least one customer');
  const meanT = g.T.reduce((s, t, i) => s + t * g.count[i]!, 0) / g.customers;
  const s0 = start ?? { r: 1, alpha: Math.max(1, meanT / 2), a: 1, b: 1 };
  const toParams = (v: readonly number[]): BgNbdParams => ({
    r: Math.exp(v[0]!),
    alpha: Math.exp(v[1]!),
    a: Math.exp(v[2]!),
    b: Math.exp(v[3]!),
  });
  // Log-parameters are kept within ±LOG_BOUND: data without heterogeneity in one dimension push a
  // parameter pair to infinity, and the search then stops at the bound instead of running on.
  const negLL = (v: readonly number[]) =>
    v.some((x) => Math.abs(x) > LOG_BOUND) ? Number.POSITIVE_INFINITY : -bgnbdLogLikelihood(toParams(v), g);
  const result = minimiseWithRestart(negLL, [
    Math.log(s0.r),
    Math.log(s0.alpha),
    Math.log(s0.a),
    Math.log(s0.b),
  ]);
  return {
    params: toParams(result.x),
    logLikelihood: -result.fx,
    iterations: result.iterations,
    converged: result.converged,
    customers: g.customers,
    distinctHistories: g.x.length,
  };
}

/** P(alive | x, t_x, T) (eq. 13). */
export function pAlive(p: BgNbdParams, h: History): number {
  if (h.x === 0) return 1;
  const ratio =
    Math.log(p.a) -
    Math.log(p.b + h.x - 1) +
    (p.r + h.x) * (Math.log(p.alpha + h.T) - Math.log(p.alpha + h.tx));
  return 1 / (1 + Math.exp(ratio));
}

/** Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1, by its series. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100_000; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
    if (Math.abs(term) < 1e-15 * Math.abs(sum)) return sum;
  }
  return sum;
}

/** Expected transactions in the next `t` time units, given the history (eq. 10). */
export function expectedPurchases(p: BgNbdParams, h: History, t: number): number {
  const { r, alpha, a, b } = p;
  const { x, tx, T } = h;
  // The closed form divides by a - 1 (valid on both sides of 1); at exactly 1 take the nearby value.
  if (a === 1) return expectedPurchases({ ...p, a: 1 + 1e-9 }, h, t);
  const z = t / (alpha + T + t);
  const lead = (a + b + x - 1) / (a - 1);
  const inner =
    1 - Math.exp((r + x) * Math.log((alpha + T) / (alpha + T + t))) * hyp2f1(r + x, b + x, a + b + x - 1, z);
  const denom =
    1 +
    (x > 0
      ? Math.exp(Math.log(a) - Math.log(b + x - 1) + (r + x) * Math.log((alpha + T) / (alpha + tx)))
      : 0);
  return (lead * inner) / denom;
}
