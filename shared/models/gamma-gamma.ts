/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
 * customer base analysis", JMR 42(4); Colombo & Jiang 1999): a customer's transaction values are
 * gamma(p, nu) with nu ~ gamma(q, gamma) across customers. Fitted over customers with repeat
 * transactions on the mean value m_x of their x repeat transactions.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import { LOG_BOUND, minimiseWithRestart } from './nelder-mead.ts';

export interface Spend {
  /** Repeat transactions (>= 1). */
  x: number;
  /** Mean value of the repeat transactions. */
  mx: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** Spends prepared for repeated likelihood evaluation: ln m_x once, gamma terms per distinct x. */
export interface PreparedSpends {
  x: Float64Array;
  mx: Float64Array;
  lnMx: Float64Array;
  lnX: Float64Array;
  xs: Float64Array;
  xIndex: Int32Array;
}

export function prepareSpends(spends: readonly Spend[]): PreparedSpends {
  return prepareSpendColumns(
    Float64Array.from(spends, (s) => s.x),
    Float64Array.from(spends, (s) => s.mx),
  );
}

/** prepareSpends of spends given column by column. */
export function prepareSpendColumns(x: Float64Array, mx: Float64Array): PreparedSpends {
  const ids = new Map<number, number>();
  const xIndex = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let id = ids.get(x[i]!);
    if (id === undefined) {
      id = ids.size;
      ids.set(x[i]!, id);
    }
    xIndex[i] = id;
  }
  return {
    x,
    mx,
    lnMx: mx.map((v) => Math.log(v)),
    lnX: x.map((v) => Math.log(v)),
    xs: Float64Array.from(ids.keys()),
    xIndex,
  };
}

/** Log-likelihood of the x-transaction mean m_x, summed over customers. */
export function gammaGammaLogLikelihood(
  params: GammaGammaParams,
  spends: readonly Spend[] | PreparedSpends,
): number {
  const s = 'lnMx' in spends ? spends : prepareSpends(spends);
  const { p, q, gamma } = params;
  const constant = q * Math.log(gamma) - gammaln(q);
  const byX = s.xs.map((x) => gammaln(p * x + q) - gammaln(p * x));
  let total = 0;
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i]!;
    total +=
      byX[s.xIndex[i]!]! +
      constant +
      (p * x - 1) * s.lnMx[i]! +
      p * x * s.lnX[i]! -
      (p * x + q) * Math.log(x * s.mx[i]! + gamma);
  }
  return total;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  iterations: number;
  customers: number;
}

export function fitGammaGamma(spends: readonly Spend[], start?: GammaGammaParams): GammaGammaFit {
  return fitGammaGammaColumns(
    Float64Array.from(spends, (s) => s.x),
    Float64Array.from(spends, (s) => s.mx),
    start,
  );
}

/** fitGammaGamma over spends given column by column (x and m_x per customer). */
export function fitGammaGammaColumns(
  xs: ArrayLike<number>,
  mxs: ArrayLike<number>,
  start?: GammaGammaParams,
): GammaGammaFit {
  const usableX: number[] = [];
  const usableMx: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]! >= 1 && mxs[i]! > 0) {
      usableX.push(xs[i]!);
      usableMx.push(mxs[i]!);
    }
  }
  if (usableX.length === 0)
    throw new Error('Gamma-Gamma needs customers with repeat transactions of positive value');
  const s0 = start ?? { p: 1, q: 1, gamma: 1 };
  const toParams = (v: readonly number[]): GammaGammaParams => ({
    p: Math.exp(v[0]!),
    q: Math.exp(v[1]!),
    gamma: Math.exp(v[2]!),
  });
  const prepared = prepareSpendColumns(Float64Array.from(usableX), Float64Array.from(usableMx));
  const negLL = (v: readonly number[]) =>
    v.some((x) => Math.abs(x) > LOG_BOUND)
      ? Number.POSITIVE_INFINITY
      : -gammaGammaLogLikelihood(toParams(v), prepared);
  const result = minimiseWithRestart(negLL, [Math.log(s0.p), Math.log(s0.q), Math.log(s0.gamma)]);
  return {
    params: toParams(result.x),
    logLikelihood: -result.fx,
    iterations: result.iterations,
    customers: usableX.length,
  };
}

/**
 * E[M | x, m_x]: the customer's expected transaction value, a weighted mean of the population mean
 * p*gamma/(q-1) and their own m_x. A customer with no repeat transactions gets the population mean.
 */
export function expectedAverageValue(params: GammaGammaParams, s: Spend): number {
  const { p, q, gamma } = params;
  if (s.x < 1) return (p * gamma) / (q - 1);
  return (p * (gamma + s.x * s.mx)) / (p * s.x + q - 1);
}
