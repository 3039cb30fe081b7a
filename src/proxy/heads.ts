import { crossProduct, gram, matmul, symmetricEigen } from "./linalg.js";

/** A fitted linear classifier: scores = X W + b. */
export interface LinearHead {
  readonly w: Float64Array; // d x c
  readonly b: Float64Array; // c
  readonly d: number;
  readonly c: number;
  /** The regularisation used (chosen by GCV when asked). */
  readonly lambda: number;
}

export function scores(head: LinearHead, x: Float64Array, n: number): Float64Array {
  const s = matmul(x, head.w, n, head.d, head.c);
  for (let r = 0; r < n; r++) for (let k = 0; k < head.c; k++) s[r * head.c + k]! += head.b[k]!;
  return s;
}

function centre(x: Float64Array, n: number, d: number): { xc: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i]! += x[r * d + i]!;
  for (let i = 0; i < d; i++) mean[i]! /= n;
  const xc = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) xc[r * d + i] = x[r * d + i]! - mean[i]!;
  return { xc, mean };
}

export interface RidgeOptions {
  /** A fixed penalty, or "gcv" to choose it by generalised cross-validation. */
  lambda: number | "gcv";
}

/**
 * Ridge regression on one-hot targets, closed form through the eigendecomposition of X^T X, so
 * that every lambda on the GCV grid costs O(d c) (Golub, Heath and Wahba 1979). The grid spans
 * 1e-6..1e3 times the mean eigenvalue. GCV(lambda) = n RSS / (n - df)^2, df = 1 + sum s/(s+lambda).
 */
export function fitRidge(
  x: Float64Array,
  labels: ArrayLike<number>,
  n: number,
  d: number,
  c: number,
  options: RidgeOptions,
): LinearHead {
  const { xc, mean } = centre(x, n, d);
  const y = new Float64Array(n * c);
  const prior = new Float64Array(c);
  for (let r = 0; r < n; r++) prior[labels[r]!]! += 1 / n;
  for (let r = 0; r < n; r++) for (let k = 0; k < c; k++) y[r * c + k] = (labels[r] === k ? 1 : 0) - prior[k]!;
  const g = gram(xc, n, d);
  const { values, vectors } = symmetricEigen(g, d);
  const xty = crossProduct(xc, y, n, d, c);
  // a = V^T X^T Y (d x c): row i belongs to eigenvalue i.
  const a = new Float64Array(d * c);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      const v = vectors[j * d + i]!;
      if (v === 0) continue;
      for (let k = 0; k < c; k++) a[i * c + k]! += v * xty[j * c + k]!;
    }
  let lambda: number;
  if (options.lambda === "gcv") {
    let yy = 0;
    for (const v of y) yy += v * v;
    const rowNorm = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += a[i * c + k]! ** 2;
      rowNorm[i] = s;
    }
    const meanEig = values.reduce((s, v) => s + v, 0) / d || 1;
    let best = Infinity;
    lambda = meanEig;
    for (let p = -6; p <= 3; p += 0.25) {
      const lam = meanEig * 10 ** p;
      let rss = yy;
      let df = 1;
      for (let i = 0; i < d; i++) {
        const s = values[i]!;
        if (s <= 1e-12 * meanEig) continue;
        const f = s / (s + lam);
        df += f;
        rss -= (1 - (1 - f) ** 2) * (rowNorm[i]! / s);
      }
      const gcv = (n * Math.max(rss, 0)) / Math.max(1e-12, (n - df) ** 2);
      if (gcv < best) {
        best = gcv;
        lambda = lam;
      }
    }
  } else lambda = options.lambda;
  const w = new Float64Array(d * c);
  for (let i = 0; i < d; i++) {
    const inv = 1 / (values[i]! + lambda);
    for (let j = 0; j < d; j++) {
      const v = vectors[j * d + i]! * inv;
      if (v === 0) continue;
      for (let k = 0; k < c; k++) w[j * c + k]! += v * a[i * c + k]!;
    }
  }
  const b = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    let s = prior[k]!;
    for (let i = 0; i < d; i++) s -= mean[i]! * w[i * c + k]!;
    b[k] = s;
  }
  return { w, b, d, c, lambda };
}

export interface LogisticOptions {
  /** L2 penalty on the weights (per sample). */
  lambda: number;
  /** Full-batch steps. Default 300. */
  steps?: number;
}

/**
 * Multinomial logistic regression with an L2 penalty, full-batch Nesterov-accelerated gradient
 * descent with step 1/L, L = max eigenvalue of X^T X / (2n) + lambda (a bound on the Hessian).
 */
export function fitLogistic(
  x: Float64Array,
  labels: ArrayLike<number>,
  n: number,
  d: number,
  c: number,
  options: LogisticOptions,
): LinearHead {
  const steps = options.steps ?? 300;
  const lambda = options.lambda;
  // Power iteration for the largest eigenvalue of X^T X / n.
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  let top = 1;
  for (let it = 0; it < 30; it++) {
    const xv = matmul(x, v, n, d, 1);
    const next = crossProduct(x, xv, n, d, 1);
    const norm = Math.sqrt(next.reduce((s, q) => s + q * q, 0)) || 1;
    top = norm / n;
    v = next.map((q) => q / norm);
  }
  const step = 1 / (top / 2 + lambda + 1e-12);
  const p = d + 1; // weights plus bias row
  let w = new Float64Array(p * c);
  let prev = new Float64Array(p * c);
  const xb = new Float64Array(n * p);
  for (let r = 0; r < n; r++) {
    xb.set(x.subarray(r * d, (r + 1) * d), r * p);
    xb[r * p + d] = 1;
  }
  for (let it = 1; it <= steps; it++) {
    const mom = (it - 1) / (it + 2);
    const look = w.map((q, i) => q + mom * (q - prev[i]!));
    const z = matmul(xb, look, n, p, c);
    for (let r = 0; r < n; r++) {
      let mx = -Infinity;
      for (let k = 0; k < c; k++) mx = Math.max(mx, z[r * c + k]!);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += z[r * c + k] = Math.exp(z[r * c + k]! - mx);
      for (let k = 0; k < c; k++) z[r * c + k] = z[r * c + k]! / sum - (labels[r] === k ? 1 : 0);
    }
    const grad = crossProduct(xb, z, n, p, c);
    prev = w;
    w = new Float64Array(p * c);
    for (let i = 0; i < p * c; i++) {
      const reg = i < d * c ? lambda * look[i]! : 0;
      w[i] = look[i]! - step * (grad[i]! / n + reg);
    }
  }
  return { w: w.subarray(0, d * c), b: w.slice(d * c), d, c, lambda };
}
