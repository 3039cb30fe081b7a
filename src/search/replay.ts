import { fail, show } from "../core/errors.js";
import { createRng, permutation } from "../core/random.js";
import { checkKeys, checkNumber } from "../core/validate.js";

/**
 * Search replays over a finished study: no retraining. Each candidate's recorded per-epoch
 * wall-clock gives the cost of training it to any budget, its truth is known, and `score(i, t)`
 * is any estimator's estimate at budget t (higher is better). Training resumes from where it
 * stopped (an epoch is never paid twice). Workers run jobs in parallel, first come first served.
 */
export interface ReplayCandidate {
  readonly truth: number;
  /** Seconds of epochs 1..T. */
  readonly epochSeconds: readonly number[];
}

export interface SearchEvent {
  /** Wall-clock seconds since the search started. */
  readonly seconds: number;
  /** Truth of a candidate whose full training just finished. */
  readonly truth: number;
  readonly candidate: number;
}

export type Score = (candidate: number, t: number) => number;

interface Job {
  readonly candidate: number;
  readonly cost: number;
}

/** Run jobs on `workers` parallel workers starting at `start`; returns each job's finish time. */
export function schedule(jobs: readonly Job[], workers: number, start = 0): number[] {
  const free = new Array<number>(workers).fill(start);
  return jobs.map((j) => {
    let w = 0;
    for (let k = 1; k < workers; k++) if (free[k]! < free[w]!) w = k;
    free[w] = free[w]! + j.cost;
    return free[w]!;
  });
}

const cost = (c: ReplayCandidate, from: number, to: number) =>
  c.epochSeconds.slice(from, to).reduce((s, v) => s + v, 0);

/** Train `ids` on from epoch `from` to T starting at `clock`; record when each truth is known. Returns the new clock. */
function finishToT(
  cands: readonly ReplayCandidate[],
  ids: readonly number[],
  from: number,
  T: number,
  workers: number,
  clock: number,
  events: SearchEvent[],
): number {
  const ends = schedule(
    ids.map((i) => ({ candidate: i, cost: cost(cands[i]!, from, T) })),
    workers,
    clock,
  );
  ids.forEach((i, j) => events.push({ seconds: ends[j]!, truth: cands[i]!.truth, candidate: i }));
  return Math.max(clock, ...ends);
}

function order(n: number, seed: number): number[] {
  return Array.from(permutation(n, createRng(seed)));
}

function checkCandidates(cands: readonly ReplayCandidate[]): number {
  if (!cands.length)
    fail("invalid-argument", {
      parameter: "candidates",
      rule: "must not be empty",
      received: "[]",
      fix: "pass the study's complete trials.",
    });
  const T = cands[0]!.epochSeconds.length;
  cands.forEach((c, i) => {
    if (c.epochSeconds.length !== T)
      fail("invalid-argument", {
        parameter: `candidates[${i}].epochSeconds`,
        rule: `must have the full budget's ${T} epochs like candidate 0`,
        received: show(c.epochSeconds.length),
        fix: "replay only candidates trained to the full budget.",
      });
  });
  return T;
}

/** Random search, every candidate trained to T, in a seeded random order. */
export function randomSearchFull(
  cands: readonly ReplayCandidate[],
  options: { workers?: number; seed: number },
): SearchEvent[] {
  checkKeys("options", options, ["workers", "seed"]);
  const T = checkCandidates(cands);
  const workers = checkNumber("options.workers", options.workers ?? 1, { integer: true, min: 1 });
  const ord = order(cands.length, options.seed);
  const ends = schedule(
    ord.map((i) => ({ candidate: i, cost: cost(cands[i]!, 0, T) })),
    workers,
  );
  return ord
    .map((i, k) => ({ seconds: ends[k]!, truth: cands[i]!.truth, candidate: i }))
    .sort((a, b) => a.seconds - b.seconds);
}

export interface SamplingOptions {
  /** Candidates sampled per round (N). */
  n: number;
  /** Early budget t (epochs) every sampled candidate gets. */
  t: number;
  /** Candidates per round trained on to T (top k by score). */
  k: number;
  workers?: number;
  seed: number;
  /** Seconds the estimator costs per candidate (e.g. fitting the proxy). Default 0. */
  scoreSeconds?: number;
}

/**
 * The sampling-based search: rounds of "train N candidates for t epochs in parallel, keep the top
 * k by score, train those to T", over a seeded random order until candidates run out.
 */
export function samplingSearch(
  cands: readonly ReplayCandidate[],
  score: Score,
  options: SamplingOptions,
): SearchEvent[] {
  checkKeys("options", options, ["n", "t", "k", "workers", "seed", "scoreSeconds"]);
  const T = checkCandidates(cands);
  const n = checkNumber("options.n", options.n, { integer: true, min: 1 });
  const t = checkNumber("options.t", options.t, { integer: true, min: 1, max: T });
  const k = checkNumber("options.k", options.k, { integer: true, min: 1, max: n });
  const workers = checkNumber("options.workers", options.workers ?? 1, { integer: true, min: 1 });
  const extra = options.scoreSeconds ?? 0;
  const ord = order(cands.length, options.seed);
  const events: SearchEvent[] = [];
  let clock = 0;
  for (let r = 0; r < ord.length; r += n) {
    const round = ord.slice(r, r + n);
    const early = schedule(
      round.map((i) => ({ candidate: i, cost: cost(cands[i]!, 0, t) + extra })),
      workers,
      clock,
    );
    clock = Math.max(...early);
    const keep = [...round].sort((a, b) => score(b, t) - score(a, t)).slice(0, Math.min(k, round.length));
    clock = finishToT(cands, keep, t, T, workers, clock, events);
  }
  return events.sort((a, b) => a.seconds - b.seconds);
}

export interface HalvingOptions {
  /** Candidates in the bracket. */
  n: number;
  /** Budget of the first rung (epochs). */
  minBudget: number;
  /** Keep 1/eta at each rung; budgets grow by eta. Default 3. */
  eta?: number;
  workers?: number;
  seed: number;
}

/** Successive halving with `score` as the rung score; repeated brackets over a seeded order. */
export function successiveHalving(
  cands: readonly ReplayCandidate[],
  score: Score,
  options: HalvingOptions,
): SearchEvent[] {
  checkKeys("options", options, ["n", "minBudget", "eta", "workers", "seed"]);
  const T = checkCandidates(cands);
  const n = checkNumber("options.n", options.n, { integer: true, min: 1 });
  const eta = checkNumber("options.eta", options.eta ?? 3, { min: 2 });
  const minBudget = checkNumber("options.minBudget", options.minBudget, { integer: true, min: 1, max: T });
  const workers = checkNumber("options.workers", options.workers ?? 1, { integer: true, min: 1 });
  const ord = order(cands.length, options.seed);
  const events: SearchEvent[] = [];
  let clock = 0;
  for (let r = 0; r < ord.length; r += n) {
    let alive = ord.slice(r, r + n);
    const trained = new Map<number, number>(alive.map((i) => [i, 0]));
    let budget = minBudget;
    for (;;) {
      const b = Math.min(T, Math.round(budget));
      const ends = schedule(
        alive.map((i) => ({ candidate: i, cost: cost(cands[i]!, trained.get(i)!, b) })),
        workers,
        clock,
      );
      alive.forEach((i) => trained.set(i, b));
      clock = Math.max(clock, ...ends);
      if (b >= T) {
        alive.forEach((i, j) => events.push({ seconds: ends[j]!, truth: cands[i]!.truth, candidate: i }));
        break;
      }
      alive = [...alive]
        .sort((x, y) => score(y, b) - score(x, b))
        .slice(0, Math.max(1, Math.floor(alive.length / eta)));
      budget *= eta;
    }
  }
  return events.sort((a, b) => a.seconds - b.seconds);
}

/** The first wall-clock time the running best reaches `target` (undefined if never). */
export function timeToReach(events: readonly SearchEvent[], target: number): number | undefined {
  let best = -Infinity;
  for (const e of [...events].sort((a, b) => a.seconds - b.seconds)) {
    best = Math.max(best, e.truth);
    if (best >= target - 1e-12) return e.seconds;
  }
  return undefined;
}

export interface EvolutionOptions {
  /** Population size (aging: the oldest member leaves when a child joins). */
  population: number;
  /** Members drawn per tournament; the best by score is the parent. */
  sample: number;
  /** Early budget every member is trained to and scored at. */
  t: number;
  /** Children to evaluate after the initial population. */
  cycles: number;
  /**
   * Candidates ordered by closeness to candidate i (e.g. by search-space encoding). Over a
   * finished study, a mutation of the parent is its nearest unvisited candidate.
   */
  neighbours: (i: number) => readonly number[];
  workers?: number;
  seed: number;
  scoreSeconds?: number;
}

/**
 * Regularised (aging) evolution (Real et al. 2019) with an early estimate as the fitness: members
 * are trained to t and scored; a member that beats every earlier score is trained on to T, which
 * is when its truth is known. Children are evaluated in batches of `workers`.
 */
export function regularizedEvolution(
  cands: readonly ReplayCandidate[],
  score: Score,
  options: EvolutionOptions,
): SearchEvent[] {
  checkKeys("options", options, [
    "population",
    "sample",
    "t",
    "cycles",
    "neighbours",
    "workers",
    "seed",
    "scoreSeconds",
  ]);
  const T = checkCandidates(cands);
  const P = checkNumber("options.population", options.population, { integer: true, min: 1, max: cands.length });
  const S = checkNumber("options.sample", options.sample, { integer: true, min: 1, max: P });
  const t = checkNumber("options.t", options.t, { integer: true, min: 1, max: T });
  const cycles = checkNumber("options.cycles", options.cycles, { integer: true, min: 0 });
  const workers = checkNumber("options.workers", options.workers ?? 1, { integer: true, min: 1 });
  const extra = options.scoreSeconds ?? 0;
  const rng = createRng(options.seed);
  const visited = new Set<number>();
  const events: SearchEvent[] = [];
  let clock = 0;
  let bestScore = -Infinity;
  const evaluate = (batch: number[]): void => {
    const ends = schedule(
      batch.map((i) => ({ candidate: i, cost: cost(cands[i]!, 0, t) + extra })),
      workers,
      clock,
    );
    clock = Math.max(clock, ...ends);
    const winners = batch.filter((i) => {
      const s = score(i, t);
      if (s <= bestScore) return false;
      bestScore = s;
      return true;
    });
    if (winners.length) clock = finishToT(cands, winners, t, T, workers, clock, events);
  };
  const population: number[] = Array.from(permutation(cands.length, rng)).slice(0, P);
  population.forEach((i) => visited.add(i));
  evaluate(population);
  for (let c = 0; c < cycles && visited.size < cands.length; c += workers) {
    const children: number[] = [];
    for (let w = 0; w < workers && c + w < cycles && visited.size < cands.length; w++) {
      const drawn = Array.from({ length: S }, () => population[rng.int(population.length)]!);
      const parent = drawn.reduce((a, b) => (score(b, t) > score(a, t) ? b : a));
      let child = options.neighbours(parent).find((i) => !visited.has(i));
      if (child === undefined) {
        const left = cands.map((_, i) => i).filter((i) => !visited.has(i));
        child = left[rng.int(left.length)]!;
      }
      visited.add(child);
      children.push(child);
    }
    evaluate(children);
    for (const child of children) {
      population.push(child);
      population.shift();
    }
  }
  return events.sort((a, b) => a.seconds - b.seconds);
}
