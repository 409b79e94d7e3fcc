/**
 * Daily demand forecasts per series, with 95 % prediction intervals. Method (details in
 * docs/forecasting.md):
 * 1. The history starts at the first sale: a new SKU's days before launch are not demand of zero.
 * 2. Additive-error ETS models fitted by maximum likelihood (forecast/ets.ts): ETS(A,N,N) always,
 *    ETS(A,N,A) (weekly season) from two weeks of history, ETS(A,Ad,N) (damped trend) from two weeks.
 *    Their forecasts are combined with Akaike weights from AICc (Burnham & Anderson 2002, §2.9).
 * 3. Intermittent series (a quarter or more of the days without a sale) also get TSB
 *    (forecast/intermittent.ts); the ETS combination and TSB are then averaged with weights inverse
 *    to their rolling-origin mean squared error.
 * 4. Rolling origins: every 7 days back from the end, each origin forecasts up to `horizon` days with
 *    what it had seen (parameters from the whole fit). Their squared errors give the interval's
 *    variance; their absolute errors over the in-sample weekly-naive MAE give the diagnostic MASE.
 * 5. The 95 % interval is a count distribution's (forecast/interval.ts) with the forecast as mean and
 *    the rolling-origin mean squared error as variance.
 */
import { naiveScale } from './forecast/accuracy.ts';
import { type EtsFit, type EtsKind, fitEts, SEASON } from './forecast/ets.ts';
import { fitTsb } from './forecast/intermittent.ts';
import { countInterval, type Interval, normalInterval } from './forecast/interval.ts';

export { mase, naiveScale, rmsse } from './forecast/accuracy.ts';
export { type EtsFit, fitEts, SEASON } from './forecast/ets.ts';
export { croston, fitTsb, sba, tsb } from './forecast/intermittent.ts';

export type Method = 'ets' | 'ets+tsb' | 'mean' | 'none';

/** The prediction interval's coverage. */
export const INTERVAL_LEVEL = 0.95;
/** Days of history (from the first sale) below which the rolling-origin figures are not reported. */
export const MIN_JUDGED_DAYS = 56;
/** A series is intermittent when at least this share of its days (from the first sale) had no sale. */
export const INTERMITTENT_ZERO_SHARE = 0.25;

export interface SeriesForecast {
  method: Method;
  /** The fitted models, their weights and parameters. */
  params: string;
  /** Rolling-origin MASE of the forecaster; null when the history is too short to judge. */
  mase: number | null;
  /** Rolling-origin MASE of the weekly seasonal naive forecast on the same origins. */
  naiveMase: number | null;
  /** Daily demand error sd implied by the 95 % intervals (see intervalSd). */
  demandSd: number;
  forecast: { mean: number; lower: number; upper: number }[];
}

/** Weekly seasonal naive: each day is the same weekday of the last week seen. */
export function seasonalNaive(y: readonly number[], h: number, m = SEASON): number[] {
  if (y.length === 0) return Array(h).fill(0);
  return Array.from({ length: h }, (_, k) => {
    const i = y.length - m + (k % m);
    return y[i >= 0 ? i : y.length - 1]!;
  });
}

/** SES with the first observation as initial level; returns the flat forecast. */
export function ses(y: readonly number[], alpha: number): number {
  let level = y[0] ?? 0;
  for (let t = 1; t < y.length; t++) level = alpha * y[t]! + (1 - alpha) * level;
  return level;
}

/** The daily sd a 95 % interval implies, (upper − lower) / (2 × 1.96), averaged over the days. */
export function intervalSd(points: readonly { lower: number; upper: number }[]): number {
  if (points.length === 0) return 0;
  let sum = 0;
  for (const p of points) sum += p.upper - p.lower;
  return sum / points.length / (2 * 1.959963984540054);
}

/** A fitted candidate: forecasts from any origin t (having seen y[0 .. t−1]). */
interface Candidate {
  label: string;
  from(t: number, h: number, out: Float64Array): void;
}

const fmt = (v: number) => Number(v.toPrecision(3)).toString();

function etsCandidate(y: Float64Array): Candidate & { fits: { fit: EtsFit; weight: number }[] } {
  const kinds: EtsKind[] = ['ANN'];
  if (y.length >= 2 * SEASON) kinds.push('ANA', 'AAdN');
  const fits = kinds.map((k) => fitEts(k, y)).filter((f) => Number.isFinite(f.aicc));
  const usable = fits.length ? fits : [fitEts('ANN', y)];
  const best = Math.min(...usable.map((f) => f.aicc));
  const raw = usable.map((f) => (Number.isFinite(best) ? Math.exp(-0.5 * (f.aicc - best)) : 1));
  const total = raw.reduce((a, b) => a + b, 0);
  const weighted = usable.map((fit, i) => ({ fit, weight: raw[i]! / total })).filter((w) => w.weight > 1e-3);
  const norm = weighted.reduce((a, w) => a + w.weight, 0);
  for (const w of weighted) w.weight /= norm;
  const buffer = new Float64Array(0);
  let scratch = buffer;
  return {
    fits: weighted,
    label: weighted
      .map(
        ({ fit, weight }) =>
          `ETS(${fit.kind === 'AAdN' ? 'A,Ad,N' : fit.kind.split('').join(',')}) w=${fmt(weight)} ${Object.entries(
            fit.params,
          )
            .map(([k, v]) => `${k}=${fmt(v)}`)
            .join(' ')}`,
      )
      .join('; '),
    from(t, h, out) {
      if (scratch.length < h) scratch = new Float64Array(h);
      out.fill(0, 0, h);
      for (const { fit, weight } of weighted) {
        fit.from(t, h, scratch);
        for (let k = 0; k < h; k++) out[k] = out[k]! + weight * scratch[k]!;
      }
    },
  };
}

function tsbCandidate(y: Float64Array): Candidate {
  const fit = fitTsb(y);
  return {
    label: `TSB alpha=${fmt(fit.alpha)} beta=${fmt(fit.beta)}`,
    from: (t, h, out) => out.fill(fit.at(t), 0, h),
  };
}

/** Rolling origins: every week back from the last day, keeping two weeks of history before each. */
function origins(n: number): number[] {
  const out: number[] = [];
  for (let t = n - SEASON; t >= 2 * SEASON && out.length < 12; t -= SEASON) out.push(t);
  return out;
}

/** Squared and absolute errors of a candidate over the rolling origins (forecasts cut at zero). */
function rollingErrors(c: Candidate, y: Float64Array, at: number[], horizon: number) {
  const f = new Float64Array(horizon);
  let sq = 0;
  let abs = 0;
  let count = 0;
  for (const t of at) {
    const h = Math.min(horizon, y.length - t);
    c.from(t, h, f);
    for (let k = 0; k < h; k++) {
      const e = y[t + k]! - Math.max(0, f[k]!);
      sq += e * e;
      abs += Math.abs(e);
      count++;
    }
  }
  return { mse: count ? sq / count : Number.NaN, mae: count ? abs / count : Number.NaN, count };
}

function naiveErrors(y: Float64Array, at: number[], horizon: number): number {
  let abs = 0;
  let count = 0;
  for (const t of at) {
    for (let k = 0; k < Math.min(horizon, y.length - t); k++) {
      abs += Math.abs(y[t + k]! - y[t - SEASON + (k % SEASON)]!);
      count++;
    }
  }
  return abs / Math.max(1, count);
}

const flatForecast = (mean: number, interval: Interval, horizon: number) =>
  Array.from({ length: horizon }, () => ({ mean, ...interval }));

export function forecastSeries(history: readonly number[], horizon: number): SeriesForecast {
  const first = history.findIndex((v) => v > 0);
  if (first < 0) {
    return {
      method: 'none',
      params: 'no sales in the history',
      mase: null,
      naiveMase: null,
      demandSd: 0,
      forecast: flatForecast(0, { lower: 0, upper: 0 }, horizon),
    };
  }
  const y = Float64Array.from(history.slice(first));
  const n = y.length;
  const counts = y.every(Number.isInteger);
  const interval = (mean: number, variance: number) =>
    counts ? countInterval(mean, variance, INTERVAL_LEVEL) : normalInterval(mean, variance, INTERVAL_LEVEL);
  if (n < 3) {
    // One or two days of sales: their mean, with the variance of a Poisson-gamma of that mean.
    const mean = y.reduce((a, b) => a + b, 0) / n;
    const fc = flatForecast(mean, interval(mean, mean + mean * mean), horizon);
    return {
      method: 'mean',
      params: `first ${n} day(s) of sales`,
      mase: null,
      naiveMase: null,
      demandSd: intervalSd(fc),
      forecast: fc,
    };
  }
  const candidates: Candidate[] = [etsCandidate(y)];
  let zeros = 0;
  for (const v of y) if (v === 0) zeros++;
  const intermittent = n >= 2 * SEASON && zeros / n >= INTERMITTENT_ZERO_SHARE;
  if (intermittent) candidates.push(tsbCandidate(y));
  const at = origins(n);
  const errors = candidates.map((c) => rollingErrors(c, y, at, horizon));
  // Weights inverse to rolling-origin MSE (a single candidate, or no origins: equal weights).
  const inverse = errors.map((e) => (e.count && e.mse > 0 ? 1 / e.mse : 1));
  const total = inverse.reduce((a, b) => a + b, 0);
  const weights = inverse.map((w) => w / total);
  const combined: Candidate = {
    label: candidates.length === 1 ? candidates[0]!.label : '',
    from(t, h, out) {
      const tmp = new Float64Array(h);
      out.fill(0, 0, h);
      candidates.forEach((c, i) => {
        c.from(t, h, tmp);
        for (let k = 0; k < h; k++) out[k] = out[k]! + weights[i]! * tmp[k]!;
      });
    },
  };
  const own = candidates.length === 1 ? errors[0]! : rollingErrors(combined, y, at, horizon);
  const mean = new Float64Array(horizon);
  combined.from(n, horizon, mean);
  // Variance: rolling-origin MSE when there are a few weeks of errors; else the one-step ETS variance.
  const ets = (candidates[0] as ReturnType<typeof etsCandidate>).fits;
  const oneStep = ets.reduce((a, w) => a + w.weight * w.fit.sigma2, 0);
  const variance = own.count >= 4 * SEASON ? Math.max(own.mse, oneStep) : oneStep * 1.5;
  const forecast = Array.from(mean, (m) => {
    const point = Math.max(0, m);
    return { mean: point, ...interval(point, variance) };
  });
  const scale = naiveScale(y);
  const judged = n >= MIN_JUDGED_DAYS && scale !== null && own.count > 0;
  return {
    method: candidates.length === 1 ? 'ets' : 'ets+tsb',
    params:
      candidates.length === 1
        ? combined.label
        : candidates.map((c, i) => `[w=${fmt(weights[i]!)}] ${c.label}`).join(' + '),
    mase: judged ? own.mae / scale.mae : null,
    naiveMase: judged ? naiveErrors(y, at, horizon) / scale.mae : null,
    demandSd: intervalSd(forecast),
    forecast,
  };
}
