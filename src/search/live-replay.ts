/**
 * The replay of a live search over recorded trials: what study.optimize would do on `workers`
 * workers with the same pruner, paying each epoch the seconds it took when it was recorded. It
 * runs the same decision code (search/policy.ts and the pruner) in simulated time, so it predicts
 * the live search; trials must be recorded to the full budget (e.g. a study without pruner over
 * the same configurations: studies with the same seed ask the same ones).
 */
import { fail, show } from "../core/errors.js";
import {
  checkBoolean,
  checkFunction,
  checkKeys,
  checkNumber,
  checkArray,
  checkShape,
  checkRequired,
  checkRecords,
} from "../core/validate.js";
import { checkCurves, copyCurves, peakValAcc } from "../history/curves.js";
import { truncate } from "../history/feature-history.js";
import { checkTrials, type Trial } from "../history/trial.js";
import { prunerScheduler, type Scheduler, type Verdict } from "./schedulers.js";
import type { Pruner } from "./pruners.js";

/** One event of a (live or replayed) search on its clock: a trial's epoch, verdict or end. */
export interface SearchEvent {
  /** Wall-clock seconds since the search started. */
  readonly seconds: number;
  /** Truth of a trial whose full training just finished. */
  readonly truth: number;
  /** The trial's number. */
  readonly candidate: number;
}

/** The first wall-clock time the running best reaches `target` (undefined if never). */
export function timeToReach(events: readonly SearchEvent[], target: number): number | undefined {
  checkRecords("events", events, {
    what: "a search event",
    fields: { seconds: "number", truth: "number" },
    fix: "pass a replay's events.",
  });
  checkNumber("target", target);
  let best = -Infinity;
  for (const e of [...events].sort((a, b) => a.seconds - b.seconds)) {
    best = Math.max(best, e.truth);
    if (best >= target - 1e-12) return e.seconds;
  }
  return undefined;
}

/** How a replay charges time: feature capture only for history readers, each decision's fit seconds. */
export interface ReplayCostOptions {
  /** Parallel workers (the live search's). */
  readonly workers: number;
  /**
   * Charge the recorded feature-capture seconds. Default true (what a live search that records
   * histories pays); false for a search that never reads histories and so would not capture.
   */
  readonly capture?: boolean;
  /**
   * Seconds a scored decision (an estimate at a rung or pruning epoch) costs the worker that waits
   * for it. Default: the wall-clock the replay's own verdict took (the estimator runs for real).
   * With recorded estimates, pass their recorded fit seconds.
   */
  readonly decisionSeconds?: (trial: Trial, epoch: number) => number;
  /** The truth of a complete trial in `events`. Default its peak validation accuracy. */
  readonly truth?: (trial: Trial) => number;
}

/** Options of a replay of the pruner search: the workers and the pruner (and how time is charged). */
export interface LiveReplayOptions extends Omit<ReplayCostOptions, "workers"> {
  /** Parallel workers (the live search's). */
  readonly workers: number;
  /** The live search's pruner; none: every trial is trained to the budget. */
  readonly pruner?: Pruner;
}

/** A replayed search: its events, the decisions it made and its total seconds. */
export interface LiveReplayResult {
  /** Every trial trained to the budget: when (simulated seconds) and its truth (peak validation accuracy). */
  readonly events: readonly SearchEvent[];
  /** The pruner's decisions, in simulated time order. */
  readonly decisions: readonly {
    readonly id: string;
    readonly seconds: number;
    /** The epoch at which it was decided. */
    readonly epoch: number;
    readonly pruned: boolean;
  }[];
  /** When the last worker is done. */
  readonly seconds: number;
}

/** A trial as it stood after epoch t. */
export function trialAt(trial: Trial, t: number): Trial {
  checkShape("trial", trial, "a trial", { id: "string", curves: "object", budget: "number" }, "pass a recorded trial.");
  checkNumber("t", t, { integer: true, min: 0 });
  const curves = copyCurves(trial.curves, t);
  return {
    ...trial,
    state: "running",
    epochs: t,
    curves,
    ...(trial.probeTrain ? { probeTrain: truncate(trial.probeTrain, t) } : {}),
    ...(trial.probeValidation ? { probeValidation: truncate(trial.probeValidation, t) } : {}),
    scores: {},
  };
}

/** Replay study.optimize with the pruner's search over recorded trials (in the order they were asked). */
export function replayOptimize(trials: readonly Trial[], options: LiveReplayOptions): LiveReplayResult {
  checkRequired("options", options, ["workers", "pruner", "capture", "decisionSeconds", "truth"]);
  const { pruner, ...costs } = options;
  return replaySchedule(trials, prunerScheduler(pruner), costs);
}

/**
 * Replay any scheduler over recorded trials in simulated time: `workers` lanes ask the scheduler
 * for work as they free up (new trials are the recorded ones, in the order they were asked), a
 * job costs the recorded seconds of its epochs (feature capture only where the search records
 * histories), a scored decision costs its estimator's fit (the worker waits for it, as in
 * study.optimize), and the verdict after a job sees the trial as it stood at that epoch. What
 * study.optimize does live, with the same scheduler code.
 */
export function replaySchedule(
  trials: readonly Trial[],
  scheduler: Scheduler,
  options: ReplayCostOptions,
): LiveReplayResult {
  checkTrials("trials", trials, { number: "number", epochs: "number", budget: "number", scores: "object" });
  trials.forEach((t, i) => {
    checkCurves(`trials[${i}].curves`, t.curves);
    checkNumber(`trials[${i}].budget`, t.budget, { integer: true, min: 1, max: 1_000_000 });
  });
  checkShape(
    "scheduler",
    scheduler,
    "a scheduler",
    { next: "function", verdict: "function" },
    "pass e.g. fh.search.ashaScheduler({ estimator }).",
  );
  checkRequired("options", options, ["workers", "capture", "decisionSeconds", "truth"]);
  checkKeys("options", options, ["workers", "capture", "decisionSeconds", "truth"]);
  if (options.capture !== undefined) checkBoolean("options.capture", options.capture);
  if (options.decisionSeconds !== undefined)
    checkFunction(
      "options.decisionSeconds",
      options.decisionSeconds,
      "pass (trial, epoch) => seconds, or leave it out.",
    );
  if (options.truth !== undefined)
    checkFunction(
      "options.truth",
      options.truth,
      "pass (trial) => its truth, or leave it out for peak validation accuracy.",
    );
  const capture = options.capture ?? true;
  const truthOf = options.truth ?? ((t: Trial) => peakValAcc(t.curves));
  const workers = checkNumber("options.workers", options.workers, { integer: true, min: 1, max: 1024 });
  if (!trials.length)
    fail("invalid-argument", {
      parameter: "trials",
      rule: "must not be empty",
      received: "[]",
      fix: "pass a study's complete trials.",
    });
  const recorded = [...trials].sort((a, b) => a.number - b.number);
  for (const [key, what] of [
    ["id", "id"],
    ["number", "number"],
  ] as const) {
    const seen = new Set<unknown>();
    for (const t of recorded) {
      if (seen.has(t[key]))
        fail("invalid-argument", {
          parameter: "trials",
          rule: `must hold each trial once (a unique ${what} each)`,
          received: `two trials with ${what} ${show(t[key])}`,
          fix: "pass a study's trials, each once.",
        });
      seen.add(t[key]);
    }
  }
  const budgets = new Set(recorded.map((t) => t.budget));
  if (budgets.size > 1)
    fail("invalid-argument", {
      parameter: "trials",
      rule: "must share one full budget T (a replay trains any of them to T)",
      received: `budgets ${[...budgets].join(", ")}`,
      fix: "replay the trials of one study.",
    });
  for (const t of recorded)
    if (t.curves.seconds.length < t.budget || t.epochs !== t.budget)
      fail("invalid-argument", {
        parameter: `trials (${t.id})`,
        rule: "must be recorded to the full budget (a replay may train any trial to T)",
        received: show(`${Math.min(t.epochs, t.curves.seconds.length)} of ${t.budget} epochs`),
        fix: "replay the complete trials of a study without pruner over the same configurations.",
      });
  const budget = recorded[0]!.budget;
  const full = new Map(recorded.map((t) => [t.id, t]));
  const sim = new Map<string, Trial>();
  const view = () => [...sim.values()];
  const cost = (t: Trial, from: number, to: number) => {
    let s = 0;
    for (let e = from; e < to; e++) s += t.curves.seconds[e]! - (capture ? 0 : (t.curves.captureSeconds[e] ?? 0));
    return s;
  };
  const events: SearchEvent[] = [];
  const decisions: { id: string; seconds: number; epoch: number; pruned: boolean }[] = [];
  const busy = new Set<string>();
  type Pending = { time: number; lane: number; id: string; to: number };
  const pending: Pending[] = [];
  let waitingLanes: number[] = [];
  let asked = 0;
  let clock = 0;
  // Each job trains a trial on by at least an epoch: more jobs than that is a scheduler that loops.
  const maxJobs = recorded.length * (budget + 1) + workers;
  let jobs = 0;
  const badJob = (job: unknown, rule: string): never =>
    fail("invalid-argument", {
      parameter: "scheduler.next(...)",
      rule,
      received: show(job),
      fix: 'return "wait", "done", { kind: "new", to } or { kind: "continue", id, to } (e.g. fh.search.ashaScheduler).',
    });
  const checkJob = (job: unknown): void => {
    if (job === null || typeof job !== "object") badJob(job, 'must return "wait", "done" or a job');
    const j = job as { kind?: unknown; id?: unknown; to?: unknown };
    const to = j.to;
    if (typeof to !== "number" || !Number.isInteger(to) || to < 1 || to > budget)
      badJob(job, `must give a job's epoch "to" as an integer in 1..${budget} (the budget)`);
    if (j.kind === "new") {
      if (asked >= recorded.length) badJob(job, "must not start a new trial when canAsk is false");
    } else if (j.kind === "continue") {
      const t = typeof j.id === "string" ? sim.get(j.id) : undefined;
      if (!t || busy.has(t.id)) return badJob(job, "must continue a started trial with no job in flight");
      if ((to as number) <= t.epochs) badJob(job, `must train ${t.id} beyond its ${t.epochs} epochs`);
    } else badJob(job, 'must give a job of kind "new" or "continue"');
  };
  const dispatch = (lane: number, time: number): void => {
    const job = scheduler.next(view(), budget, { busy, canAsk: asked < recorded.length });
    if (typeof job === "object" && ++jobs > maxJobs)
      fail("state", {
        parameter: "scheduler",
        rule: `must bring every trial to its end (${maxJobs} jobs at most for ${recorded.length} trials of ${budget} epochs)`,
        received: `job ${jobs}: ${show(job)}`,
        fix: "a job must train its trial to a later epoch than it has.",
      });
    if (job === "done") return;
    if (job === "wait") {
      waitingLanes.push(lane);
      return;
    }
    checkJob(job);
    let id: string;
    if (job.kind === "new") {
      const t = recorded[asked++]!;
      id = t.id;
      sim.set(id, { ...trialAt(t, 0), state: "running" });
    } else {
      id = job.id;
      sim.set(id, { ...sim.get(id)!, state: "running" });
    }
    const now = sim.get(id)!;
    busy.add(id);
    pending.push({ time: time + cost(full.get(id)!, now.epochs, job.to), lane, id, to: job.to });
  };
  for (let lane = 0; lane < workers; lane++) dispatch(lane, 0);
  while (pending.length) {
    pending.sort((a, b) => a.time - b.time || a.lane - b.lane);
    const ev = pending.shift()!;
    clock = Math.max(clock, ev.time);
    if (ev.to === -1) {
      // A lane done waiting for a decision: it asks for work.
      const lanes = [ev.lane, ...waitingLanes];
      waitingLanes = [];
      for (const lane of lanes) dispatch(lane, ev.time);
      continue;
    }
    busy.delete(ev.id);
    const t = full.get(ev.id)!;
    const before = sim.get(ev.id)!;
    const at: Trial = { ...(ev.to >= t.budget ? t : trialAt(t, ev.to)), state: "running", scores: before.scores };
    const v0 = performance.now();
    const v = scheduler.verdict(at, view()) as unknown as Verdict;
    if (
      v === null ||
      typeof v !== "object" ||
      !["running", "pruned", "complete"].includes(v.state) ||
      v.scores === null ||
      typeof v.scores !== "object"
    )
      fail("invalid-argument", {
        parameter: "scheduler.verdict(...)",
        rule: 'must return { state: "running" | "pruned" | "complete", scores }',
        received: show(v),
        fix: "return a verdict as fh.search.ashaScheduler's does.",
      });
    const scored = Object.keys(v.scores).length > 0;
    const fit = !scored
      ? 0
      : options.decisionSeconds
        ? options.decisionSeconds(at, ev.to)
        : (performance.now() - v0) / 1000;
    const scores = { ...before.scores, ...v.scores };
    sim.set(ev.id, { ...at, state: v.state, scores });
    if (scored) decisions.push({ id: ev.id, seconds: ev.time + fit, epoch: ev.to, pruned: v.state === "pruned" });
    if (v.state === "complete") events.push({ seconds: ev.time, truth: truthOf(t), candidate: t.number });
    // The worker that trained it waits for the decision (study.optimize settles on its lane).
    if (fit > 0) {
      pending.push({ time: ev.time + fit, lane: ev.lane, id: "", to: -1 });
      continue;
    }
    const lanes = [ev.lane, ...waitingLanes];
    waitingLanes = [];
    for (const lane of lanes) dispatch(lane, ev.time);
  }
  return { events, decisions, seconds: clock };
}

/** A finished live search's completions: seconds after its first trial started, and truths. */
export function liveSearchEvents(trials: readonly Trial[]): SearchEvent[] {
  checkTrials("trials", trials);
  trials.forEach((t, i) => {
    for (const key of ["startedAt", "endedAt"] as const)
      if (t[key] !== undefined && typeof t[key] !== "number")
        fail("invalid-argument", {
          parameter: `trials[${i}].${key}`,
          rule: "must be a time (ms since 1970) or undefined",
          received: show(t[key]),
          fix: "pass study.trials().",
        });
  });
  const started = trials.map((t) => t.startedAt).filter((s): s is number => s !== undefined);
  if (!started.length) return [];
  const start = Math.min(...started);
  return trials
    .filter((t) => t.state === "complete" && t.endedAt !== undefined)
    .map((t) => ({ seconds: (t.endedAt! - start) / 1000, truth: peakValAcc(t.curves), candidate: t.number }))
    .sort((a, b) => a.seconds - b.seconds);
}

/** One row of fh.search.compareLiveToReplay: a search's live time to a target against its replay's. */
export interface LiveComparisonRow {
  readonly search: string;
  readonly complete: number;
  readonly pruned: number;
  readonly failed: number;
  /** Wall-clock of the live search, first start to last end (s). */
  readonly liveSeconds: number;
  /** Live wall-clock until a complete trial reached the target (s), if one did. */
  readonly liveToTarget?: number;
  /** The replay's prediction of that time, over the full study's trials. */
  readonly replayToTarget?: number;
  /** liveToTarget / replayToTarget. */
  readonly ratio?: number;
}

/**
 * Live searches next to their replays: for each, when it reached `target` (e.g. the best
 * full-training truth minus one standard error) live, and when the replay over `full` (the
 * complete trials of a search without pruner over the same configurations) says it would.
 */
export function compareLiveToReplay(
  searches: readonly { readonly name: string; readonly trials: readonly Trial[]; readonly pruner?: Pruner }[],
  full: readonly Trial[],
  options: { readonly workers: number; readonly target: number },
): LiveComparisonRow[] {
  checkRequired("options", options, ["workers", "target"]);
  checkRecords(
    "searches",
    searches,
    { what: "a search", fields: { name: "string", trials: "array" }, fix: "pass { name, trials, pruner? }." },
    { fix: "pass { name, trials, pruner? } per search." },
  );
  checkArray("full", full, { fix: "pass the complete trials of a search without pruner." });
  checkTrials("full", full);
  searches.forEach((s, i) => {
    checkTrials(`searches[${i}].trials`, s.trials);
    if (s.pruner !== undefined)
      checkShape(
        `searches[${i}].pruner`,
        s.pruner,
        "a pruner { name, epochs, decide }",
        { name: "string", epochs: "number", decide: "function" },
        "pass the search's pruner, or leave it out.",
      );
  });
  const target = checkNumber("options.target", options.target, {});
  const complete = full.filter((t) => t.state === "complete");
  return searches.map((s) => {
    const events = liveSearchEvents(s.trials);
    const ends = s.trials.map((t) => t.endedAt).filter((e): e is number => e !== undefined);
    const starts = s.trials.map((t) => t.startedAt).filter((e): e is number => e !== undefined);
    const liveToTarget = timeToReach(events, target);
    const replay = replayOptimize(complete, { workers: options.workers, ...(s.pruner ? { pruner: s.pruner } : {}) });
    const replayToTarget = timeToReach(replay.events, target);
    const count = (state: Trial["state"]) => s.trials.filter((t) => t.state === state).length;
    return {
      search: s.name,
      complete: count("complete"),
      pruned: count("pruned"),
      failed: count("failed"),
      liveSeconds: ends.length && starts.length ? (Math.max(...ends) - Math.min(...starts)) / 1000 : 0,
      ...(liveToTarget !== undefined ? { liveToTarget } : {}),
      ...(replayToTarget !== undefined ? { replayToTarget } : {}),
      ...(liveToTarget !== undefined && replayToTarget !== undefined && replayToTarget > 0
        ? { ratio: liveToTarget / replayToTarget }
        : {}),
    };
  });
}
