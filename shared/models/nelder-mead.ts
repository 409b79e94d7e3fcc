/**
 * Nelder–Mead simplex minimisation (Nelder & Mead 1965; the adaptive coefficients of Gao & Han 2012
 * for higher dimensions are not needed at 3–4 parameters). Derivative-free and robust for the
 * smooth, log-parameterised likelihoods the customer models fit. (The npm package `fmin` has this
 * algorithm but its published build does not import as an ES module.)
 */
/** Bound on log-parameters in the models' fits: e^±12, a range no real customer base needs to leave. */
export const LOG_BOUND = 12;

export interface MinimiseResult {
  x: number[];
  fx: number;
  iterations: number;
  converged: boolean;
}

export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  options: { maxIterations?: number; tolerance?: number; step?: number } = {},
): MinimiseResult {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 500 * n;
  const tol = options.tolerance ?? 1e-10;
  const step = options.step ?? 0.5;
  const value = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  let simplex = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i] = p[i]! + step;
    simplex.push(p);
  }
  let fs = simplex.map(value);
  const combine = (a: number[], b: number[], t: number) => a.map((ai, i) => ai + t * (b[i]! - ai));

  let it = 0;
  for (; it < maxIterations; it++) {
    const order = fs.map((_, i) => i).sort((i, j) => fs[i]! - fs[j]!);
    simplex = order.map((i) => simplex[i]!);
    fs = order.map((i) => fs[i]!);
    const best = fs[0]!;
    const worst = fs[n]!;
    const size = Math.max(
      ...simplex.slice(1).map((p) => Math.max(...p.map((v, i) => Math.abs(v - simplex[0]![i]!)))),
    );
    if (Math.abs(worst - best) <= tol * (Math.abs(best) + tol) && size < 1e-6) break;

    const centroid = new Array(n)
      .fill(0)
      .map((_, i) => simplex.slice(0, n).reduce((a, p) => a + p[i]!, 0) / n);
    const reflected = combine(centroid, simplex[n]!, -1);
    const fr = value(reflected);
    if (fr < best) {
      const expanded = combine(centroid, simplex[n]!, -2);
      const fe = value(expanded);
      if (fe < fr) [simplex[n], fs[n]] = [expanded, fe];
      else [simplex[n], fs[n]] = [reflected, fr];
    } else if (fr < fs[n - 1]!) {
      [simplex[n], fs[n]] = [reflected, fr];
    } else {
      const outside = fr < worst;
      const contracted = combine(centroid, outside ? reflected : simplex[n]!, 0.5);
      const fc = value(contracted);
      if (fc < (outside ? fr : worst)) [simplex[n], fs[n]] = [contracted, fc];
      else {
        // Shrink towards the best point.
        for (let i = 1; i <= n; i++) {
          simplex[i] = combine(simplex[0]!, simplex[i]!, 0.5);
          fs[i] = value(simplex[i]!);
        }
      }
    }
  }
  const bestIndex = fs.indexOf(Math.min(...fs));
  return { x: simplex[bestIndex]!, fx: fs[bestIndex]!, iterations: it, converged: it < maxIterations };
}

/** Minimises, then restarts once from the optimum: guards against a simplex that collapsed early. */
export function minimiseWithRestart(
  f: (x: readonly number[]) => number,
  start: readonly number[],
): MinimiseResult {
  const first = nelderMead(f, start);
  const again = nelderMead(f, first.x);
  return { ...again, iterations: first.iterations + again.iterations };
}
