/**
 * Seeded daily demand series for the forecast bench and tests, in the classes issue 21 names:
 * fast movers with a weekly season, intermittent sellers, level shifts with promotion spikes, and new
 * SKUs with a short history. Each series is what the daily run hands the forecaster (182 dense days,
 * zeros before a new SKU's first sale) plus the 28 days that followed, held back as the truth.
 * Counts are negative binomial (a gamma-Poisson mixture): retail demand is over-dispersed.
 * Promotions fall in the history only: no method here is told a promotion calendar.
 */
import { Random } from '../../shared/synth/random.ts';

export type DemandClass = 'fast' | 'intermittent' | 'shift_promo' | 'new';
export const DEMAND_CLASSES: readonly DemandClass[] = ['fast', 'intermittent', 'shift_promo', 'new'];

export interface DemandSeries {
  id: string;
  cls: DemandClass;
  /** Daily units, oldest first, as the forecaster sees them. */
  history: number[];
  /** The days after the history, never shown to a forecaster. */
  future: number[];
}

export const HISTORY_DAYS = 182;
export const HORIZON_DAYS = 28;

/** Standard normal (Box-Muller). */
function normal(r: Random): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), with the shape < 1 boost. */
function gamma(r: Random, shape: number): number {
  if (shape < 1) return gamma(r, shape + 1) * r.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(r);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = r.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Poisson: multiplication for small means, a rounded normal beyond (fine for demand counts). */
function poisson(r: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(r)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = r.next();
  while (p > limit) {
    k++;
    p *= r.next();
  }
  return k;
}

/** Negative binomial with the given mean and size (variance mean + mean²/size). */
const negBinomial = (r: Random, mean: number, size: number) => poisson(r, (mean * gamma(r, size)) / size);

const logUniform = (r: Random, lo: number, hi: number) =>
  Math.exp(Math.log(lo) + r.next() * Math.log(hi / lo));
const uniform = (r: Random, lo: number, hi: number) => lo + r.next() * (hi - lo);

/** Seven day-of-week factors with mean 1; `amplitude` is their log-scale spread. */
function weeklyProfile(r: Random, amplitude: number): number[] {
  const f = Array.from({ length: 7 }, () => Math.exp(amplitude * normal(r)));
  const mean = f.reduce((a, b) => a + b, 0) / 7;
  return f.map((v) => v / mean);
}

/** Daily means of one series over history + horizon, and how a day's units are drawn from its mean. */
function means(
  r: Random,
  cls: DemandClass,
  days: number,
): { mean: number[]; draw: (mean: number) => number } {
  const week = weeklyProfile(r, cls === 'intermittent' ? 0.15 : uniform(r, 0.1, 0.5));
  const offset = r.int(0, 6);
  const seasonal = (t: number) => week[(t + offset) % 7]!;
  if (cls === 'intermittent') {
    // Demand on a day with probability p, of size 1 + Poisson(s): mean p(1 + s).
    const p = uniform(r, 0.04, 0.35);
    const s = uniform(r, 0, 3);
    return {
      mean: Array.from({ length: days }, (_, t) => p * (1 + s) * seasonal(t)),
      draw: (m) => (r.chance(m / (1 + s)) ? 1 + poisson(r, s) : 0),
    };
  }
  const size = uniform(r, 3, 40);
  const draw = (m: number) => negBinomial(r, m, size);
  if (cls === 'fast') {
    // A slowly wandering level (log random walk) times the week.
    let level = Math.log(logUniform(r, 5, 150));
    const drift = uniform(r, 0.005, 0.02);
    return {
      mean: Array.from({ length: days }, (_, t) => {
        level += drift * normal(r);
        return Math.exp(level) * seasonal(t);
      }),
      draw,
    };
  }
  if (cls === 'shift_promo') {
    const base = logUniform(r, 2, 80);
    const shiftAt = r.int(40, HISTORY_DAYS - 7);
    const factor = r.chance(0.5) ? uniform(r, 0.35, 0.7) : uniform(r, 1.4, 2.5);
    const mean = Array.from({ length: days }, (_, t) => base * (t >= shiftAt ? factor : 1) * seasonal(t));
    for (let promos = r.int(1, 3); promos > 0; promos--) {
      const start = r.int(0, HISTORY_DAYS - 5);
      const lift = uniform(r, 2, 5);
      for (let t = start; t < Math.min(HISTORY_DAYS, start + r.int(2, 5)); t++) mean[t]! *= lift;
    }
    return { mean, draw };
  }
  // New: launched 14-56 days before the cut, ramping up towards its level over a few days.
  const age = r.int(14, 56);
  const launch = HISTORY_DAYS - age;
  const level = logUniform(r, 1, 60);
  const ramp = uniform(r, 1, 10);
  return {
    mean: Array.from({ length: days }, (_, t) =>
      t < launch ? 0 : level * (1 - Math.exp(-(t - launch + 1) / ramp)) * seasonal(t),
    ),
    draw,
  };
}

/** `perClass` series of every class from `seed`: the same series on every machine. */
export function demandSeries(perClass: number, seed: number): DemandSeries[] {
  const r = new Random(seed);
  const out: DemandSeries[] = [];
  for (const cls of DEMAND_CLASSES) {
    for (let i = 0; i < perClass; i++) {
      const { mean, draw } = means(r, cls, HISTORY_DAYS + HORIZON_DAYS);
      let y = mean.map(draw);
      // A new SKU must have sold in its history; an all-zero draw is drawn again.
      while (cls === 'new' && y.slice(0, HISTORY_DAYS).every((v) => v === 0)) y = mean.map(draw);
      out.push({
        id: `${cls}-${i}`,
        cls,
        history: y.slice(0, HISTORY_DAYS),
        future: y.slice(HISTORY_DAYS),
      });
    }
  }
  return out;
}

/** The history from the first sale on (what a new SKU's forecast is fitted to). */
export function sinceFirstSale(y: readonly number[]): number[] {
  const first = y.findIndex((v) => v > 0);
  return first < 0 ? [] : y.slice(first);
}
