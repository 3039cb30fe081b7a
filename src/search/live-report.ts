/**
 * A live search's verdict against full training (notebook 04): the target, each live search next
 * to its replay, and each pruned search's wall-clock to the target, as rows and as text.
 */
import { fail } from "../core/errors.js";
import { checkNumber, checkRequired } from "../core/validate.js";
import { peakValAcc } from "../history/curves.js";
import { checkTrials, type Trial } from "../history/trial.js";
import { compareLiveToReplay, type LiveComparisonRow } from "./live-replay.js";
import type { Pruner } from "./pruners.js";

/** What liveSearchReport returns: the target, the rows of compareLiveToReplay with each search's reduction, and the text. */
export interface LiveSearchReport {
  /** Best truth (peak validation accuracy) among full training's complete trials. */
  readonly best: number;
  /** One standard error of an accuracy measured on `validationImages` images at `best`. */
  readonly standardError: number;
  /** best - standardError: what a search must reach. */
  readonly target: number;
  readonly rows: readonly (LiveComparisonRow & {
    /** 1 - liveToTarget / full training's liveToTarget (0.4 = 40 % less wall-clock); absent if either missed. */
    readonly reduction?: number;
  })[];
  readonly text: string;
}

/**
 * Notebook 04's verdict in one call: the target (the best full-training truth minus one standard
 * error of a validation accuracy), each live search against its replay (compareLiveToReplay), and
 * each pruned search's wall-clock to the target against full training's, as rows and as text.
 */
export function liveSearchReport(
  searches: readonly { readonly name: string; readonly trials: readonly Trial[]; readonly pruner?: Pruner }[],
  full: readonly Trial[],
  options: { readonly workers: number; readonly validationImages: number },
): LiveSearchReport {
  checkRequired("options", options, ["workers", "validationImages"]);
  const n = checkNumber("options.validationImages", options.validationImages, { integer: true, min: 1 });
  checkTrials("full", full);
  const complete = full.filter((t) => t.state === "complete");
  if (complete.length === 0)
    fail("invalid-argument", {
      parameter: "full",
      rule: "must hold at least one complete trial (full training's search)",
      received: `${full.length} trials, none complete`,
      fix: "pass the trials of the search without pruner after it has ended.",
    });
  const best = Math.max(...complete.map((t) => peakValAcc(t.curves)));
  const standardError = Math.sqrt((best * (1 - best)) / n);
  const target = best - standardError;
  const compared = compareLiveToReplay([...searches, { name: "full training", trials: full }], full, {
    workers: options.workers,
    target,
  });
  const fullRow = compared[compared.length - 1]!;
  const rows = compared.map((r) => ({
    ...r,
    ...(r.liveToTarget !== undefined && fullRow.liveToTarget
      ? { reduction: 1 - r.liveToTarget / fullRow.liveToTarget }
      : {}),
  }));
  const s = (x?: number) => (x === undefined ? "not reached" : `${x.toFixed(0)} s`);
  const lines = [
    `best full-training truth ${best.toFixed(4)}; one standard error ${standardError.toFixed(4)}; target ${target.toFixed(4)}`,
    ...rows.map(
      (r) =>
        `${r.search.padEnd(15)} ${r.complete} complete, ${r.pruned} pruned; whole search ${r.liveSeconds.toFixed(0)} s; ` +
        `to target: live ${s(r.liveToTarget)}, replay ${s(r.replayToTarget)}` +
        (r.ratio !== undefined ? ` (live / replay ${r.ratio.toFixed(2)})` : ""),
    ),
    ...rows
      .slice(0, -1)
      .map(
        (r) =>
          `${r.search}: ` +
          (r.reduction === undefined
            ? "did not reach the target"
            : `${Math.abs(100 * r.reduction).toFixed(1)} % ${r.reduction >= 0 ? "less" : "more"} wall-clock than full training to reach the target`),
      ),
  ];
  return { best, standardError, target, rows, text: lines.join("\n") };
}
