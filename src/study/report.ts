/**
 * What a trial reports after training (study.report): the curves of every epoch so far, and
 * histories, seconds, test accuracy and parameters when given, checked at the call.
 */
import { fail, show } from "../core/errors.js";
import { checkNumber, checkShape } from "../core/validate.js";
import { checkCurves, type Curves } from "../history/curves.js";
import type { FeatureHistory } from "../history/feature-history.js";
import { checkHistoryData } from "../proxy/fh.js";

/** What a trial reports after training: a train result fits (curves, histories, seconds, ...). */
export interface TrialReport {
  readonly curves: Curves;
  readonly probeTrain?: FeatureHistory;
  readonly probeValidation?: FeatureHistory;
  /** Training seconds of the whole run so far (replaces the trial's). */
  readonly seconds?: number;
  readonly testAcc?: number;
  readonly parameters?: number;
}

export const CURVE_KEYS = ["trainLoss", "trainAcc", "valLoss", "valAcc", "seconds", "captureSeconds", "lr"] as const;

/** `report` must be what a trial reports: curves (every per-epoch array), and histories, seconds, ... when given. */
export function checkReport(report: unknown): asserts report is TrialReport {
  checkShape(
    "report",
    report,
    "a trial report { curves, probeTrain?, probeValidation?, seconds?, testAcc?, parameters? }",
    { curves: "object" },
    "pass a train result (trainCandidate's) or { curves, ... } covering the epochs trained so far.",
  );
  const r = report as Record<string, unknown>;
  const curves = checkCurves("report.curves", r.curves);
  for (const key of CURVE_KEYS)
    curves[key].forEach((v: unknown, i) => {
      // null: a NaN (a diverged loss) read back from JSON.
      if (typeof v !== "number" && v !== null)
        fail("invalid-argument", {
          parameter: `report.curves.${key}[${i}]`,
          rule: "must be a number (one per epoch)",
          received: show(v),
          fix: "report the curves a training recorded.",
        });
    });
  if (r.probeTrain !== undefined) checkHistoryData("report.probeTrain", r.probeTrain);
  if (r.probeValidation !== undefined) checkHistoryData("report.probeValidation", r.probeValidation);
  if (r.seconds !== undefined) checkNumber("report.seconds", r.seconds, { min: 0 });
  if (r.testAcc !== undefined) checkNumber("report.testAcc", r.testAcc, { min: 0, max: 1 });
  if (r.parameters !== undefined) checkNumber("report.parameters", r.parameters, { integer: true, min: 0 });
}
