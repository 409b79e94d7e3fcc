/**
 * Additive-error exponential smoothing (ETS) state space models, fitted by maximum likelihood
 * (Hyndman, Koehler, Ord & Snyder 2008, "Forecasting with Exponential Smoothing", ch. 2 and 5;
 * FPP3 §8.5-8.6), the way R's forecast::ets fits them:
 * - ETS(A,N,N): level only (simple exponential smoothing);
 * - ETS(A,N,A): level and an additive weekly season;
 * - ETS(A,Ad,N): level and a damped trend.
 * The smoothing parameters maximise the Gaussian likelihood (for additive errors: minimise
 * n·log(SSE/n)) by Nelder-Mead on logit scales. The initial states are, for given smoothing
 * parameters, a linear least-squares problem (the one-step errors of a linear state space model are
 * linear in the initial state), solved exactly at the optimum; during the search ETS(A,N,N) solves it
 * at every step (two passes) and the larger models start from the heuristic the search refines.
 */
import { solveSymmetric } from './linear.ts';
import { minimise } from './minimise.ts';

export const SEASON = 7;

export type EtsKind = 'ANN' | 'ANA' | 'AAdN';

export interface EtsFit {
  kind: EtsKind;
  /** Smoothing parameters by name (alpha, gamma, beta, phi). */
  params: Record<string, number>;
  /** Initial state: level [, trend] [, seven seasonal terms by weekday phase]. */
  initial: number[];
  n: number;
  sse: number;
  /** Residual variance of the one-step errors, SSE / (n − parameters). */
  sigma2: number;
  /** Parameters counted as R's ets counts them: smoothing, free initial states and the variance. */
  npars: number;
  aicc: number;
  /** Writes into `out` the forecasts for times t .. t+h−1 made with y[0 .. t−1] seen (0 ≤ t ≤ n). */
  from(t: number, h: number, out: Float64Array): void;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/** Smoothing parameters: alpha; gamma (ANA) or beta (AAdN) as `second`; phi (AAdN). */
interface Smoothing {
  alpha: number;
  second: number;
  phi: number;
}

/** Smoothing parameters from the search's unbounded coordinates (R's usual region, kept off the edges). */
function smoothing(kind: EtsKind, x: ArrayLike<number>, out: Smoothing): Smoothing {
  const alpha = 1e-4 + (1 - 2e-4) * logistic(x[0]!);
  out.alpha = alpha;
  out.second = 0;
  out.phi = 1;
  if (kind === 'ANA') out.second = 1e-4 + (1 - alpha - 2e-4) * logistic(x[1]!);
  else if (kind === 'AAdN') {
    out.second = 1e-4 + (alpha - 2e-4) * logistic(x[1]!);
    out.phi = 0.8 + 0.18 * logistic(x[2]!);
  }
  return out;
}

function named(kind: EtsKind, p: Smoothing): Record<string, number> {
  if (kind === 'ANN') return { alpha: p.alpha };
  if (kind === 'ANA') return { alpha: p.alpha, gamma: p.second };
  return { alpha: p.alpha, beta: p.second, phi: p.phi };
}

function stateSize(kind: EtsKind): number {
  return kind === 'ANN' ? 1 : kind === 'AAdN' ? 2 : 1 + SEASON;
}

const seasonScratch = new Float64Array(SEASON);

/**
 * Runs the model over y from the initial state x0, writing the one-step errors into `e` and, when
 * given, the state after each observation into `states` ((n + 1) × state size, row 0 = x0).
 * Returns the sum of squared errors.
 */
function filter(
  kind: EtsKind,
  p: Smoothing,
  y: ArrayLike<number>,
  x0: ArrayLike<number>,
  e: Float64Array | null,
  states: Float64Array | null,
): number {
  const n = y.length;
  const alpha = p.alpha;
  let sse = 0;
  if (kind === 'ANN') {
    let l = x0[0]!;
    if (states) states[0] = l;
    for (let t = 0; t < n; t++) {
      const err = y[t]! - l;
      l += alpha * err;
      sse += err * err;
      if (e) e[t] = err;
      if (states) states[t + 1] = l;
    }
    return sse;
  }
  if (kind === 'AAdN') {
    const beta = p.second;
    const phi = p.phi;
    let l = x0[0]!;
    let b = x0[1]!;
    if (states) {
      states[0] = l;
      states[1] = b;
    }
    for (let t = 0; t < n; t++) {
      const err = y[t]! - l - phi * b;
      l += phi * b + alpha * err;
      b = phi * b + beta * err;
      sse += err * err;
      if (e) e[t] = err;
      if (states) {
        states[2 * t + 2] = l;
        states[2 * t + 3] = b;
      }
    }
    return sse;
  }
  const gamma = p.second;
  let l = x0[0]!;
  const s = seasonScratch;
  for (let j = 0; j < SEASON; j++) s[j] = x0[1 + j]!;
  const width = 1 + SEASON;
  if (states) {
    states[0] = l;
    states.set(s, 1);
  }
  for (let t = 0, j = 0; t < n; t++, j = j === SEASON - 1 ? 0 : j + 1) {
    const err = y[t]! - l - s[j]!;
    l += alpha * err;
    s[j] = s[j]! + gamma * err;
    sse += err * err;
    if (e) e[t] = err;
    if (states) {
      const at = (t + 1) * width;
      states[at] = l;
      states.set(s, at + 1);
    }
  }
  return sse;
}

/**
 * Least-squares initial state for given smoothing parameters. The free coordinates are the level
 * [, trend] and six seasonal terms; the seventh is minus their sum (seasonal terms sum to zero).
 */
function initialState(kind: EtsKind, p: Smoothing, y: ArrayLike<number>): number[] {
  const n = y.length;
  const size = stateSize(kind);
  const free = kind === 'ANA' ? SEASON : size; // level + 6 seasonal terms
  const base = new Float64Array(n);
  filter(kind, p, y, new Float64Array(size), base, null);
  const zeros = new Float64Array(n);
  // Column i: the errors' response to a unit of free coordinate i, with no data (linearity).
  const cols: Float64Array[] = [];
  for (let i = 0; i < free; i++) {
    const unit = new Float64Array(size);
    if (kind === 'ANA' && i > 0) {
      unit[i] = 1;
      unit[SEASON] = -1;
    } else unit[i] = 1;
    const col = new Float64Array(n);
    filter(kind, p, zeros, unit, col, null);
    cols.push(col);
  }
  // e = base + Σ x_i col_i; minimise |e|² → (CᵀC) x = −Cᵀ base.
  const a = Array.from({ length: free }, () => new Float64Array(free));
  const rhs = new Float64Array(free);
  for (let i = 0; i < free; i++) {
    const ci = cols[i]!;
    let r = 0;
    for (let t = 0; t < n; t++) r += ci[t]! * base[t]!;
    rhs[i] = -r;
    for (let j = 0; j <= i; j++) {
      const cj = cols[j]!;
      let v = 0;
      for (let t = 0; t < n; t++) v += ci[t]! * cj[t]!;
      a[i]![j] = v;
      a[j]![i] = v;
    }
  }
  const x = solveSymmetric(a, rhs);
  if (kind !== 'ANA') return Array.from(x);
  const seasonal = Array.from(x.subarray(1));
  seasonal.push(-seasonal.reduce((s, v) => s + v, 0));
  return [x[0]!, ...seasonal];
}

/** A starting state: mean of the first fortnight, weekday deviations over the whole history. */
function heuristicState(kind: EtsKind, y: ArrayLike<number>): number[] {
  const n = y.length;
  let head = 0;
  const first = Math.min(n, 14);
  for (let t = 0; t < first; t++) head += y[t]!;
  head /= Math.max(1, first);
  if (kind === 'ANN') return [head];
  if (kind === 'AAdN') return [head, 0];
  const sums = new Float64Array(SEASON);
  const counts = new Float64Array(SEASON);
  let total = 0;
  for (let t = 0; t < n; t++) {
    sums[t % SEASON] = sums[t % SEASON]! + y[t]!;
    counts[t % SEASON] = counts[t % SEASON]! + 1;
    total += y[t]!;
  }
  const mean = total / Math.max(1, n);
  return [head, ...Array.from(sums, (s, j) => (counts[j] ? s / counts[j]! - mean : 0))];
}

const START: Record<EtsKind, number[]> = {
  ANN: [logit(0.1)],
  ANA: [logit(0.1), logit(0.05)],
  AAdN: [logit(0.1), logit(0.1), 0],
};

/**
 * ETS(A,N,N)'s SSE at its least-squares initial level, in one pass: with level 0 to start, the errors
 * are r_t, and a start of l0 lowers error t by (1 − α)^t·l0; so SSE(l0) = Σr² − 2l0Σrs + l0²Σs².
 */
function annProfileSse(alpha: number, y: ArrayLike<number>): number {
  let l = 0;
  let s = 1;
  let rr = 0;
  let rs = 0;
  let ss = 0;
  for (let t = 0; t < y.length; t++) {
    const r = y[t]! - l;
    rr += r * r;
    rs += r * s;
    ss += s * s;
    l += alpha * r;
    s *= 1 - alpha;
  }
  return ss > 0 ? rr - (rs * rs) / ss : rr;
}

/** Fits one ETS model by maximum likelihood. Needs n ≥ 2 (ANA: n ≥ 2 weeks). */
export function fitEts(kind: EtsKind, y: ArrayLike<number>): EtsFit {
  const n = y.length;
  const size = stateSize(kind);
  const heuristic = heuristicState(kind, y);
  const p = { alpha: 0, second: 0, phi: 1 };
  const objective = (x: Float64Array) => {
    smoothing(kind, x, p);
    const sse = kind === 'ANN' ? annProfileSse(p.alpha, y) : filter(kind, p, y, heuristic, null, null);
    return n * Math.log(Math.max(sse, 1e-12) / n);
  };
  const best = minimise(objective, START[kind], { step: 1, ftol: 1e-2, maxEvals: 40 * START[kind].length });
  const fitted = smoothing(kind, best.x, { alpha: 0, second: 0, phi: 1 });
  const params = named(kind, fitted);
  const initial = initialState(kind, fitted, y);
  const states = new Float64Array((n + 1) * size);
  const sse = filter(kind, fitted, y, initial, null, states);
  const freeStates = kind === 'ANA' ? SEASON : size;
  const npars = Object.keys(params).length + freeStates + 1;
  const loglik = -0.5 * n * (Math.log((2 * Math.PI * Math.max(sse, 1e-12)) / n) + 1);
  const aic = -2 * loglik + 2 * npars;
  const aicc =
    n - npars - 1 > 0 ? aic + (2 * npars * (npars + 1)) / (n - npars - 1) : Number.POSITIVE_INFINITY;
  const from = (t: number, h: number, out: Float64Array) => {
    if (kind === 'ANN') out.fill(states[t]!, 0, h);
    else if (kind === 'AAdN') {
      const l = states[2 * t]!;
      const b = states[2 * t + 1]!;
      let damp = 0;
      for (let k = 0; k < h; k++) {
        damp = fitted.phi * (1 + damp);
        out[k] = l + damp * b;
      }
    } else {
      const at = t * size;
      for (let k = 0; k < h; k++) out[k] = states[at]! + states[at + 1 + ((t + k) % SEASON)]!;
    }
  };
  return {
    kind,
    params,
    initial,
    n,
    sse,
    sigma2: sse / Math.max(1, n - npars + 1),
    npars,
    aicc,
    from,
  };
}
