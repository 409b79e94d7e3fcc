/** Scores forecasts of held-back demand: MASE, RMSSE and 95 % interval coverage, per class and overall. */
import { mase, rmsse } from '../../shared/models/forecast.ts';
import { DEMAND_CLASSES, type DemandClass, type DemandSeries, sinceFirstSale } from './demand.ts';

export interface PointForecast {
  mean: number[];
  lower: number[];
  upper: number[];
}

export interface Scores {
  mase: number;
  rmsse: number;
  coverage: number;
  /** Series scored (a series whose history has no weekly variation has no scale). */
  series: number;
  /** Series the method gave no forecast for (R failing on a series). */
  missing: number;
}

export type ScoreTable = Record<DemandClass | 'overall', Scores>;

/**
 * Every method is scored on the same series, forecasts cut at zero (demand cannot be negative; R's
 * means and lower bounds can be). The scale is the history from the first sale, as every method saw it.
 */
export function score(series: readonly DemandSeries[], forecasts: Map<string, PointForecast>): ScoreTable {
  const acc = new Map<string, { m: number[]; r: number[]; c: number[]; missing: number }>();
  const bucket = (k: string) => {
    let b = acc.get(k);
    if (!b) {
      b = { m: [], r: [], c: [], missing: 0 };
      acc.set(k, b);
    }
    return b;
  };
  for (const s of series) {
    const train = sinceFirstSale(s.history);
    const f = forecasts.get(s.id);
    for (const b of [bucket(s.cls), bucket('overall')]) {
      if (!f) {
        b.missing++;
        continue;
      }
      const mean = f.mean.map((v) => Math.max(0, v));
      const m = mase(train, s.future, mean);
      const r = rmsse(train, s.future, mean);
      if (m === null || r === null) continue;
      b.m.push(m);
      b.r.push(r);
      b.c.push(s.future.filter((v, k) => v >= f.lower[k]! && v <= f.upper[k]!).length / s.future.length);
    }
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const table = {} as ScoreTable;
  for (const k of [...DEMAND_CLASSES, 'overall'] as const) {
    const b = bucket(k);
    table[k] = {
      mase: avg(b.m),
      rmsse: avg(b.r),
      coverage: avg(b.c),
      series: b.m.length,
      missing: b.missing,
    };
  }
  return table;
}

export interface PairedDifference {
  /** Mean over the class's series of (a's measure − b's measure); negative: a is more accurate. */
  mean: number;
  /** Half-width of its 95 % confidence interval (normal, paired by series). */
  half: number;
  verdict: 'ahead' | 'level' | 'behind';
}

/**
 * Paired difference of MASE or RMSSE between two methods per class: the same series under both, so
 * the series' own difficulty cancels. "level" when the 95 % interval of the mean difference holds 0.
 */
export function paired(
  series: readonly DemandSeries[],
  a: Map<string, PointForecast>,
  b: Map<string, PointForecast>,
  measure: 'mase' | 'rmsse',
  cls: DemandClass | 'overall',
): PairedDifference {
  const fn = measure === 'mase' ? mase : rmsse;
  const d: number[] = [];
  for (const s of series) {
    if (cls !== 'overall' && s.cls !== cls) continue;
    const fa = a.get(s.id);
    const fb = b.get(s.id);
    if (!fa || !fb) continue;
    const train = sinceFirstSale(s.history);
    const va = fn(
      train,
      s.future,
      fa.mean.map((v) => Math.max(0, v)),
    );
    const vb = fn(
      train,
      s.future,
      fb.mean.map((v) => Math.max(0, v)),
    );
    if (va !== null && vb !== null) d.push(va - vb);
  }
  const mean = d.reduce((x, y) => x + y, 0) / Math.max(1, d.length);
  const sd = Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, d.length - 1));
  const half = (1.959963984540054 * sd) / Math.sqrt(Math.max(1, d.length));
  return { mean, half, verdict: mean + half < 0 ? 'ahead' : mean - half > 0 ? 'behind' : 'level' };
}
