import { fail, show } from "../core/errors.js";
import { warn } from "../core/warn.js";
import { checkNumbers } from "../core/validate.js";

/** truth ~ intercept + slope * estimate, fitted on finished candidates. */
export interface Calibration {
  readonly intercept: number;
  readonly slope: number;
  apply(estimate: number): number;
}

/**
 * Least-squares linear calibration of estimates to truth. Rank order is what search needs;
 * calibrated values are what a table reader wants. Constant estimates give undefined (warned).
 */
export function fitCalibration(estimates: readonly number[], truths: readonly number[]): Calibration | undefined {
  checkNumbers("estimates", estimates);
  checkNumbers("truths", truths);
  if (estimates.length !== truths.length || estimates.length < 2) {
    fail("invalid-argument", {
      parameter: "fitCalibration(estimates, truths)",
      rule: "needs two arrays of the same length >= 2",
      received: `lengths ${estimates.length} and ${truths.length}`,
      fix: "pass one estimate and one truth per finished candidate.",
    });
  }
  const i = [...estimates, ...truths].findIndex((v) => !Number.isFinite(v));
  if (i >= 0)
    fail("invalid-argument", {
      parameter: "fitCalibration",
      rule: "needs finite values",
      received: show([...estimates, ...truths][i]),
      fix: "drop failed candidates first.",
    });
  const n = estimates.length;
  const mx = estimates.reduce((s, v) => s + v, 0) / n;
  const my = truths.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (estimates[k]! - mx) * (truths[k]! - my);
    sxx += (estimates[k]! - mx) ** 2;
  }
  if (sxx === 0) {
    warn("fitCalibration: the estimates are constant, so no calibration can be fitted.");
    return undefined;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  return {
    intercept,
    slope,
    apply: (e) => {
      if (typeof e !== "number")
        fail("invalid-argument", {
          parameter: "estimate",
          rule: "must be a number (an estimate on the scale the calibration was fitted on)",
          received: show(e),
          fix: "pass one estimate, e.g. a row's estimate from fh.proxy.estimateAll.",
        });
      return intercept + slope * e;
    },
  };
}
