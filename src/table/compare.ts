/**
 * Comparing estimators honestly: every metric with a bootstrap range over candidates, paired
 * differences (both estimators on the same resamples, so shared candidate noise cancels), and the
 * noise ceiling (how well the truth agrees with itself across training seeds).
 */
import * as aq from "arquero";
import { fail, show } from "../core/errors.js";
import { createRng } from "../core/random.js";
import {
  checkArray,
  checkNumber,
  checkOneOf,
  checkNumbers,
  checkOptions,
  checkRequired,
  checkStrings,
} from "../core/validate.js";
import { kendallTauB, precisionAtK, regretAt1, spearman, topHalfSpearman } from "../metrics/rank.js";
import { checkEstimateRows, type EstimateRow } from "../proxy/evaluate.js";
import type { Table } from "./tables.js";

/** A rank-agreement metric between estimates and the truth (docs/evaluation.md). */
export type Metric = "spearman" | "kendall" | "topHalfSpearman" | "precisionAtK" | "regretAt1";
const METRICS: readonly Metric[] = ["spearman", "kendall", "topHalfSpearman", "precisionAtK", "regretAt1"];

/** A value and its bootstrap percentile range (null where undefined, e.g. constant inputs). */
export interface Range {
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** Options of a bootstrap over candidates: resamples (B), seed and the interval's level. */
export interface BootstrapOptions {
  /** Resamples. Default 1000. */
  readonly B?: number;
  /** Seed of the resamples. Default 0. */
  readonly seed?: number;
  /** Central coverage of the range. Default 0.9 (5th to 95th percentile). */
  readonly level?: number;
}

function metricOf(name: Metric): (e: readonly number[], t: readonly number[]) => number | undefined {
  switch (name) {
    case "spearman":
      return spearman;
    case "kendall":
      return kendallTauB;
    case "topHalfSpearman":
      return (e, t) => (e.length >= 4 ? topHalfSpearman(e, t) : undefined);
    case "precisionAtK":
      return (e, t) => precisionAtK(e, t, Math.max(1, Math.round(e.length / 4)));
    case "regretAt1":
      return regretAt1;
  }
}

function resolve(options: BootstrapOptions) {
  checkOptions("options", options, ["B", "seed", "level"]);
  return {
    B: checkNumber("options.B", options.B ?? 1000, { integer: true, min: 1, max: 100000 }),
    seed: checkNumber("options.seed", options.seed ?? 0, { integer: true }),
    level: checkNumber("options.level", options.level ?? 0.9, { above: 0, max: 1 }),
  };
}

function percentiles(values: number[], level: number): [number | null, number | null] {
  if (!values.length) return [null, null];
  const s = values.sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
  return [at((1 - level) / 2), at(1 - (1 - level) / 2)];
}

function checkVectors(names: readonly string[], vectors: readonly unknown[]): number {
  const first = vectors[0];
  const n = Array.isArray(first) ? first.length : 0;
  vectors.forEach((v, k) => {
    if (!Array.isArray(v) || v.length !== n)
      fail("invalid-argument", {
        parameter: names[k]!,
        rule:
          k === 0
            ? "must be an array of numbers (one per candidate)"
            : `must be an array of ${n} numbers (one per candidate)`,
        received: Array.isArray(v) ? `${v.length} values` : show(v),
        fix: "pass one value per candidate, in the same order.",
      });
    v.forEach((x: unknown, i: number) => {
      if (typeof x !== "number")
        fail("invalid-argument", {
          parameter: `${names[k]!}[${i}]`,
          rule: "must be a number",
          received: show(x),
          fix: "pass one number per candidate.",
        });
    });
  });
  return n;
}

/**
 * `metric(a, truth) - metric(b, truth)` and its paired bootstrap range (each resample draws the
 * candidates once and scores both). Without `b`: the metric of `a` itself with its range.
 */
export function bootstrapMetric(
  metric: Metric,
  truth: readonly number[],
  a: readonly number[],
  b?: readonly number[],
  options: BootstrapOptions = {},
): Range {
  checkOneOf("metric", metric, METRICS);
  const o = resolve(options);
  const n = checkVectors(["truth", "a", "b"], b !== undefined ? [truth, a, b] : [truth, a]);
  const f = metricOf(metric);
  const score = (idx: number[]): number | undefined => {
    const t = idx.map((i) => truth[i]!);
    const va = f(
      idx.map((i) => a[i]!),
      t,
    );
    if (va === undefined || !b) return va;
    const vb = f(
      idx.map((i) => b[i]!),
      t,
    );
    return vb === undefined ? undefined : va - vb;
  };
  const value = n >= 2 ? score(Array.from({ length: n }, (_, i) => i)) : undefined;
  const rng = createRng(o.seed);
  const samples: number[] = [];
  for (let r = 0; r < o.B; r++) {
    const v = score(Array.from({ length: n }, () => rng.int(n)));
    if (v !== undefined && Number.isFinite(v)) samples.push(v);
  }
  const [lo, hi] = percentiles(samples, o.level);
  return { value: value ?? null, lo, hi };
}

/** Seed-to-seed Spearman of the truth (pairs [first seed, second seed]) with its bootstrap range. */
export function noiseCeiling(pairs: readonly (readonly [number, number])[], options: BootstrapOptions = {}): Range {
  if (!Array.isArray(pairs))
    fail("invalid-argument", {
      parameter: "pairs",
      rule: "must be an array of [truth with seed 1, truth with seed 2]",
      received: show(pairs),
      fix: "use repeatPairs(summary).",
    });
  pairs.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === "number" && Number.isFinite(v)))
      fail("invalid-argument", {
        parameter: `pairs[${i}]`,
        rule: "must be [truth with seed 1, truth with seed 2], two finite numbers",
        received: Array.isArray(p)
          ? `[${p.map((v: unknown) => (typeof v === "bigint" ? `${v}n` : show(v))).join(", ")}]`
          : show(p),
        fix: "use repeatPairs(summary).",
      });
  });
  return bootstrapMetric(
    "spearman",
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
    undefined,
    options,
  );
}

/** Per candidate (by index), the estimate of `estimator` at `t`; rows missing it are left out. */
function vectors(
  rows: readonly EstimateRow[],
  truths: readonly number[],
  names: readonly string[],
  t: number,
): { truth: number[]; values: number[][] } {
  const by = new Map<string, number>();
  for (const r of rows)
    if (r.t === t && r.estimate !== undefined) by.set(`${r.estimator}\u0000${r.candidate}`, r.estimate);
  const keep = truths.map((_, i) => i).filter((i) => names.every((n) => by.has(`${n}\u0000${i}`)));
  return {
    truth: keep.map((i) => truths[i]!),
    values: names.map((n) => keep.map((i) => by.get(`${n}\u0000${i}`)!)),
  };
}

/** Options of fh.table.comparisonTable: the metrics, budgets and bootstrap of the estimator comparison. */
export interface ComparisonOptions extends BootstrapOptions {
  readonly estimators: readonly string[];
  readonly budgets: readonly number[];
  /** Metrics, each with its range. Default spearman, topHalfSpearman, precisionAtK, regretAt1. */
  readonly metrics?: readonly Metric[];
}

/**
 * One row per (estimator, t): n and each metric with its bootstrap range (columns `spearman`,
 * `spearman_lo`, `spearman_hi`, ...). Candidates without an estimate at t are left out of that row.
 */
export function comparisonTable(
  rows: readonly EstimateRow[],
  truths: readonly number[],
  options: ComparisonOptions,
): Table {
  checkRequired("options", options, ["estimators", "budgets", "metrics", "B", "seed", "level"]);
  checkEstimateRows("rows", rows);
  checkNumbers("truths", truths);
  checkStrings("options.estimators", options.estimators, "name the estimators to compare.");
  checkNumbers("options.budgets", options.budgets, 1);
  if (options.metrics !== undefined)
    checkArray("options.metrics", options.metrics, {
      what: "metrics",
      item: (n, v) => checkOneOf(n, v, METRICS),
      fix: `pass some of ${METRICS.join(", ")}.`,
    });
  const metrics = options.metrics ?? ["spearman", "topHalfSpearman", "precisionAtK", "regretAt1"];
  const { estimators: _e, budgets: _b, metrics: _m, ...boot } = options;
  const out: Record<string, unknown>[] = [];
  for (const name of options.estimators)
    for (const t of options.budgets) {
      const { truth, values } = vectors(rows, truths, [name], t);
      const row: Record<string, unknown> = { estimator: name, t, n: truth.length };
      for (const m of metrics) {
        const r = truth.length >= 2 ? bootstrapMetric(m, truth, values[0]!, undefined, boot) : undefined;
        row[m] = r?.value ?? null;
        row[`${m}_lo`] = r?.lo ?? null;
        row[`${m}_hi`] = r?.hi ?? null;
      }
      out.push(row);
    }
  return aq.from(out);
}

/** Options of fh.table.differenceTable: the two estimators, the metric and the paired bootstrap. */
export interface DifferenceOptions extends BootstrapOptions {
  /** Estimators to judge. */
  readonly estimators: readonly string[];
  /** What they are compared against. */
  readonly versus: readonly string[];
  readonly budgets: readonly number[];
  /** Default "spearman". */
  readonly metric?: Metric;
}

/**
 * Paired differences metric(estimator) - metric(versus) per t, on the candidates both estimated,
 * with the bootstrap range and whether that range excludes zero.
 */
export function differenceTable(
  rows: readonly EstimateRow[],
  truths: readonly number[],
  options: DifferenceOptions,
): Table {
  checkRequired("options", options, ["estimators", "versus", "budgets", "metric", "B", "seed", "level"]);
  checkEstimateRows("rows", rows);
  checkNumbers("truths", truths);
  checkStrings("options.estimators", options.estimators, "name the estimators to judge.");
  checkStrings("options.versus", options.versus, "name what they are compared against.");
  checkNumbers("options.budgets", options.budgets, 1);
  const metric = checkOneOf("options.metric", options.metric ?? "spearman", METRICS);
  const { estimators: _e, versus: _v, budgets: _b, metric: _m, ...boot } = options;
  const out: Record<string, unknown>[] = [];
  for (const a of options.estimators)
    for (const b of options.versus)
      for (const t of options.budgets) {
        const { truth, values } = vectors(rows, truths, [a, b], t);
        const r = truth.length >= 2 ? bootstrapMetric(metric, truth, values[0]!, values[1]!, boot) : undefined;
        out.push({
          estimator: a,
          versus: b,
          t,
          n: truth.length,
          difference: r?.value ?? null,
          lo: r?.lo ?? null,
          hi: r?.hi ?? null,
          excludesZero: r?.lo != null && r.hi != null ? r.lo > 0 || r.hi < 0 : null,
        });
      }
  return aq.from(out);
}
