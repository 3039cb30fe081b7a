/**
 * The Parzen estimators behind fh.search.tpeSampler and bohbSampler (tpe.ts): a search space's
 * dims, a trial's row on the sampling scale, the fitted mixture of truncated Gaussian and smoothed
 * categorical kernels with its prior, its log densities and draws from it. Internal to fh.search.
 */
import type { Rng } from "../core/random.js";
import type { TrialValue } from "../history/trial.js";
import { readCell, type CellOp } from "../space/cell.js";
import type { Param, Scalar } from "../space/params.js";
import type { SearchSpace } from "../space/space.js";

/** What fitting reads of a sampler's settings. */
export interface ParzenSettings {
  readonly multivariate: boolean;
  readonly priorWeight: number;
}

export type Row = (number | undefined)[];
/** A parameter's dim: `edge` of a cell (-1: not a cell), `size` choices (0: numeric), [lo, hi] on the sampling scale. */
export interface Dim {
  readonly param: Param;
  readonly edge: number;
  readonly size: number;
  readonly lo: number;
  readonly hi: number;
}
/** One dim of a fitted Parzen estimator: kernel k per active row, the prior kernel last. */
export interface DimFit {
  /** Row j -> its kernel, -1 where the parameter is inactive in that trial. */
  readonly slot: number[];
  /** Numeric: kernel centres; categorical: the observed choice (-1: the prior). */
  readonly mu: number[];
  readonly sigma: number[];
  /** Numeric: log of each truncated kernel's normaliser (sigma sqrt(2 pi) times its mass in range). */
  readonly logZ: number[];
  /** Marginal mixture weights (rows active in this dim, then the prior), and their logs. */
  readonly w: number[];
  readonly logW: number[];
  /** Categorical smoothing: every choice gets eps before the observed one gets 1 (then normalised). */
  readonly eps: number;
}
export interface Parzen {
  /** Joint mixture weights: one per row, the prior last. */
  readonly w: number[];
  readonly logW: number[];
  readonly dims: DimFit[];
}

export function isActive(p: Param, config: Readonly<Record<string, TrialValue>>): boolean {
  if (!p.when) return true;
  return p.when.parent in config && p.when.values.includes(config[p.when.parent] as Scalar);
}

export function dimsOf(space: SearchSpace): Dim[] {
  const dims: Dim[] = [];
  for (const p of space.params) {
    if (p.kind === "float" || p.kind === "int") {
      const pad = p.kind === "int" ? 0.5 : 0;
      const [lo, hi] = [p.low - pad, p.high + pad].map((v) => (p.log ? Math.log(v) : v)) as [number, number];
      dims.push({ param: p, edge: -1, size: 0, lo, hi });
    } else if (p.kind === "categorical") dims.push({ param: p, edge: -1, size: p.choices.length, lo: 0, hi: 0 });
    else if (p.kind === "cell")
      for (let e = 0; e < 6; e++) dims.push({ param: p, edge: e, size: p.ops.length, lo: 0, hi: 0 });
  }
  return dims;
}

/** The dims a model searches (a one-choice categorical does not count): BOHB's d. */
export const searchable = (dims: readonly Dim[]) => dims.filter((d) => d.size !== 1).length;

/** A trial's values on the sampling scale; undefined where inactive or outside the space. */
export function encodeRow(dims: readonly Dim[], config: Readonly<Record<string, TrialValue>>): Row {
  const cells = new Map<string, CellOp[] | undefined>();
  return dims.map((d) => {
    const p = d.param;
    const v = config[p.name];
    if (v === undefined || !isActive(p, config)) return undefined;
    if (p.kind === "float" || p.kind === "int")
      return typeof v === "number" && v >= p.low && v <= p.high ? (p.log ? Math.log(v) : v) : undefined;
    if (p.kind === "categorical") return p.choices.includes(v as Scalar) ? p.choices.indexOf(v as Scalar) : undefined;
    if (p.kind !== "cell") return undefined;
    if (!cells.has(p.name)) cells.set(p.name, readCell(v, p.ops));
    const ops = cells.get(p.name);
    return ops ? p.ops.indexOf(ops[d.edge]!) : undefined;
  });
}

/** Optuna's default_weights: the oldest of more than 25 observations ramp down to 1/n. */
export function rampWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const m = n - 25;
  const ramp = Array.from({ length: m }, (_, i) => 1 / n + ((1 - 1 / n) * i) / Math.max(1, m - 1));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

export const normalize = (w: number[]) => {
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
};

/** Optuna's bandwidths: the larger gap to a sorted neighbour (univariate) or Scott's rule (multivariate), magic-clipped. */
export function bandwidths(mus: readonly number[], d: Dim, multivariate: boolean, nDims: number): number[] {
  const n = mus.length;
  const range = d.hi - d.lo;
  let sig: number[];
  if (multivariate) sig = new Array<number>(n).fill(0.2 * Math.max(n, 1) ** (-1 / (nDims + 4)) * range);
  else {
    const withPrior = [...mus, (d.lo + d.hi) / 2];
    const order = withPrior.map((_, i) => i).sort((a, b) => withPrior[a]! - withPrior[b]! || a - b);
    const s = [d.lo, ...order.map((i) => withPrior[i]!), d.hi];
    const sorted = order.map((_, k) => Math.max(s[k + 1]! - s[k]!, s[k + 2]! - s[k + 1]!));
    // Endpoints are not neighbours (Optuna's consider_endpoints=False): the outer kernels use the inner gap.
    if (s.length >= 4) {
      sorted[0] = s[2]! - s[1]!;
      sorted[sorted.length - 1] = s[s.length - 2]! - s[s.length - 3]!;
    }
    const rank: number[] = [];
    order.forEach((i, k) => (rank[i] = k));
    sig = mus.map((_, i) => sorted[rank[i]!]!);
  }
  // The magic clip: no kernel narrower than range / min(100, kernels + 1), none wider than the range.
  const min = range / Math.min(100, 1 + n + 1);
  return sig.map((v) => Math.min(range, Math.max(min, v)));
}

export const ERFC = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
];
/** The standard normal CDF, via erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  let poly = 0;
  for (let k = ERFC.length - 1; k >= 0; k--) poly = ERFC[k]! + t * poly;
  const erfc = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

export function fitDim(
  d: Dim,
  rows: readonly Row[],
  rowW: readonly number[],
  j: number,
  s: ParzenSettings,
  nDims: number,
): DimFit {
  const active = rows.map((r, i) => i).filter((i) => rows[i]![j] !== undefined);
  const slot = rows.map(() => -1);
  active.forEach((i, k) => (slot[i] = k));
  const w = normalize([...active.map((i) => rowW[i]!), s.priorWeight]);
  const logW = w.map(Math.log);
  const values = active.map((i) => rows[i]![j]!);
  if (d.size > 0)
    return { slot, mu: [...values, -1], sigma: [], logZ: [], w, logW, eps: s.priorWeight / (active.length + 1) };
  const mu = [...values, (d.lo + d.hi) / 2];
  const sigma = [...bandwidths(values, d, s.multivariate, nDims), d.hi - d.lo];
  const logZ = mu.map((m, k) => {
    const sk = sigma[k]!;
    return Math.log(sk) + 0.5 * Math.log(2 * Math.PI) + Math.log(phi((d.hi - m) / sk) - phi((d.lo - m) / sk));
  });
  return { slot, mu, sigma, logZ, w, logW, eps: 0 };
}

/** A Parzen estimator over the rows (in trial order: the ramp down-weights the oldest). */
export function fit(dims: readonly Dim[], rows: readonly Row[], s: ParzenSettings): Parzen {
  const rowW = rampWeights(rows.length);
  const w = normalize([...rowW, s.priorWeight]);
  const nDims = searchable(dims);
  return { w, logW: w.map(Math.log), dims: dims.map((d, j) => fitDim(d, rows, rowW, j, s, nDims)) };
}

export function kernelLog(d: Dim, f: DimFit, k: number, x: number): number {
  if (d.size > 0) {
    const m = f.mu[k]!;
    return m < 0 ? -Math.log(d.size) : Math.log((f.eps + (x === m ? 1 : 0)) / (1 + d.size * f.eps));
  }
  const z = (x - f.mu[k]!) / f.sigma[k]!;
  return -0.5 * z * z - f.logZ[k]!;
}

/** log sum exp of v[0..n), from the largest term (-Infinity when no term is finite). */
export function logSumExp(v: ArrayLike<number>, n = v.length): number {
  let m = -Infinity;
  for (let k = 0; k < n; k++) if (v[k]! > m) m = v[k]!;
  if (m === -Infinity) return m;
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(v[k]! - m);
  return m + Math.log(s);
}

// Hand-written loops over reused buffers instead of map/reduce: a suggestion scores every kernel
// (about one per trial) of both estimators for each candidate and dim, and the allocations of the
// functional version were most of its time (bench/search.mjs).
let ownBuf: Float64Array = new Float64Array(0);
let termBuf: Float64Array = new Float64Array(0);
const grow = (b: Float64Array, n: number): Float64Array => (b.length >= n ? b : new Float64Array(2 * n));

/** Every kernel's log density at x, into out[0..K); the same values as kernelLog. */
function kernelLogsInto(d: Dim, f: DimFit, x: number, out: Float64Array): void {
  const n = f.mu.length;
  if (d.size > 0) {
    const norm = 1 + d.size * f.eps;
    const hit = Math.log((f.eps + 1) / norm);
    const miss = Math.log(f.eps / norm);
    const prior = -Math.log(d.size);
    for (let k = 0; k < n; k++) {
      const m = f.mu[k]!;
      out[k] = m < 0 ? prior : x === m ? hit : miss;
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const z = (x - f.mu[k]!) / f.sigma[k]!;
    out[k] = -0.5 * z * z - f.logZ[k]!;
  }
}

export const kernelLogs = (d: Dim, f: DimFit, x: number): number[] => f.mu.map((_, k) => kernelLog(d, f, k, x));

export function marginalLog(d: Dim, f: DimFit, x: number): number {
  const n = f.mu.length;
  ownBuf = grow(ownBuf, n);
  kernelLogsInto(d, f, x, ownBuf);
  for (let k = 0; k < n; k++) ownBuf[k]! += f.logW[k]!;
  return logSumExp(ownBuf, n);
}

/** log of the joint mixture at a candidate: rows without a dim contribute its marginal there. */
export function jointLog(dims: readonly Dim[], e: Parzen, row: Row): number {
  const nTerms = e.logW.length;
  const prior = nTerms - 1;
  termBuf = grow(termBuf, nTerms);
  const terms = termBuf;
  for (let i = 0; i < nTerms; i++) terms[i] = e.logW[i]!;
  for (let j = 0; j < dims.length; j++) {
    const x = row[j];
    if (x === undefined) continue;
    const d = dims[j]!;
    const f = e.dims[j]!;
    const n = f.mu.length;
    ownBuf = grow(ownBuf, 2 * n);
    const own = ownBuf;
    kernelLogsInto(d, f, x, own);
    // The marginal only matters when some row lacks the dim (a conditional parameter).
    let marginal = 0;
    if (n - 1 < prior) {
      for (let k = 0; k < n; k++) own[n + k] = own[k]! + f.logW[k]!;
      marginal = logSumExp(own.subarray(n, 2 * n));
    }
    const slot = f.slot;
    for (let i = 0; i < prior; i++) {
      const s = slot[i]!;
      terms[i]! += s >= 0 ? own[s]! : marginal;
    }
    terms[prior]! += own[n - 1]!;
  }
  return logSumExp(terms, nTerms);
}

export function pick(rng: Rng, w: readonly number[]): number {
  let u = rng.next();
  for (let i = 0; i < w.length - 1; i++) if ((u -= w[i]!) < 0) return i;
  return w.length - 1;
}

/** A draw from kernel k (a numeric kernel: a Gaussian truncated to the range, by rejection). */
export function drawKernel(d: Dim, f: DimFit, k: number, rng: Rng): number {
  if (d.size > 0) {
    const m = f.mu[k]!;
    if (m < 0) return rng.int(d.size);
    const u = rng.next() * (1 + d.size * f.eps);
    return u < 1 ? m : Math.min(d.size - 1, Math.floor((u - 1) / f.eps));
  }
  // The centre lies in range and sigma <= the range, so a draw lands in range with probability > 1/3.
  for (let i = 0; i < 100; i++) {
    const u = 1 - rng.next();
    const x = f.mu[k]! + f.sigma[k]! * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
    if (x >= d.lo && x <= d.hi) return x;
  }
  return f.mu[k]!;
}
