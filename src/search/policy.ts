/**
 * The decision logic of a search driven by a pruner, as pure functions over trials: the live
 * search (study/optimize.ts) and its replay over recorded trials (search/live-replay.ts) both use
 * it, so a replay predicts what the live search does. A trial is trained to the pruner's epoch t,
 * judged there once, and either pruned or trained on to the full budget T.
 */
import type { Trial } from "../history/trial.js";
import type { Pruner } from "./pruners.js";
import { checkShape } from "../core/validate.js";

/** The next step of a pruner-driven trial: train to an epoch, be judged, or be complete. */
export type SearchStep = { readonly train: number } | "judge" | "complete";

/** What a running trial needs next. `judged`: the pruner has already decided on it at t. */
export function nextSearchStep(
  trial: Pick<Trial, "epochs" | "budget">,
  pruner: Pick<Pruner, "epochs"> | undefined,
  judged: boolean,
): SearchStep {
  checkShape("trial", trial, "a trial", { epochs: "number", budget: "number" }, "pass a trial.");
  if (pruner !== undefined)
    checkShape("pruner", pruner, "a pruner", { epochs: "number" }, "pass a pruner or undefined.");
  const t = pruner && pruner.epochs < trial.budget ? pruner.epochs : undefined;
  if (t !== undefined && trial.epochs < t) return { train: t };
  if (t !== undefined && trial.epochs === t && !judged) return "judge";
  return trial.epochs < trial.budget ? { train: trial.budget } : "complete";
}
