/**
 * Daily demand forecasts per series, with the method chosen by backtest. Methods:
 * - seasonal naive (weekly): tomorrow is the same weekday last week;
 * - simple exponential smoothing (SES, Hyndman & Athanasopoulos, FPP3 §8.1);
 * - additive Holt-Winters with a weekly season (FPP3 §8.3: level, trend, season, grid-fitted);
 * - Croston (1972) for intermittent demand: smoothed non-zero demand over smoothed interval;
 * - TSB (Teunter, Syntetos & Babai 2011): smoothed demand size times smoothed probability of demand.
 * The last `holdout` days are forecast from the rest; the method with the lowest MASE (mean absolute
 * error scaled by the in-sample seasonal-naive error, Hyndman & Koehler 2006) is refit on the whole
 * series. The 95 % interval is the point forecast ± 1.96 × the backtest RMSE (never below 0).
 */

export const SEASON = 7;

export type Method = 'seasonal_naive' | 'ses' | 'holt_winters' | 'croston' | 'tsb';

/** Forecasts `h` steps from a series (oldest first). */
type Forecaster = (y: readonly number[], h: number) => number[];

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

/** Additive Holt-Winters; initial level = mean of the first season, trend 0, seasons = first-season deviations. */
export function holtWinters(
  y: readonly number[],
  h: number,
  alpha: number,
  beta: number,
  gamma: number,
  m = SEASON,
): number[] {
  if (y.length < 2 * m) return seasonalNaive(y, h, m);
  let level = y.slice(0, m).reduce((a, b) => a + b, 0) / m;
  let trend = 0;
  const season = y.slice(0, m).map((v) => v - level);
  for (let t = m; t < y.length; t++) {
    const s = season[t % m]!;
    const prevLevel = level;
    level = alpha * (y[t]! - s) + (1 - alpha) * (level + trend);
    trend = beta * (level - prevLevel) + (1 - beta) * trend;
    season[t % m] = gamma * (y[t]! - level) + (1 - gamma) * s;
  }
  return Array.from({ length: h }, (_, k) => level + (k + 1) * trend + season[(y.length + k) % m]!);
}

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

const flat = (v: number, h: number) => Array(h).fill(v) as number[];

/** Every candidate: a method with one parameter setting. */
const CANDIDATES: [Method, string, Forecaster][] = [
  ['seasonal_naive', '', (y, h) => seasonalNaive(y, h)],
  ...[0.1, 0.3, 0.6].map((a): [Method, string, Forecaster] => [
    'ses',
    `alpha=${a}`,
    (y, h) => flat(ses(y, a), h),
  ]),
  ...[0.1, 0.3].flatMap((a) =>
    [0, 0.05].flatMap((b) =>
      [0.05, 0.2].map((g): [Method, string, Forecaster] => [
        'holt_winters',
        `alpha=${a},beta=${b},gamma=${g}`,
        (y, h) => holtWinters(y, h, a, b, g),
      ]),
    ),
  ),
  ...[0.1, 0.3].map((a): [Method, string, Forecaster] => [
    'croston',
    `alpha=${a}`,
    (y, h) => flat(croston(y, a), h),
  ]),
  ...[0.1, 0.3].map((a): [Method, string, Forecaster] => [
    'tsb',
    `alpha=${a},beta=${a}`,
    (y, h) => flat(tsb(y, a, a), h),
  ]),
];

/** MASE of a forecast of `actual`, scaled by the in-sample seasonal-naive MAE of `train`. */
export function mase(
  train: readonly number[],
  actual: readonly number[],
  forecast: readonly number[],
): number | null {
  let scale = 0;
  for (let t = SEASON; t < train.length; t++) scale += Math.abs(train[t]! - train[t - SEASON]!);
  scale /= Math.max(1, train.length - SEASON);
  if (scale === 0 || actual.length === 0) return null;
  const mae = actual.reduce((a, v, i) => a + Math.abs(v - forecast[i]!), 0) / actual.length;
  return mae / scale;
}

export interface SeriesForecast {
  method: Method;
  params: string;
  /** Backtest MASE of the chosen method (null: no variation to scale by). */
  mase: number | null;
  /** MASE of seasonal naive on the same backtest (1 by construction only in-sample). */
  naiveMase: number | null;
  rmse: number;
  forecast: { mean: number; lower: number; upper: number }[];
}

export function forecastSeries(y: readonly number[], horizon: number, holdout = 28): SeriesForecast {
  const canBacktest = y.length >= holdout + 2 * SEASON;
  const train = canBacktest ? y.slice(0, y.length - holdout) : y;
  const test = canBacktest ? y.slice(y.length - holdout) : [];
  let best: { c: (typeof CANDIDATES)[number]; score: number; rmse: number } | undefined;
  let naive: number | null = null;
  for (const c of CANDIDATES) {
    if (!canBacktest) break;
    const f = c[2](train, holdout).map((v) => Math.max(0, v));
    const score = mase(train, test, f);
    if (c[0] === 'seasonal_naive') naive = score;
    const rmse = Math.sqrt(test.reduce((a, v, i) => a + (v - f[i]!) ** 2, 0) / test.length);
    // Without a scale (a constant history) candidates are ranked by RMSE.
    const rank = score ?? rmse;
    if (!best || rank < best.score) best = { c, score: rank, rmse };
  }
  const chosen = best?.c ?? CANDIDATES[1]!; // too short to backtest: SES with alpha 0.1
  const rmse = best?.rmse ?? 0;
  const mean = chosen[2](y, horizon).map((v) => Math.max(0, v));
  return {
    method: chosen[0],
    params: chosen[1],
    mase:
      best && canBacktest
        ? mase(
            train,
            test,
            chosen[2](train, holdout).map((v) => Math.max(0, v)),
          )
        : null,
    naiveMase: naive,
    rmse,
    forecast: mean.map((m) => ({ mean: m, lower: Math.max(0, m - 1.96 * rmse), upper: m + 1.96 * rmse })),
  };
}
