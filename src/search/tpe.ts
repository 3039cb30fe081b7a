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
import { checkRng, type Rng } from "../core/random.js";
import { FeatureHistoriesError, fail, show } from "../core/errors.js";
import { peakValAcc } from "../history/curves.js";
import { checkTrials, type Trial, type TrialValue } from "../history/trial.js";
import { cellToString, parseCell, type CellOp } from "../space/cell.js";
import type { Param, Scalar } from "../space/params.js";
import { sample, type Config, type SearchSpace } from "../space/space.js";
import { checkSearchSpace, type Sampler } from "./samplers.js";

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

type Row = (number | undefined)[];
/** A parameter's dim: `edge` of a cell (-1: not a cell), `size` choices (0: numeric), [lo, hi] on the sampling scale. */
interface Dim {
  readonly param: Param;
  readonly edge: number;
  readonly size: number;
  readonly lo: number;
  readonly hi: number;
}
/** One dim of a fitted Parzen estimator: kernel k per active row, the prior kernel last. */
interface DimFit {
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
interface Parzen {
  /** Joint mixture weights: one per row, the prior last. */
  readonly w: number[];
  readonly logW: number[];
  readonly dims: DimFit[];
}
type Settings = Required<Omit<BohbSamplerOptions, "minPoints" | "observations">>;
type Observed = { readonly trial: Trial; readonly value: number };

/** The arguments of a sampler's sample(space, trials, rng), checked before any is read (as samplers.ts). */
function checkSampleArgs(space: unknown, trials: unknown, rng: unknown): void {
  checkSearchSpace("space", space);
  checkTrials("trials", trials, { number: "number", config: "object", scores: "object" });
  checkRng("rng", rng);
}

function isActive(p: Param, config: Readonly<Record<string, TrialValue>>): boolean {
  if (!p.when) return true;
  return p.when.parent in config && p.when.values.includes(config[p.when.parent] as Scalar);
}

function dimsOf(space: SearchSpace): Dim[] {
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
const searchable = (dims: readonly Dim[]) => dims.filter((d) => d.size !== 1).length;

/** A trial's values on the sampling scale; undefined where inactive or outside the space. */
function encodeRow(dims: readonly Dim[], config: Readonly<Record<string, TrialValue>>): Row {
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

function readCell(v: TrialValue, ops: readonly CellOp[]): CellOp[] | undefined {
  try {
    return parseCell(v, "cell", ops);
  } catch (err) {
    // A cell of another op set (an earlier space): not an observation of this parameter.
    if (err instanceof FeatureHistoriesError) return undefined;
    throw err;
  }
}

/** Optuna's default_weights: the oldest of more than 25 observations ramp down to 1/n. */
function rampWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const m = n - 25;
  const ramp = Array.from({ length: m }, (_, i) => 1 / n + ((1 - 1 / n) * i) / Math.max(1, m - 1));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

const normalize = (w: number[]) => {
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
};

/** Optuna's bandwidths: the larger gap to a sorted neighbour (univariate) or Scott's rule (multivariate), magic-clipped. */
function bandwidths(mus: readonly number[], d: Dim, multivariate: boolean, nDims: number): number[] {
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

const ERFC = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
];
/** The standard normal CDF, via erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  let poly = 0;
  for (let k = ERFC.length - 1; k >= 0; k--) poly = ERFC[k]! + t * poly;
  const erfc = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

function fitDim(d: Dim, rows: readonly Row[], rowW: readonly number[], j: number, s: Settings, nDims: number): DimFit {
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
function fit(dims: readonly Dim[], rows: readonly Row[], s: Settings): Parzen {
  const rowW = rampWeights(rows.length);
  const w = normalize([...rowW, s.priorWeight]);
  const nDims = searchable(dims);
  return { w, logW: w.map(Math.log), dims: dims.map((d, j) => fitDim(d, rows, rowW, j, s, nDims)) };
}

function kernelLog(d: Dim, f: DimFit, k: number, x: number): number {
  if (d.size > 0) {
    const m = f.mu[k]!;
    return m < 0 ? -Math.log(d.size) : Math.log((f.eps + (x === m ? 1 : 0)) / (1 + d.size * f.eps));
  }
  const z = (x - f.mu[k]!) / f.sigma[k]!;
  return -0.5 * z * z - f.logZ[k]!;
}

function logSumExp(v: readonly number[]): number {
  const m = Math.max(...v);
  if (m === -Infinity) return m;
  return m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0));
}

const kernelLogs = (d: Dim, f: DimFit, x: number) => f.mu.map((_, k) => kernelLog(d, f, k, x));
const marginalLog = (d: Dim, f: DimFit, x: number) => logSumExp(kernelLogs(d, f, x).map((v, k) => v + f.logW[k]!));

/** log of the joint mixture at a candidate: rows without a dim contribute its marginal there. */
function jointLog(dims: readonly Dim[], e: Parzen, row: Row): number {
  const terms = [...e.logW];
  const prior = terms.length - 1;
  dims.forEach((d, j) => {
    const x = row[j];
    if (x === undefined) return;
    const f = e.dims[j]!;
    const own = kernelLogs(d, f, x);
    const marginal = logSumExp(own.map((v, k) => v + f.logW[k]!));
    for (let i = 0; i < prior; i++) terms[i]! += f.slot[i]! >= 0 ? own[f.slot[i]!]! : marginal;
    terms[prior]! += own[own.length - 1]!;
  });
  return logSumExp(terms);
}

function pick(rng: Rng, w: readonly number[]): number {
  let u = rng.next();
  for (let i = 0; i < w.length - 1; i++) if ((u -= w[i]!) < 0) return i;
  return w.length - 1;
}

/** A draw from kernel k (a numeric kernel: a Gaussian truncated to the range, by rejection). */
function drawKernel(d: Dim, f: DimFit, k: number, rng: Rng): number {
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
