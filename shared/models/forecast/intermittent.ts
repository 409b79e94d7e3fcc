/**
 * Intermittent demand. Croston (1972) smooths the sizes of non-zero demands and the intervals between
 * them; Syntetos & Boylan (2005, SBA) remove Croston's bias with the factor (1 − α/2); TSB (Teunter,
 * Syntetos & Babai 2011) smooths the probability of a demand every period instead of the interval,
 * so the forecast decays when an item stops selling. The run uses TSB, its two smoothing parameters
 * chosen by least one-step squared error (Nelder-Mead on logit scales), started from the history's
 * share of demand days and mean demand size.
 */
import { minimise } from './minimise.ts';

/**
 * Croston: after each non-zero demand z, size ← size + α(z − size) and interval ← interval + α(q − interval),
 * q being the periods since the last demand. Initialised with the first demand and its position.
 */
export function croston(y: readonly number[], alpha: number): number {
  let size: number | undefined;
  let interval = 1;
  let since = 0;
  for (const v of y) {
    since++;
    if (v <= 0) continue;
    if (size === undefined) {
      size = v;
      interval = since;
    } else {
      size += alpha * (v - size);
      interval += alpha * (since - interval);
    }
    since = 0;
  }
  return size === undefined ? 0 : size / interval;
}

/** SBA: Croston times (1 − α/2), which removes most of Croston's positive bias. */
export const sba = (y: readonly number[], alpha: number): number => (1 - alpha / 2) * croston(y, alpha);

/** TSB: probability p ← p + β(1[demand] − p) every period; size ← size + α(z − size) on demand. */
export function tsb(y: readonly number[], alpha: number, beta: number): number {
  const first = y.findIndex((v) => v > 0);
  if (first < 0) return 0;
  let size = y[first]!;
  let p = 1 / (first + 1);
  for (let t = first + 1; t < y.length; t++) {
    const v = y[t]!;
    p += beta * ((v > 0 ? 1 : 0) - p);
    if (v > 0) size += alpha * (v - size);
  }
  return p * size;
}

export interface TsbFit {
  alpha: number;
  beta: number;
  /** One-step squared error sum and its variance estimate. */
  sse: number;
  sigma2: number;
  /** Forecast made with y[0 .. t−1] seen (flat over the horizon). */
  at(t: number): number;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** One pass of TSB from (p0, z0); writes the forecast before each period into `f` (length n + 1). */
function runTsb(
  y: ArrayLike<number>,
  alpha: number,
  beta: number,
  p0: number,
  z0: number,
  f: Float64Array | null,
) {
  let p = p0;
  let z = z0;
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const fc = p * z;
    if (f) f[t] = fc;
    const v = y[t]!;
    sse += (v - fc) * (v - fc);
    if (v > 0) {
      p += beta * (1 - p);
      z += alpha * (v - z);
    } else p -= beta * p;
  }
  if (f) f[y.length] = p * z;
  return sse;
}

/** Fits TSB by least one-step squared error; parameters kept in (0.001, 0.5) as the literature advises. */
export function fitTsb(y: ArrayLike<number>): TsbFit {
  const n = y.length;
  let demands = 0;
  let total = 0;
  for (let t = 0; t < n; t++) {
    if (y[t]! > 0) {
      demands++;
      total += y[t]!;
    }
  }
  const p0 = demands / Math.max(1, n);
  const z0 = demands ? total / demands : 0;
  const bounded = (x: number) => 0.001 + 0.499 * logistic(x);
  // Least squares, on the scale of a log-likelihood so the stopping tolerance means the same as in ETS.
  const best = minimise(
    (x) => n * Math.log(Math.max(1e-12, runTsb(y, bounded(x[0]!), bounded(x[1]!), p0, z0, null)) / n),
    [-2, -3],
    { step: 1, ftol: 1e-3, maxEvals: 80 },
  );
  const alpha = bounded(best.x[0]!);
  const beta = bounded(best.x[1]!);
  const f = new Float64Array(n + 1);
  const sse = runTsb(y, alpha, beta, p0, z0, f);
  return { alpha, beta, sse, sigma2: sse / Math.max(1, n - 4), at: (t) => f[t]! };
}
