/**
 * What a pruned search saved against training every candidate to T, from two recorded searches
 * that asked the same candidates (same study seed): epochs trained, worker-seconds, wall-clock,
 * and whether the pruned search kept the best candidate of full training.
 */
import { fail } from "../core/errors.js";
import { peakValAcc } from "../history/curves.js";
import { checkTrials, type Trial } from "../history/trial.js";

/** The comparison searchSavings returns; `text` says it in one line. */
export interface SearchSavings {
  readonly epochs: number;
  readonly fullEpochs: number;
  /** Sum of the trials' training seconds (worker time). */
  readonly seconds: number;
  readonly fullSeconds: number;
  /** From the first trial's start to the last one's end (undefined without timestamps). */
  readonly wallClock?: number;
  readonly fullWallClock?: number;
  /** Share of full training's epochs / wall-clock not spent (0.4 = 40 % less). */
  readonly epochsSaved: number;
  readonly wallClockSaved?: number;
  /** The best complete trial of each search by the truth (test accuracy, else peak validation accuracy). */
  readonly bestFull?: { readonly id: string; readonly config: Trial["config"]; readonly truth: number };
  readonly bestFound?: { readonly id: string; readonly config: Trial["config"]; readonly truth: number };
  /** True when the pruned search trained full training's best candidate to T. */
  readonly keptBest: boolean;
  readonly text: string;
}

const truthOf = (t: Trial) => t.testAcc ?? peakValAcc(t.curves);

function best(trials: readonly Trial[]) {
  const complete = trials.filter((t) => t.state === "complete");
  if (complete.length === 0) return undefined;
  const b = complete.reduce((a, t) => (truthOf(t) > truthOf(a) ? t : a));
  return { id: b.id, config: b.config, truth: truthOf(b) };
}

function span(trials: readonly Trial[]): number | undefined {
  const starts = trials.map((t) => t.startedAt).filter((s): s is number => s !== undefined);
  const ends = trials.map((t) => t.endedAt).filter((s): s is number => s !== undefined);
  if (starts.length === 0 || ends.length === 0) return undefined;
  return (Math.max(...ends) - Math.min(...starts)) / 1000;
}

const sameConfig = (a: Trial["config"], b: Trial["config"]) => JSON.stringify(a) === JSON.stringify(b);

/** Compare a pruned search with full training over the same candidates (see the module comment). */
export function searchSavings(search: readonly Trial[], full: readonly Trial[]): SearchSavings {
  checkTrials("search", search);
  checkTrials("full", full);
  if (full.length === 0 || full.some((t) => t.state !== "complete"))
    fail("invalid-argument", {
      parameter: "full",
      rule: "must be the trials of a search without pruner, every one complete",
      received: `${full.length} trials, ${full.filter((t) => t.state !== "complete").length} not complete`,
      fix: "pass the trials of a study created without a pruner, after its optimize has ended.",
    });
  const epochs = search.reduce((s, t) => s + t.epochs, 0);
  const fullEpochs = full.reduce((s, t) => s + t.epochs, 0);
  const seconds = search.reduce((s, t) => s + t.seconds, 0);
  const fullSeconds = full.reduce((s, t) => s + t.seconds, 0);
  const wallClock = span(search);
  const fullWallClock = span(full);
  const bestFull = best(full);
  const bestFound = best(search);
  const keptBest = bestFull !== undefined && bestFound !== undefined && sameConfig(bestFull.config, bestFound.config);
  const epochsSaved = 1 - epochs / fullEpochs;
  const wallClockSaved =
    wallClock !== undefined && fullWallClock !== undefined && fullWallClock > 0
      ? 1 - wallClock / fullWallClock
      : undefined;
  const pct = (x: number) => `${(100 * Math.abs(x)).toFixed(0)} % ${x >= 0 ? "less" : "more"}`;
  const text =
    `the pruned search trained ${epochs} of ${fullEpochs} epochs (${pct(epochsSaved)})` +
    (wallClockSaved !== undefined
      ? `, ${wallClock!.toFixed(0)} s of wall-clock against ${fullWallClock!.toFixed(0)} s (${pct(wallClockSaved)})`
      : "") +
    (bestFull
      ? `; full training's best candidate (${bestFull.truth.toFixed(3)}) was ${keptBest ? "kept and trained to T" : `pruned; the best it kept reached ${bestFound ? bestFound.truth.toFixed(3) : "none"}`}`
      : "");
  return {
    epochs,
    fullEpochs,
    seconds,
    fullSeconds,
    ...(wallClock !== undefined ? { wallClock } : {}),
    ...(fullWallClock !== undefined ? { fullWallClock } : {}),
    epochsSaved,
    ...(wallClockSaved !== undefined ? { wallClockSaved } : {}),
    ...(bestFull ? { bestFull } : {}),
    ...(bestFound ? { bestFound } : {}),
    keptBest,
    text,
  };
}
