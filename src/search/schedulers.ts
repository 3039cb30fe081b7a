/**
 * Schedulers: the decision logic of a search as pure functions over trials. A free worker asks
 * `next`: continue trial X to epoch e, start a new trial (to e), wait for work in flight, or stop.
 * After a job, `verdict` says whether the trial is complete, pruned (paused: a scheduler may
 * promote it later, from its checkpoint) or still running. The live search (study/optimize.ts)
 * and its replay in simulated time (search/live-replay.ts) run the same schedulers, so a replay
 * predicts a live run.
 *
 * - `prunerScheduler`: train each trial to the pruner's epoch t, judge it once, prune it or train
 *   it on to T (the sampling-based search, decided one trial at a time).
 * - `ashaScheduler`: asynchronous successive halving (Li et al. 2020): rungs r, r*eta, r*eta^2, ...;
 *   a trial that reaches a rung is paused and scored there; a free worker first promotes a paused
 *   trial in the best 1/eta of its rung (highest rung first), else starts a new one at rung 0.
 */
import { checkNumber, checkRequired, checkShape } from "../core/validate.js";
import { checkTrials, type Trial } from "../history/trial.js";
import { fail, show } from "../core/errors.js";
import type { Estimator } from "../proxy/types.js";
import { nextSearchStep } from "./policy.js";
import { checkEstimator } from "../proxy/evaluate.js";
import type { Pruner } from "./pruners.js";

/** What a scheduler asks for: a new trial or more epochs of one, trained up to an epoch. */
export type SchedulerJob =
  | { readonly kind: "new"; readonly to: number }
  | { readonly kind: "continue"; readonly id: string; readonly to: number };

/** A scheduler's judgement of a trial at its epochs: complete, pruned or go on, with the scores used. */
export interface Verdict {
  readonly state: "running" | "pruned" | "complete";
  /** Scores the decision used, recorded with the trial. */
  readonly scores: Readonly<Record<string, number>>;
}

/** What a scheduler sees besides the trials: the busy trials and whether it may ask for new ones. */
export interface SchedulerState {
  /** Trials with a job in flight. */
  readonly busy: ReadonlySet<string>;
  /** Whether a new trial may still be started. */
  readonly canAsk: boolean;
}

/** Who trains next and how far in a live search: next() hands out work, verdict() judges a trial. */
export interface Scheduler {
  readonly name: string;
  next(trials: readonly Trial[], budget: number, state: SchedulerState): SchedulerJob | "wait" | "done";
  verdict(trial: Trial, trials: readonly Trial[]): Verdict;
}

/** The fields of a trial that schedulers read. */
const SCHEDULED = { number: "number", epochs: "number", budget: "number", scores: "object" } as const;

/** `trial` must be a trial with its budget a whole number of epochs (a bracket count loops up to it). */
function checkTrial(name: string, trial: unknown): Trial {
  checkShape(
    name,
    trial,
    "a trial",
    { id: "string", state: "string", curves: "object", ...SCHEDULED },
    "pass a trial of the study (study.trials()).",
  );
  checkNumber(`${name}.budget`, (trial as Trial).budget, { integer: true, min: 1, max: 1_000_000 });
  return trial as Trial;
}

/** The arguments of a scheduler's next(trials, budget, state). */
function checkNextArgs(trials: unknown, budget: unknown, state: unknown): void {
  checkTrials("trials", trials, SCHEDULED);
  checkNumber("budget", budget, { integer: true, min: 1, max: 1_000_000 });
  checkShape(
    "state",
    state,
    "a scheduler state { busy, canAsk }",
    { busy: "object", canAsk: "boolean" },
    "pass { busy: new Set(ids of trials in flight), canAsk: whether a new trial may start }.",
  );
  const busy = (state as SchedulerState).busy as unknown as { has?: unknown; size?: unknown };
  if (typeof busy.has !== "function" || typeof busy.size !== "number")
    fail("invalid-argument", {
      parameter: "state.busy",
      rule: "must be a set of trial ids (has, size)",
      received: show(busy),
      fix: "pass a Set of the ids of the trials with a job in flight.",
    });
}

/** The arguments of a scheduler's verdict(trial, trials). */
function checkVerdictArgs(trial: unknown, trials: unknown): void {
  checkTrial("trial", trial);
  checkTrials("trials", trials, SCHEDULED);
}

/** Idle work first: running trials with no job in flight (left by a crash, or kept on after a verdict). */
function idleRunning(trials: readonly Trial[], busy: ReadonlySet<string>): Trial | undefined {
  return trials.find((t) => t.state === "running" && !busy.has(t.id));
}

/** The pruner's search (no pruner: every trial trained to the budget). */
export function prunerScheduler(pruner?: Pruner): Scheduler {
  if (pruner !== undefined)
    checkShape(
      "pruner",
      pruner,
      "a pruner { name, epochs, decide }",
      { name: "string", epochs: "number", decide: "function" },
      "pass e.g. fh.search.estimatorPruner({ estimator, t }), or nothing to train every trial to the budget.",
    );
  const judged = (t: Trial) => !!pruner && Object.keys(t.scores).some((k) => k.endsWith(`@${pruner.epochs}`));
  return {
    name: pruner ? `pruner ${pruner.name}` : "full training",
    next(trials, budget, state) {
      checkNextArgs(trials, budget, state);
      const { busy, canAsk } = state;
      const idle = idleRunning(trials, busy);
      if (idle) {
        const step = nextSearchStep(idle, pruner, judged(idle));
        // "judge" / "complete" are verdicts the search makes at once; a job is always training.
        if (typeof step === "object") return { kind: "continue", id: idle.id, to: step.train };
      }
      if (canAsk) return { kind: "new", to: pruner && pruner.epochs < budget ? pruner.epochs : budget };
      return busy.size > 0 || idle ? "wait" : "done";
    },
    verdict(trial, trials) {
      checkVerdictArgs(trial, trials);
      if (trial.epochs >= trial.budget) return { state: "complete", scores: {} };
      if (pruner && trial.epochs === pruner.epochs && !judged(trial)) {
        const d = pruner.decide(
          trial,
          trials.filter((o) => o.id !== trial.id),
        );
        return { state: d.prune ? "pruned" : "running", scores: d.scores };
      }
      return { state: "running", scores: {} };
    },
  };
}

/** Options of fh.search.ashaScheduler: the estimator that ranks a rung, the first rung and the reduction factor. */
export interface AshaOptions {
  /** The score of a trial at a rung (higher is better). */
  readonly estimator: Estimator;
  /** The first rung (epochs). Default 1. */
  readonly minEpochs?: number;
  /** Reduction factor: the best 1/eta of a rung is promoted. Default 3. */
  readonly eta?: number;
}

/** The rungs below the budget: r, r*eta, r*eta^2, ... (then the budget itself completes a trial). */
export function ashaRungs(minEpochs: number, eta: number, budget: number): number[] {
  checkNumber("minEpochs", minEpochs, { integer: true, min: 1 });
  checkNumber("eta", eta, { min: 1.5, max: 100 });
  checkNumber("budget", budget, { integer: true, min: 1, max: 1_000_000 });
  const rungs: number[] = [];
  for (let r = minEpochs; r < budget; r = Math.max(r + 1, Math.round(r * eta))) rungs.push(r);
  return rungs;
}

/** Asynchronous successive halving with any estimator as the rung score. */
export function ashaScheduler(options: AshaOptions): Scheduler {
  checkRequired("options", options, ["estimator", "minEpochs", "eta"]);
  checkEstimator("options.estimator", options.estimator);
  const minEpochs = checkNumber("options.minEpochs", options.minEpochs ?? 1, { integer: true, min: 1 });
  const eta = checkNumber("options.eta", options.eta ?? 3, { min: 1.5, max: 100 });
  const key = (r: number) => `${options.estimator.name}@${r}`;
  const rungOf = (trials: readonly Trial[], budget: number) => ashaRungs(minEpochs, eta, budget);
  return {
    name: `ASHA (${options.estimator.name}, r ${minEpochs}, eta ${eta})`,
    next(trials, budget, state) {
      checkNextArgs(trials, budget, state);
      const { busy, canAsk } = state;
      const rungs = rungOf(trials, budget);
      const idle = idleRunning(trials, busy);
      if (idle) {
        const to = rungs.find((r) => r > idle.epochs) ?? budget;
        return { kind: "continue", id: idle.id, to };
      }
      // Promote from the highest rung down: a paused trial in the best 1/eta of those scored there.
      for (let k = rungs.length - 1; k >= 0; k--) {
        const r = rungs[k]!;
        const scored = trials
          .filter((t) => Number.isFinite(t.scores[key(r)]))
          .sort((a, b) => b.scores[key(r)]! - a.scores[key(r)]! || a.number - b.number);
        const top = scored.slice(0, Math.floor(scored.length / eta));
        const promotable = top.find((t) => t.state === "pruned" && t.epochs === r && !busy.has(t.id));
        if (promotable) return { kind: "continue", id: promotable.id, to: rungs[k + 1] ?? budget };
      }
      if (canAsk) return { kind: "new", to: rungs[0] ?? budget };
      return busy.size > 0 ? "wait" : "done";
    },
    verdict(trial, trials) {
      checkVerdictArgs(trial, trials ?? []);
      if (trial.epochs >= trial.budget) return { state: "complete", scores: {} };
      const rungs = ashaRungs(minEpochs, eta, trial.budget);
      if (!rungs.includes(trial.epochs)) return { state: "running", scores: {} };
      const score = options.estimator.estimate(trial, trial.epochs, trial.budget);
      return { state: "pruned", scores: { [key(trial.epochs)]: Number.isFinite(score) ? score : -Infinity } };
    },
  };
}

/** Options of fh.search.hyperbandScheduler: ASHA's options and the number of brackets. */
export interface HyperbandOptions extends AshaOptions {
  /** Brackets, each an ASHA with first rung minEpochs * eta^b (b = 0 .. brackets-1). Default: as many as fit below the budget. */
  readonly brackets?: number;
}

/**
 * Asynchronous Hyperband (Li et al. 2020): trials are dealt to brackets in turn (by their number);
 * bracket b is an ASHA whose first rung is minEpochs * eta^b, so later brackets judge fewer
 * trials later, hedging against early scores that mislead. Promotions stay within a bracket.
 */
export function hyperbandScheduler(options: HyperbandOptions): Scheduler {
  checkRequired("options", options, ["estimator", "minEpochs", "eta", "brackets"]);
  const minEpochs = checkNumber("options.minEpochs", options.minEpochs ?? 1, { integer: true, min: 1 });
  const eta = checkNumber("options.eta", options.eta ?? 3, { min: 1.5, max: 100 });
  const asked = options.brackets;
  const bracketsFor = (budget: number) => {
    let fit = 0;
    while (minEpochs * eta ** fit < budget) fit++;
    return Math.max(1, asked === undefined ? fit : Math.min(asked, Math.max(1, fit)));
  };
  if (asked !== undefined) checkNumber("options.brackets", asked, { integer: true, min: 1, max: 16 });
  ashaScheduler({ estimator: options.estimator, eta, minEpochs }); // checks the estimator now, not at the first job
  const bracket = (budget: number, b: number) =>
    ashaScheduler({ estimator: options.estimator, eta, minEpochs: Math.max(1, Math.round(minEpochs * eta ** b)) });
  const of = (t: Trial, n: number) => t.number % n;
  return {
    name: `Hyperband (${options.estimator.name}, r ${minEpochs}, eta ${eta})`,
    next(trials, budget, state) {
      checkNextArgs(trials, budget, state);
      const { busy, canAsk } = state;
      const n = bracketsFor(budget);
      // Work inside brackets first (idle trials, promotions), without starting new trials there.
      for (let b = 0; b < n; b++) {
        const mine = trials.filter((t) => of(t, n) === b);
        const job = bracket(budget, b).next(mine, budget, { busy, canAsk: false });
        if (typeof job === "object") return job;
      }
      if (canAsk) {
        const number = trials.length ? Math.max(...trials.map((t) => t.number)) + 1 : 0;
        const b = number % n;
        const first = ashaRungs(Math.max(1, Math.round(minEpochs * eta ** b)), eta, budget)[0] ?? budget;
        return { kind: "new", to: first };
      }
      return busy.size > 0 ? "wait" : "done";
    },
    verdict(trial, trials) {
      checkVerdictArgs(trial, trials);
      const n = bracketsFor(trial.budget);
      const b = of(trial, n);
      return bracket(trial.budget, b).verdict(
        trial,
        trials.filter((t) => of(t, n) === b),
      );
    },
  };
}
