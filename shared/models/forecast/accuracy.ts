/**
 * Accuracy measures, scaled so that series of any size compare: MASE (Hyndman & Koehler 2006) is the
 * mean absolute error over the in-sample mean absolute error of the weekly seasonal naive forecast;
 * RMSSE (the M5 competition's measure, with the weekly seasonal naive as its scale here too) is the
 * root mean squared error over the root mean squared seasonal-naive error. The scale is taken over
 * the whole history it is given: a long history is what keeps it from shrinking to nearly nothing.
 */
import { SEASON } from './ets.ts';

/** In-sample mean absolute and mean squared weekly-naive errors; null below two weeks or without variation. */
export function naiveScale(history: ArrayLike<number>): { mae: number; mse: number } | null {
  let abs = 0;
  let sq = 0;
  const n = history.length;
  if (n <= SEASON) return null;
  for (let t = SEASON; t < n; t++) {
    const d = history[t]! - history[t - SEASON]!;
    abs += Math.abs(d);
    sq += d * d;
  }
  if (abs === 0) return null;
  return { mae: abs / (n - SEASON), mse: sq / (n - SEASON) };
}

/** MASE of a forecast of `actual`, scaled by the in-sample seasonal-naive MAE of `train`. */
export function mase(
  train: readonly number[],
  actual: readonly number[],
  forecast: readonly number[],
): number | null {
  const scale = naiveScale(train);
  if (!scale || actual.length === 0) return null;
  const mae = actual.reduce((a, v, i) => a + Math.abs(v - forecast[i]!), 0) / actual.length;
  return mae / scale.mae;
}

/** RMSSE of a forecast of `actual`, scaled by the in-sample seasonal-naive RMSE of `train`. */
export function rmsse(
  train: readonly number[],
  actual: readonly number[],
  forecast: readonly number[],
): number | null {
  const scale = naiveScale(train);
  if (!scale || actual.length === 0) return null;
  const mse = actual.reduce((a, v, i) => a + (v - forecast[i]!) ** 2, 0) / actual.length;
  return Math.sqrt(mse / scale.mse);
}
