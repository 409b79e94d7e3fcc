/** Small dense linear algebra for the forecast fits (a handful of unknowns). */

/**
 * Solves A x = b for a symmetric positive semi-definite A by Cholesky, with a ridge of 1e-9 × the
 * largest diagonal so a rank-deficient design (a constant column, too short a history) still answers.
 */
export function solveSymmetric(a: readonly Float64Array[], b: Float64Array): Float64Array {
  const k = b.length;
  let scale = 0;
  for (let i = 0; i < k; i++) scale = Math.max(scale, a[i]![i]!);
  const ridge = 1e-9 * (scale || 1);
  const l = Array.from({ length: k }, () => new Float64Array(k));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]! + (i === j ? ridge : 0);
      for (let p = 0; p < j; p++) s -= l[i]![p]! * l[j]![p]!;
      l[i]![j] = i === j ? Math.sqrt(Math.max(s, ridge)) : s / l[j]![j]!;
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i]![p]! * z[p]!;
    z[i] = s / l[i]![i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p]![i]! * x[p]!;
    x[i] = s / l[i]![i]!;
  }
  return x;
}
