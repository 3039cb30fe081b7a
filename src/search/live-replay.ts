/**
 * The replay of a live search over recorded trials: what study.optimize would do on `workers`
 * workers with the same pruner, paying each epoch the seconds it took when it was recorded. It
 * runs the same decision code (search/policy.ts and the pruner) in simulated time, so it predicts
 * the live search; trials must be recorded to the full budget (e.g. a study without pruner over
 * the same configurations: studies with the same seed ask the same ones).
 */
import { fail, show } from "../core/errors.js";
import { checkKeys, checkNumber } from "../core/validate.js";
import { peakValAcc, type Curves } from "../history/curves.js";
import { truncate } from "../history/feature-history.js";
import type { Trial } from "../history/trial.js";
import { nextSearchStep } from "./policy.js";
import type { Pruner } from "./pruners.js";
import type { SearchEvent } from "./replay.js";

export interface LiveReplayOptions {
  /** Parallel workers (the live search's). */
  readonly workers: number;
  /** The live search's pruner; none: every trial is trained to the budget. */
  readonly pruner?: Pruner;
}

export interface LiveReplayResult {
  /** Every trial trained to the budget: when (simulated seconds) and its truth (peak validation accuracy). */
  readonly events: readonly SearchEvent[];
  /** The pruner's decisions, in simulated time order. */
  readonly decisions: readonly { readonly id: string; readonly seconds: number; readonly pruned: boolean }[];
  /** When the last worker is done. */
  readonly seconds: number;
}

/** A trial as it stood after epoch t. */
export function trialAt(trial: Trial, t: number): Trial {
  const curves = Object.fromEntries(
    Object.entries(trial.curves).map(([k, v]) => [k, (v as number[]).slice(0, t)]),
  ) as unknown as Curves;
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

/** Replay study.optimize over recorded trials (in the order they were asked). */
export function replayOptimize(trials: readonly Trial[], options: LiveReplayOptions): LiveReplayResult {
  checkKeys("options", options, ["workers", "pruner"]);
  const workers = checkNumber("options.workers", options.workers, { integer: true, min: 1, max: 1024 });
  if (!trials.length)
    fail("invalid-argument", {
      parameter: "trials",
      rule: "must not be empty",
      received: "[]",
      fix: "pass a study's complete trials.",
    });
  const order = [...trials].sort((a, b) => a.number - b.number);
  for (const t of order)
    if (t.curves.seconds.length < t.budget)
      fail("invalid-argument", {
        parameter: `trials (${t.id})`,
        rule: "must be recorded to the full budget (a replay may train any trial to T)",
        received: show(`${t.curves.seconds.length} of ${t.budget} epochs`),
        fix: "replay the complete trials of a study without pruner over the same configurations.",
      });
  const cost = (t: Trial, from: number, to: number) => t.curves.seconds.slice(from, to).reduce((s, v) => s + v, 0);
  const events: SearchEvent[] = [];
  const decisions: { id: string; seconds: number; pruned: boolean }[] = [];
  const judged: Trial[] = [];
  type Pending = { time: number; lane: number; index: number; kind: "judge" | "end" };
  const pending: Pending[] = [];
  let next = 0;
  const start = (lane: number, time: number) => {
    if (next >= order.length) return;
    const index = next++;
    const trial = order[index]!;
    const step = nextSearchStep({ epochs: 0, budget: trial.budget }, options.pruner, false);
    if (step === "judge" || step === "complete") return; // unreachable with epochs 0
    pending.push({
      time: time + cost(trial, 0, step.train),
      lane,
      index,
      kind: step.train < trial.budget ? "judge" : "end",
    });
  };
  for (let lane = 0; lane < workers; lane++) start(lane, 0);
  let clock = 0;
  while (pending.length) {
    pending.sort((a, b) => a.time - b.time || a.lane - b.lane);
    const ev = pending.shift()!;
    clock = ev.time;
    const trial = order[ev.index]!;
    if (ev.kind === "end") {
      events.push({ seconds: ev.time, truth: peakValAcc(trial.curves), candidate: ev.index });
      start(ev.lane, ev.time);
      continue;
    }
    const t = options.pruner!.epochs;
    const view = trialAt(trial, t);
    const decision = options.pruner!.decide(view, judged);
    judged.push({ ...view, scores: { ...decision.scores } });
    decisions.push({ id: trial.id, seconds: ev.time, pruned: decision.prune });
    if (decision.prune) start(ev.lane, ev.time);
    else pending.push({ time: ev.time + cost(trial, t, trial.budget), lane: ev.lane, index: ev.index, kind: "end" });
  }
  return { events, decisions, seconds: clock };
}
