/**
 * Hyper-parameter importances by PED-ANOVA (Watanabe, Bansal and Hutter 2023, "PED-ANOVA:
 * Efficiently quantifying hyperparameter importance in arbitrary subspaces"), as Optuna's
 * PedAnovaImportanceEvaluator computes it. Written here because no JavaScript library implements
 * PED-ANOVA (nor fANOVA): it is a few closed-form sums, pure and deterministic (no randomness, no
 * TensorFlow), so it runs in the kernel on a study's trials as they are.
 *
 * The top trials are the best gamma quantile of the scored ones (at least `minTop`, ties kept).
 * For each parameter, a Parzen density of its values is fitted to the top trials and one to all
 * of them, on the parameter's domain: a float or int on a grid of (at most) `steps` points over
 * its (log) range with a Gaussian kernel per occupied grid point (Scott's-rule bandwidth, at least
 * 0.5/1.64 grid steps, truncated to the grid), a categorical as smoothed counts; each density also
 * holds a prior kernel of weight 1 (a wide Gaussian, or a uniform over the choices). The
 * importance is the Pearson divergence sum_k p_all(k) (p_top(k) / p_all(k) - 1)^2 between the two,
 * normalised to sum to 1 over the parameters: a parameter whose top values look like all its
 * values scores 0. A NAS cell's six edges are six categoricals (its ops), reported as the cell's
 * sum. A conditional parameter's densities are fitted to the trials where it is active (and its
 * value fits the space: a trial of an earlier space is skipped there, as Optuna skips it), and its
 * divergence weighed by a^2 / b, a the share of top trials where it is active and b that of all
 * trials (the decomposition over regimes of Optuna 5's evaluator); active in no top trial (or in
 * fewer than 2 trials), it played no part in reaching the top and scores 0. Fixed parameters are
 * never searched and are not reported; a one-choice categorical scores 0. Checked against Optuna
 * 5.1's PedAnovaImportanceEvaluator (normalised): the same shares to 1e-7.
 */
import { fail, show } from "../core/errors.js";
import type { Direction } from "../core/types.js";
import { checkFunction, checkNumber, checkOneOf, checkOptions } from "../core/validate.js";
import { peakValAcc } from "../history/curves.js";
import { checkTrials, type Trial, type TrialValue } from "../history/trial.js";
import { readCell } from "../space/cell.js";
import type { Param, Scalar } from "../space/params.js";
import type { SearchSpace } from "../space/space.js";
import { checkSearchSpace } from "./samplers.js";

/** Which trials count and how they are scored: shared by the importances and fh.plot's study figures. */
export interface ObjectiveOptions {
  /**
   * A complete trial's objective (undefined or not finite: left out). Default: its peak validation
   * accuracy (fh.history.peakValAcc). Only complete trials are scored (fh.plot.optimizationHistoryFigure
   * also asks it of pruned trials, to place their markers).
   */
  readonly value?: (trial: Trial) => number | undefined;
  /** Whether a larger objective is better ("maximize", the default) or a smaller one. */
  readonly direction?: Direction;
}

/** Options of fh.search.paramImportances: the objective, the top quantile and the grid. */
export interface ImportanceOptions extends ObjectiveOptions {
  /** The top quantile of the scored trials whose densities are compared with all trials'. Default 0.1. */
  readonly gamma?: number;
  /** The fewest top trials, whatever gamma says (Optuna's min_n_top_trials). Default 2. */
  readonly minTop?: number;
  /** Grid points of a float or int parameter's domain (fewer for a narrow int). Default 50. */
  readonly steps?: number;
}

/** One parameter's share of the importance (all shares sum to 1). */
export interface ParamImportance {
  readonly param: string;
  readonly importance: number;
}

/** A trial that has an objective: its record and value (finite). */
export interface ScoredTrial {
  readonly trial: Trial;
  readonly value: number;
}

/** Checks the objective options' `value` and `direction` and returns the direction (default "maximize"). */
export function checkObjectiveOptions(name: string, options: ObjectiveOptions): Direction {
  if (options.value !== undefined)
    checkFunction(`${name}.value`, options.value, "pass (trial) => a number, or undefined to leave the trial out.");
  return options.direction === undefined ? "maximize" : checkOneOf(`${name}.direction`, options.direction, DIRECTIONS);
}
const DIRECTIONS: readonly Direction[] = ["maximize", "minimize"];

/** A trial's objective by `value` (default: peak validation accuracy), or undefined; `name` names the option in errors. */
export function trialObjective(
  trial: Trial,
  value: ObjectiveOptions["value"],
  name = "options.value",
): number | undefined {
  if (value === undefined) return trial.curves.valAcc.length ? peakValAcc(trial.curves) : undefined;
  const v: unknown = value(trial);
  if (v === undefined || (typeof v === "number" && !Number.isFinite(v))) return undefined;
  if (typeof v !== "number")
    fail("invalid-argument", {
      parameter: name,
      rule: "must return a number or undefined",
      received: `${show(v)} for trial ${show(trial.id)}`,
      fix: "return the trial's objective, or undefined to leave it out.",
    });
  return v;
}

/** The complete trials with a finite objective, in trial order. */
export function scoredTrials(trials: readonly Trial[], value: ObjectiveOptions["value"]): ScoredTrial[] {
  const out: ScoredTrial[] = [];
  for (const trial of trials) {
    if (trial.state !== "complete") continue;
    const v = trialObjective(trial, value);
    if (v !== undefined && Number.isFinite(v)) out.push({ trial, value: v });
  }
  return out;
}

/** Whether a parameter is active in a configuration (its condition's parent takes one of its values). */
export function isActive(p: Param, config: Readonly<Record<string, TrialValue>>): boolean {
  if (!p.when) return true;
  return p.when.parent in config && p.when.values.includes(config[p.when.parent] as Scalar);
}

/** One discrete dimension of a parameter: its grid size, whether its grid is ordered, and a trial's grid index. */
interface Dim {
  readonly size: number;
  readonly numeric: boolean;
  readonly index: (config: Readonly<Record<string, TrialValue>>) => number | undefined;
}

function numericDim(p: Param & { kind: "float" | "int" }, steps: number): Dim {
  let size = steps;
  if (p.kind === "int")
    size = Math.min(steps, p.log ? Math.ceil(Math.log2(p.high - p.low + 1)) + 1 : p.high - p.low + 1);
  const scale = (v: number) => (p.log ? Math.log(v) : v);
  const lo = scale(p.low);
  const step = (scale(p.high) - lo) / (size - 1);
  return {
    size,
    numeric: true,
    index: (config) => {
      const v = config[p.name];
      if (typeof v !== "number" || !(v >= p.low && v <= p.high)) return undefined;
      // The nearest grid point; a midpoint goes to the lower one (as Optuna bins).
      return Math.min(size - 1, Math.max(0, Math.ceil((scale(v) - lo) / step - 0.5)));
    },
  };
}

function dimsOf(p: Param, steps: number): Dim[] {
  switch (p.kind) {
    case "float":
    case "int":
      return [numericDim(p, steps)];
    case "categorical":
      return [{ size: p.choices.length, numeric: false, index: (c) => indexOf(p.choices, c[p.name]) }];
    case "cell":
      return Array.from({ length: 6 }, (_, e) => ({
        size: p.ops.length,
        numeric: false,
        index: (c: Readonly<Record<string, TrialValue>>) => {
          const ops = c[p.name] === undefined ? undefined : readCell(c[p.name]!, p.ops);
          return ops ? p.ops.indexOf(ops[e]!) : undefined;
        },
      }));
    case "fixed":
      return [];
  }
}

const indexOf = (choices: readonly Scalar[], v: TrialValue | undefined) => {
  const i = choices.indexOf(v as Scalar);
  return i < 0 ? undefined : i;
};

/** Upper-tail probability of the standard normal, Q(z) = P(Z > z), via erfc (relative error < 1.2e-7). */
function upperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** P(a < X < b) for X ~ N(mu, sigma), taken from the nearer tail so far tails keep their precision. */
function mass(a: number, b: number, mu: number, sigma: number): number {
  const za = (a - mu) / sigma;
  const zb = (b - mu) / sigma;
  return za >= 0 ? upperTail(za) - upperTail(zb) : upperTail(-zb) - upperTail(-za);
}

/** The Parzen density over grid 0..K-1 of an ordered dim: Scott's-rule Gaussians on the occupied points plus a wide prior. */
function numericDensity(counts: readonly number[], priorWeight: number): number[] {
  const k = counts.length;
  const n = counts.reduce((s, c) => s + c, 0);
  const mus: number[] = [];
  const ws: number[] = [];
  counts.forEach((c, i) => {
    if (c > 0) {
      mus.push(i);
      ws.push(c);
    }
  });
  let sigma = 0.5 / 1.64;
  if (n > 0) {
    const mean = mus.reduce((s, m, j) => s + m * ws[j]!, 0) / n;
    const sd = Math.sqrt(mus.reduce((s, m, j) => s + (m - mean) ** 2 * ws[j]!, 0) / Math.max(1, n - 1));
    const cum: number[] = [];
    ws.forEach((w, j) => cum.push((cum[j - 1] ?? 0) + w));
    const q25 = cum.findIndex((c) => c >= Math.floor(n / 4));
    const q75 = cum.findIndex((c) => c > Math.floor((3 * n) / 4));
    const iqr = mus[q75 < 0 ? mus.length - 1 : q75]! - mus[q25]!;
    sigma = Math.max(sigma, 1.059 * Math.min(iqr / 1.34, sd) * n ** -0.2);
  }
  const kernels = mus.map((mu, j) => ({ mu, sigma, w: ws[j]! }));
  kernels.push({ mu: (k - 1) / 2, sigma: k, w: priorWeight });
  const total = n + priorWeight;
  const pdf = new Array<number>(k).fill(0);
  for (const { mu, sigma: s, w } of kernels) {
    const z = mass(-0.5, k - 0.5, mu, s);
    for (let i = 0; i < k; i++) pdf[i]! += ((w / total) * mass(i - 0.5, i + 0.5, mu, s)) / z;
  }
  return pdf;
}

/** The Parzen density of a categorical dim: each observed choice's kernel (1 there, smoothed by the prior) plus a uniform prior. */
function categoricalDensity(counts: readonly number[], priorWeight: number): number[] {
  const k = counts.length;
  const observed = counts.flatMap((c, i) => (c > 0 ? [i] : []));
  const nKernels = observed.length + 1;
  const fill = priorWeight / nKernels;
  const n = counts.reduce((s, c) => s + c, 0);
  const total = n + priorWeight;
  const pdf = new Array<number>(k).fill(priorWeight / total / k);
  for (const i of observed) {
    const w = counts[i]! / total;
    for (let j = 0; j < k; j++) pdf[j]! += (w * (fill + (i === j ? 1 : 0))) / (fill * k + 1);
  }
  return pdf;
}

/** The Pearson divergence of the top density from all trials' density on a dim (0 when no top trial has the dim). */
function divergence(dim: Dim, top: readonly Trial[], all: readonly Trial[]): number {
  const countsOf = (trials: readonly Trial[]) => {
    const counts = new Array<number>(dim.size).fill(0);
    for (const t of trials) {
      const i = dim.index(t.config);
      if (i !== undefined) counts[i]!++;
    }
    return counts;
  };
  const topCounts = countsOf(top);
  if (dim.size < 2 || topCounts.every((c) => c === 0)) return 0;
  const density = dim.numeric ? numericDensity : categoricalDensity;
  const pTop = density(topCounts, PRIOR_WEIGHT);
  const pAll = density(countsOf(all), PRIOR_WEIGHT);
  let d = 0;
  for (let i = 0; i < dim.size; i++) {
    const a = pAll[i]! + 1e-12;
    d += a * ((pTop[i]! + 1e-12) / a - 1) ** 2;
  }
  return d;
}
const PRIOR_WEIGHT = 1;

/**
 * The top trials: the best gamma quantile of the scored ones (Optuna's inverted-CDF quantile), at
 * least minTop of them; ties with the last one are kept.
 */
function topTrials(scored: readonly ScoredTrial[], direction: Direction, gamma: number, minTop: number): Trial[] {
  const loss = (s: ScoredTrial) => (direction === "maximize" ? -s.value : s.value);
  const sorted = scored.map(loss).sort((a, b) => a - b);
  const cutoff = Math.max(sorted[minTop - 1]!, sorted[Math.max(0, Math.ceil(gamma * sorted.length) - 1)]!);
  return scored.filter((s) => loss(s) <= cutoff).map((s) => s.trial);
}

/**
 * The importance of each searched parameter of `space` for reaching the best `gamma` of the
 * trials, by PED-ANOVA (see this file's header), sorted from the most important; the shares sum
 * to 1 (equal shares when no parameter's top values differ from all its values).
 */
export function paramImportances(
  space: SearchSpace,
  trials: readonly Trial[],
  options: ImportanceOptions = {},
): ParamImportance[] {
  checkSearchSpace("space", space);
  checkTrials("trials", trials, { config: "object" });
  checkOptions("options", options, ["value", "direction", "gamma", "minTop", "steps"]);
  const direction = checkObjectiveOptions("options", options);
  const gamma = options.gamma === undefined ? 0.1 : checkNumber("options.gamma", options.gamma, { above: 0, max: 1 });
  const minTop =
    options.minTop === undefined ? 2 : checkNumber("options.minTop", options.minTop, { integer: true, min: 1 });
  const steps =
    options.steps === undefined
      ? 50
      : checkNumber("options.steps", options.steps, { integer: true, min: 2, max: 1000 });
  const params = space.params.filter((p) => p.kind !== "fixed");
  if (params.length === 0)
    fail("invalid-argument", {
      parameter: "space",
      rule: "must have a searched (not fixed) parameter",
      received: show(space.params.map((p) => p.name)),
      fix: "add a float, int, categorical or cell parameter.",
    });
  const scored = scoredTrials(trials, options.value);
  if (scored.length <= minTop)
    fail("invalid-argument", {
      parameter: "trials",
      rule: `must hold more than options.minTop (${minTop}) complete trials with an objective`,
      received: `${scored.length} of ${trials.length} trials`,
      fix: "run more trials first (PED-ANOVA is stable from about 5 top trials, i.e. 50 trials at gamma 0.1).",
    });
  const top = topTrials(scored, direction, gamma, minTop);
  const all = scored.map((s) => s.trial);
  const raw = params.map((p) => {
    const dims = dimsOf(p, steps);
    const active = (ts: readonly Trial[]) =>
      ts.filter((t) => isActive(p, t.config) && dims.every((d) => d.index(t.config) !== undefined));
    const [topActive, allActive] = [active(top), active(all)];
    if (allActive.length < 2) return 0;
    // The active regime's share of the divergence (Watanabe et al.'s decomposition over regimes,
    // as Optuna 5 weighs it): (top trials active / top)^2 / (trials active / all).
    const weight = (topActive.length / top.length) ** 2 / (allActive.length / all.length);
    return weight * dims.reduce((s, dim) => s + divergence(dim, topActive, allActive), 0);
  });
  const sum = raw.reduce((s, v) => s + v, 0);
  const searched = params.map((p) => !(p.kind === "categorical" && p.choices.length < 2));
  const nSearched = searched.filter(Boolean).length || params.length;
  const shares = raw.map((v, i) => (sum > 0 ? v / sum : searched[i] ? 1 / nSearched : 0));
  return params
    .map((p, i) => ({ param: p.name, importance: shares[i]!, order: i }))
    .sort((a, b) => b.importance - a.importance || a.order - b.order)
    .map(({ param, importance }) => ({ param, importance }));
}
