import { fail, show } from "../core/errors.js";
import { warn } from "../core/warn.js";

/**
 * Rank and error metrics, one implementation each, signed (never absolute values). A metric
 * that is undefined for its input (constant values, fewer than two points) returns undefined and
 * warns, instead of leaking NaN into tables.
 */
export type MaybeNumber = number | undefined;

function checkPair(name: string, x: readonly number[], y: readonly number[]): void {
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) {
    fail("invalid-argument", {
      parameter: `${name}(x, y)`,
      rule: "needs two arrays of the same length",
      received: `lengths ${Array.isArray(x) ? x.length : show(x)} and ${Array.isArray(y) ? y.length : show(y)}`,
      fix: "pass one estimate and one truth per candidate.",
    });
  }
  for (const [label, arr] of [
    ["x", x],
    ["y", y],
  ] as const) {
    const i = arr.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
    if (i >= 0)
      fail("invalid-argument", {
        parameter: `${name}: ${label}[${i}]`,
        rule: "must be a finite number",
        received: show(arr[i]),
        fix: "drop failed candidates (or their undefined estimates) before computing metrics.",
      });
  }
}

const isConstant = (a: readonly number[]) => a.every((v) => v === a[0]);

function undefinedBecause(name: string, x: readonly number[], y: readonly number[]): boolean {
  if (x.length < 2) {
    warn(`${name} is undefined for fewer than two candidates (got ${x.length}).`);
    return true;
  }
  if (isConstant(x) || isConstant(y)) {
    warn(`${name} is undefined: ${isConstant(x) ? "the estimates" : "the truths"} are constant.`);
    return true;
  }
  return false;
}

/** Ranks 1..n, ties get their average rank. */
export function rankData(x: readonly number[]): number[] {
  if (!Array.isArray(x) || x.some((v) => typeof v !== "number" || Number.isNaN(v)))
    fail("invalid-argument", {
      parameter: "rankData(x)",
      rule: "needs an array of numbers",
      received: show(x),
      fix: "pass one number per candidate.",
    });
  const idx = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ranks = new Array<number>(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]!] === x[idx[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]!] = r;
    i = j + 1;
  }
  return ranks;
}

function pearsonRaw(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Pearson correlation (undefined, with a warning, for constant inputs). */
export function pearson(x: readonly number[], y: readonly number[]): MaybeNumber {
  checkPair("pearson", x, y);
  return undefinedBecause("pearson", x, y) ? undefined : pearsonRaw(x, y);
}

/** Spearman's rho: Pearson of the average ranks (so ties are handled as scipy does). */
export function spearman(x: readonly number[], y: readonly number[]): MaybeNumber {
  checkPair("spearman", x, y);
  return undefinedBecause("spearman", x, y) ? undefined : pearsonRaw(rankData(x), rankData(y));
}

/** Kendall's tau-b (ties in either variable corrected), O(n^2). */
export function kendallTauB(x: readonly number[], y: readonly number[]): MaybeNumber {
  checkPair("kendall", x, y);
  if (undefinedBecause("kendall", x, y)) return undefined;
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  const n = x.length;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i]! - x[j]!);
      const dy = Math.sign(y[i]! - y[j]!);
      if (dx === 0) tiesX++;
      if (dy === 0) tiesY++;
      if (dx !== 0 && dy !== 0) {
        if (dx === dy) concordant++;
        else discordant++;
      }
    }
  const n0 = (n * (n - 1)) / 2;
  return (concordant - discordant) / Math.sqrt((n0 - tiesX) * (n0 - tiesY));
}

/** Indices of the k largest values; ties broken by lower index. */
function topK(x: readonly number[], k: number): Set<number> {
  return new Set(
    x
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, k)
      .map(([, i]) => i),
  );
}

/** Fraction of the true top-k that is also in the estimated top-k. */
export function precisionAtK(estimate: readonly number[], truth: readonly number[], k: number): MaybeNumber {
  checkPair("precisionAtK", estimate, truth);
  if (!Number.isInteger(k) || k < 1 || k > estimate.length) {
    fail("invalid-argument", {
      parameter: "k",
      rule: `must be an integer in 1..${estimate.length}`,
      received: show(k),
      fix: "use e.g. a quarter of the candidates.",
    });
  }
  const a = topK(estimate, k);
  let hit = 0;
  for (const i of topK(truth, k)) if (a.has(i)) hit++;
  return hit / k;
}

/** Truth of the best candidate by estimate, minus the true best (<= 0; 0 is perfect). */
export function regretAt1(estimate: readonly number[], truth: readonly number[]): MaybeNumber {
  checkPair("regretAt1", estimate, truth);
  if (estimate.length === 0) return undefined;
  let best = 0;
  for (let i = 1; i < estimate.length; i++) if (estimate[i]! > estimate[best]!) best = i;
  return truth[best]! - Math.max(...truth);
}

/** Mean absolute error. */
export function mae(estimate: readonly number[], truth: readonly number[]): MaybeNumber {
  checkPair("mae", estimate, truth);
  if (estimate.length === 0) return undefined;
  return estimate.reduce((s, v, i) => s + Math.abs(v - truth[i]!), 0) / estimate.length;
}

/** Spearman restricted to the candidates whose truth is in the top half (what search cares about). */
export function topHalfSpearman(estimate: readonly number[], truth: readonly number[]): MaybeNumber {
  checkPair("topHalfSpearman", estimate, truth);
  const keep = [...topK(truth, Math.ceil(truth.length / 2))];
  return spearman(
    keep.map((i) => estimate[i]!),
    keep.map((i) => truth[i]!),
  );
}
