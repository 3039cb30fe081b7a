/**
 * Model-based samplers: the Tree-structured Parzen Estimator (Bergstra et al. 2011, as Optuna's
 * TPESampler implements it) and its multi-fidelity form after BOHB (Falkner et al. 2018).
 *
 * The scored trials are split into good (the best gamma(n) = min(ceil(n / 10), 25)) and bad (the
 * rest, and with the constant liar the running trials, so parallel workers spread out); Parzen
 * estimators l(x) and g(x) are fitted to each; of candidates drawn from l, the largest
 * log l(x) - log g(x) is proposed. A float or int is one numeric dim (truncated Gaussian kernels,
 * on the log scale for log parameters, ints widened by 1/2 and rounded back), a categorical one
 * categorical dim (smoothed counts), a NAS cell six (one per edge), a fixed parameter none; each
 * estimator also holds a prior kernel, so a few observations never collapse the search.
 *
 * Conditional parameters: a trial contributes to a dim only where its parameter is active and its
 * value fits the space (a trial of an earlier space is skipped there, as Optuna skips parameters
 * outside its search space). In the joint model a trial without the parameter contributes the
 * dim's marginal density instead of a kernel, so the product stays a density over the candidate's
 * active dims. Candidates are built in the space's order, a child only when its drawn parent
 * activates it, so every proposal passes validateConfig.
 */
import { checkBoolean, checkFunction, checkKeys, checkNumber } from "../core/validate.js";
import type { Rng } from "../core/random.js";
import { fail, show } from "../core/errors.js";
import { peakValAcc } from "../history/curves.js";
import type { Trial } from "../history/trial.js";
import { cellToString } from "../space/cell.js";
import type { Scalar } from "../space/params.js";
import { sample, type Config, type SearchSpace } from "../space/space.js";
import { checkSampleArgs, type Sampler } from "./samplers.js";
import {
  dimsOf,
  drawKernel,
  encodeRow,
  fit,
  isActive,
  jointLog,
  marginalLog,
  pick,
  searchable,
  type Dim,
  type Row,
} from "./parzen.js";

/** Options of fh.search.tpeSampler: start-up, candidates, kernels, the constant liar and the fitness. */
export interface TpeSamplerOptions {
  /** Scored trials sampled at random before the model is used. Default 10. */
  readonly nStartup?: number;
  /** Candidates drawn from l(x) per proposal (per parameter when not multivariate). Default 24. */
  readonly nCandidates?: number;
  /**
   * Joint kernels (a candidate is drawn from one good trial's kernels across all parameters and
   * scored by the mixture of products), instead of one independent estimator per dim. Default true.
   */
  readonly multivariate?: boolean;
  /** Running trials without a score count as bad observations (parallel workers spread out). Default true. */
  readonly constantLiar?: boolean;
  /** Weight of the prior kernel against one trial's weight of 1. Default 1. */
  readonly priorWeight?: number;
  /**
   * A trial's fitness (higher is better; undefined or not finite: not an observation). Default: the
   * score its pruner gave it (the first finite one in trial.scores), else, for a complete trial, its
   * peak validation accuracy (as fh.search.mutationSampler). Failed trials are never observations.
   */
  readonly fitness?: (trial: Trial) => number | undefined;
}

/** One observation of a trial for the multi-fidelity model: its value at a budget (epochs). */
export interface BudgetObservation {
  readonly budget: number;
  readonly value: number;
}

/** Options of fh.search.bohbSampler: TPE's options (no start-up, no fitness), the points a budget needs and the observations. */
export interface BohbSamplerOptions extends Omit<TpeSamplerOptions, "nStartup" | "fitness"> {
  /** Observations a budget needs before the model is fitted on it. Default: searchable dims + 2. */
  readonly minPoints?: number;
  /**
   * A trial's observations (higher is better; values that are not finite are skipped). Default:
   * each finite score in trial.scores at the budget its key ends with ("FH@2": 2; a key without
   * "@t": the trial's epochs), the first per budget, and for a complete trial its peak validation
   * accuracy at its epochs.
   */
  readonly observations?: (trial: Trial) => readonly BudgetObservation[];
}

type Settings = Required<Omit<BohbSamplerOptions, "minPoints" | "observations">>;
type Observed = { readonly trial: Trial; readonly value: number };

/** Build a configuration parameter by parameter (a child only where its drawn parent activates it). */
function build(space: SearchSpace, dims: readonly Dim[], value: (j: number) => number): { config: Config; row: Row } {
  const config: Record<string, Scalar> = {};
  const row: Row = dims.map(() => undefined);
  for (const p of space.params) {
    if (!isActive(p, config)) continue;
    if (p.kind === "fixed") {
      config[p.name] = p.value;
      continue;
    }
    const mine = dims.flatMap((d, j) => (d.param === p ? [j] : []));
    for (const j of mine) row[j] = value(j);
    const x = row[mine[0]!]!;
    if (p.kind === "categorical") config[p.name] = p.choices[x]!;
    else if (p.kind === "cell") config[p.name] = cellToString(mine.map((j) => p.ops[row[j]!]!));
    else {
      const v = p.log ? Math.exp(x) : x;
      config[p.name] = Math.min(p.high, Math.max(p.low, p.kind === "int" ? Math.round(v) : v));
    }
  }
  return { config, row };
}

/** Optuna's split: the best gamma(n) = min(ceil(n / 10), 25) are good; the rest and the liars bad. */
function split(observed: readonly Observed[], liars: readonly Trial[]): { good: Trial[]; bad: Trial[] } {
  const nGood = Math.min(Math.ceil(0.1 * observed.length), 25);
  const ranked = [...observed].sort((a, b) => b.value - a.value || a.trial.number - b.trial.number);
  const byNumber = (a: Trial, b: Trial) => a.number - b.number;
  const trials = ranked.map((o) => o.trial);
  return { good: trials.slice(0, nGood).sort(byNumber), bad: [...trials.slice(nGood), ...liars].sort(byNumber) };
}

/** Fit l and g, draw candidates from l, propose the best log l - log g. */
function propose(space: SearchSpace, model: { good: Trial[]; bad: Trial[] }, rng: Rng, s: Settings): Config {
  const dims = dimsOf(space);
  const rows = (ts: readonly Trial[]) => ts.map((t) => encodeRow(dims, t.config));
  const [l, g] = [fit(dims, rows(model.good), s), fit(dims, rows(model.bad), s)];
  if (!s.multivariate) {
    // Optuna's independent TPE: each dim picks its own best of nCandidates draws from its l.
    return build(space, dims, (j) => {
      const [d, fl, fg] = [dims[j]!, l.dims[j]!, g.dims[j]!];
      let best = NaN;
      let bestScore = -Infinity;
      for (let c = 0; c < s.nCandidates; c++) {
        const x = drawKernel(d, fl, pick(rng, fl.w), rng);
        const score = marginalLog(d, fl, x) - marginalLog(d, fg, x);
        if (Number.isNaN(best) || score > bestScore) [best, bestScore] = [x, score];
      }
      return best;
    }).config;
  }
  let best: { config: Config; score: number } | undefined;
  for (let c = 0; c < s.nCandidates; c++) {
    // One component of l (a good trial, or the prior) draws every dim it has; others come from the marginal.
    const i = pick(rng, l.w);
    const { config, row } = build(space, dims, (j) => {
      const f = l.dims[j]!;
      const k = i === l.w.length - 1 ? f.mu.length - 1 : f.slot[i]!;
      return k >= 0 ? drawKernel(dims[j]!, f, k, rng) : drawKernel(dims[j]!, f, pick(rng, f.w), rng);
    });
    const score = jointLog(dims, l, row) - jointLog(dims, g, row);
    if (!best || score > best.score) best = { config, score };
  }
  return best!.config;
}

const SHARED = ["nCandidates", "multivariate", "constantLiar", "priorWeight"];
function checkSettings(options: TpeSamplerOptions | BohbSamplerOptions): Settings {
  const flag = (name: "multivariate" | "constantLiar") =>
    options[name] === undefined ? true : checkBoolean(`options.${name}`, options[name]);
  return {
    nCandidates: checkNumber("options.nCandidates", options.nCandidates ?? 24, { integer: true, min: 1, max: 10_000 }),
    multivariate: flag("multivariate"),
    constantLiar: flag("constantLiar"),
    priorWeight: checkNumber("options.priorWeight", options.priorWeight ?? 1, { above: 0, max: 1e6 }),
  };
}

const settingsName = (s: Settings) =>
  `${s.multivariate ? "multivariate" : "independent"}, ${s.nCandidates} candidates${s.constantLiar ? ", constant liar" : ""}`;

function defaultFitness(t: Trial): number | undefined {
  const scores = Object.values(t.scores).filter(Number.isFinite);
  if (scores.length) return scores[0];
  return t.state === "complete" ? peakValAcc(t.curves) : undefined;
}

/** Running trials that are not observations: the constant liar's bad points. */
const liarsOf = (trials: readonly Trial[], observed: readonly Observed[], s: Settings) => {
  if (!s.constantLiar) return [];
  const seen = new Set(observed.map((o) => o.trial));
  return trials.filter((t) => t.state === "running" && !seen.has(t));
};

/** Tree-structured Parzen Estimator (Optuna's TPESampler): random for nStartup scored trials, then l(x) / g(x). */
export function tpeSampler(options: TpeSamplerOptions = {}): Sampler {
  checkKeys("options", options, ["nStartup", ...SHARED, "fitness"]);
  const s = checkSettings(options);
  const nStartup = checkNumber("options.nStartup", options.nStartup ?? 10, { integer: true, min: 0, max: 1_000_000 });
  if (options.fitness !== undefined)
    checkFunction("options.fitness", options.fitness, "pass (trial) => a number (higher is better) or undefined.");
  const fitness = options.fitness ?? defaultFitness;
  return {
    name: `TPE (${settingsName(s)}, ${nStartup} startup)`,
    sample(space, trials, rng) {
      checkSampleArgs(space, trials, rng);
      const observed = trials
        .filter((t) => t.state !== "failed")
        .map((t) => ({ trial: t, value: fitness(t) }))
        .filter((o): o is Observed => typeof o.value === "number" && Number.isFinite(o.value));
      if (observed.length < Math.max(1, nStartup)) return sample(space, rng);
      return propose(space, split(observed, liarsOf(trials, observed, s)), rng, s);
    },
  };
}

function defaultObservations(t: Trial): BudgetObservation[] {
  const byBudget = new Map<number, number>();
  for (const [key, v] of Object.entries(t.scores)) {
    const m = /@(\d+)$/.exec(key);
    const budget = m ? Number(m[1]) : t.epochs;
    if (Number.isFinite(v) && !byBudget.has(budget)) byBudget.set(budget, v);
  }
  if (t.state === "complete") byBudget.set(t.epochs, peakValAcc(t.curves));
  return [...byBudget].map(([budget, value]) => ({ budget, value }));
}

/** A trial's observations from the option, checked: an array of { budget, value }. */
function observationsOf(t: Trial, observe: (trial: Trial) => readonly BudgetObservation[]): BudgetObservation[] {
  const obs = observe(t);
  const fix = "return an array of { budget: epochs, value: a number (higher is better) }.";
  const name = `options.observations(trial ${t.id})`;
  if (!Array.isArray(obs))
    fail("invalid-argument", { parameter: name, rule: "must return an array", received: show(obs), fix });
  return obs.filter((o: BudgetObservation, i) => {
    const rule = "must be { budget, value }";
    if (o === null || typeof o !== "object" || typeof o.value !== "number")
      fail("invalid-argument", { parameter: `${name}[${i}]`, rule, received: show(o), fix });
    checkNumber(`${name}[${i}].budget`, o.budget, { min: 0 });
    return Number.isFinite(o.value);
  });
}

/**
 * Multi-fidelity TPE (BOHB's model): fitted on the highest budget with at least minPoints observations.
 * Observations are grouped by the budget (epochs) they were made at: a pruned trial's early score
 * at its epochs, a complete trial's accuracy at its full budget (Falkner et al. 2018). Random until
 * a budget has enough; running trials not observed at the chosen budget are the constant liars.
 */
export function bohbSampler(options: BohbSamplerOptions = {}): Sampler {
  checkKeys("options", options, ["minPoints", ...SHARED, "observations"]);
  const s = checkSettings(options);
  const { minPoints } = options;
  if (minPoints !== undefined) checkNumber("options.minPoints", minPoints, { integer: true, min: 1, max: 1_000_000 });
  if (options.observations !== undefined)
    checkFunction("options.observations", options.observations, "pass (trial) => [{ budget, value }, ...].");
  const observe = options.observations ?? defaultObservations;
  return {
    name: `BOHB (${settingsName(s)}, ${minPoints === undefined ? "dims + 2" : minPoints} points)`,
    sample(space, trials, rng) {
      checkSampleArgs(space, trials, rng);
      const need = minPoints ?? searchable(dimsOf(space)) + 2;
      const byBudget = new Map<number, Observed[]>();
      for (const trial of trials) {
        if (trial.state === "failed") continue;
        const seen = new Set<number>();
        for (const o of observationsOf(trial, observe)) {
          if (seen.has(o.budget)) continue; // one observation per trial and budget: the first
          seen.add(o.budget);
          if (!byBudget.has(o.budget)) byBudget.set(o.budget, []);
          byBudget.get(o.budget)!.push({ trial, value: o.value });
        }
      }
      const budget = [...byBudget.keys()].sort((a, b) => b - a).find((b) => byBudget.get(b)!.length >= need);
      if (budget === undefined) return sample(space, rng);
      const observed = byBudget.get(budget)!;
      return propose(space, split(observed, liarsOf(trials, observed, s)), rng, s);
    },
  };
}
