/**
 * Nelder-Mead for the forecast fits' one to three smoothing parameters, without allocation in the
 * loop: a daily run fits hundreds of thousands of series, and the general nelderMead in
 * ../nelder-mead.ts (arrays rebuilt every step) took most of the forecaster's time in
 * `npm run bench -- forecast`. Same algorithm (Nelder & Mead 1965; reflection 1, expansion 2,
 * contraction ½, shrink ½); it stops when the simplex's values agree to `ftol` (absolute: the
 * objectives here are −2 log-likelihoods, where 1e-4 is no difference) or after `maxEvals` evaluations.
 */
export function minimise(
  f: (x: Float64Array) => number,
  start: readonly number[],
  options: { step?: number; ftol?: number; maxEvals?: number } = {},
): { x: Float64Array; fx: number; evals: number } {
  const n = start.length;
  const step = options.step ?? 1;
  const ftol = options.ftol ?? 1e-4;
  const maxEvals = options.maxEvals ?? 100 * n;
  const pts = Array.from({ length: n + 1 }, (_, i) => {
    const p = Float64Array.from(start);
    if (i > 0) p[i - 1] = p[i - 1]! + step;
    return p;
  });
  let evals = 0;
  const value = (x: Float64Array) => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const fs = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) fs[i] = value(pts[i]!);
  const centroid = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  const along = (out: Float64Array, from: Float64Array, to: Float64Array, t: number) => {
    for (let j = 0; j < n; j++) out[j] = from[j]! + t * (to[j]! - from[j]!);
  };
  const replaceWorst = (worst: number, x: Float64Array, fx: number) => {
    pts[worst]!.set(x);
    fs[worst] = fx;
  };
  while (evals < maxEvals) {
    // Best, worst and second worst by index (no sort: n + 1 ≤ 4 points).
    let best = 0;
    let worst = 0;
    for (let i = 1; i <= n; i++) {
      if (fs[i]! < fs[best]!) best = i;
      if (fs[i]! > fs[worst]!) worst = i;
    }
    let second = best;
    for (let i = 0; i <= n; i++) if (i !== worst && fs[i]! > fs[second]!) second = i;
    if (fs[worst]! - fs[best]! <= ftol) break;
    centroid.fill(0);
    for (let i = 0; i <= n; i++) {
      if (i === worst) continue;
      for (let j = 0; j < n; j++) centroid[j] = centroid[j]! + pts[i]![j]! / n;
    }
    along(xr, centroid, pts[worst]!, -1);
    const fr = value(xr);
    if (fr < fs[best]!) {
      along(xe, centroid, pts[worst]!, -2);
      const fe = value(xe);
      if (fe < fr) replaceWorst(worst, xe, fe);
      else replaceWorst(worst, xr, fr);
    } else if (fr < fs[second]!) {
      replaceWorst(worst, xr, fr);
    } else {
      const outside = fr < fs[worst]!;
      along(xc, centroid, outside ? xr : pts[worst]!, 0.5);
      const fc = value(xc);
      if (fc < (outside ? fr : fs[worst]!)) replaceWorst(worst, xc, fc);
      else {
        for (let i = 0; i <= n; i++) {
          if (i === best) continue;
          along(pts[i]!, pts[best]!, pts[i]!, 0.5);
          fs[i] = value(pts[i]!);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (fs[i]! < fs[best]!) best = i;
  return { x: pts[best]!, fx: fs[best]!, evals };
}
