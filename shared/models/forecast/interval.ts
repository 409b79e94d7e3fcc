/**
 * Prediction intervals from a forecast mean and an error variance. Counts (every history value a
 * whole number) take the quantiles of a negative binomial with that mean and variance (a Poisson when
 * the variance does not exceed the mean): demand cannot go below zero, comes in whole units, and an
 * intermittent item's interval starts at zero with the right mass there. Other data take the normal
 * quantiles, cut at zero.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

export interface Interval {
  lower: number;
  upper: number;
}

/** Beyond this mean the normal approximation to the count distribution is used (the pmf underflows). */
const LARGE_MEAN = 200;

/**
 * Interval [a, b] of a count distribution with this mean and variance holding at least `level` of
 * it: a cuts at most half of the rest below, b the remainder above. Where zero already carries more
 * than that half (intermittent demand) the interval starts at 0 and only the top is cut; an
 * equal-tailed interval would then hold up to 97.5 %, not 95 %.
 */
export function countInterval(mean: number, variance: number, level: number): Interval {
  const tail = (1 - level) / 2;
  if (!(mean > 0)) return { lower: 0, upper: 0 };
  if (variance < mean || mean > LARGE_MEAN) {
    // Under-dispersed (a steady seller) or large: normal quantiles, widened to whole units.
    const z = normalQuantile(1 - tail, 0, 1) * Math.sqrt(Math.max(0, variance));
    // (1e-6: a bound that is a whole number up to rounding stays that number.)
    return { lower: Math.max(0, Math.floor(mean - z + 1e-6)), upper: Math.ceil(mean + z - 1e-6) };
  }
  const v = variance;
  // Negative binomial with size r and success probability q: mean r(1 − q)/q, variance mean/q.
  const q = mean / v;
  const poisson = q > 1 - 1e-9;
  const r = poisson ? 0 : (mean * q) / (1 - q);
  let pmf = poisson ? Math.exp(-mean) : Math.exp(r * Math.log(q));
  let cdf = pmf;
  let k = 0;
  // below: the mass under the lower end, at most `tail`.
  let lower = cdf > tail ? 0 : -1;
  let below = 0;
  while (cdf < level + below && k < 1e6) {
    pmf *= poisson ? mean / (k + 1) : ((k + r) / (k + 1)) * (1 - q);
    k++;
    if (lower < 0 && cdf + pmf > tail) {
      lower = k;
      below = cdf;
    }
    cdf += pmf;
  }
  return { lower: Math.max(0, lower), upper: k };
}

/** Normal interval cut at zero. */
export function normalInterval(mean: number, variance: number, level: number): Interval {
  const z = normalQuantile(1 - (1 - level) / 2, 0, 1) * Math.sqrt(Math.max(0, variance));
  return { lower: Math.max(0, mean - z), upper: Math.max(0, mean + z) };
}
