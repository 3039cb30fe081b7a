import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/**
 * Dense helpers on row-major Float64Arrays. The Gram product is a hand-written loop because it is
 * the proxy's hot spot (n x d^2) and ml-matrix's get/set access is several times slower there; the
 * eigendecomposition is ml-matrix's (JAMA's tred2/tql2).
 */
export function gram(x: Float64Array, n: number, d: number): Float64Array {
  const g = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    const off = r * d;
    for (let i = 0; i < d; i++) {
      const xi = x[off + i]!;
      if (xi === 0) continue;
      const gi = i * d;
      for (let j = i; j < d; j++) g[gi + j]! += xi * x[off + j]!;
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) g[i * d + j] = g[j * d + i]!;
  return g;
}

/** X^T Y for X n x d and Y n x c. */
export function crossProduct(x: Float64Array, y: Float64Array, n: number, d: number, c: number): Float64Array {
  const out = new Float64Array(d * c);
  for (let r = 0; r < n; r++) {
    const xo = r * d;
    const yo = r * c;
    for (let i = 0; i < d; i++) {
      const xi = x[xo + i]!;
      if (xi === 0) continue;
      for (let k = 0; k < c; k++) out[i * c + k]! += xi * y[yo + k]!;
    }
  }
  return out;
}

/** Eigenvalues (ascending, clipped at 0) and eigenvectors (columns, row-major d x d) of a symmetric PSD matrix. */
export function symmetricEigen(g: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const m = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(i, j, g[i * d + j]!);
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const values = Float64Array.from(e.realEigenvalues, (v) => Math.max(0, v));
  const vecs = e.eigenvectorMatrix;
  const vectors = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) vectors[i * d + j] = vecs.get(i, j);
  return { values, vectors };
}

/** Row-major product A (n x d) * B (d x c). */
export function matmul(a: Float64Array, b: Float64Array, n: number, d: number, c: number): Float64Array {
  const out = new Float64Array(n * c);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < d; i++) {
      const v = a[r * d + i]!;
      if (v === 0) continue;
      for (let k = 0; k < c; k++) out[r * c + k]! += v * b[i * c + k]!;
    }
  return out;
}
