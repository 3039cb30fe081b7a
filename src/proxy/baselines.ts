import { warn } from "../core/warn.js";
import { levenbergMarquardt } from "ml-levenberg-marquardt";
import { fail, show } from "../core/errors.js";
import type { TrialView, Estimator } from "./types.js";
import { checkEstimateArgs } from "./evaluate.js";
import { checkNumber, checkNumbers } from "../core/validate.js";

function observed(c: TrialView, t: number, key: "valAcc" | "trainLoss", name: string, T?: number): readonly number[] {
  checkEstimateArgs(name, c, undefined, T, [key]);
  const curve = c.curves[key];
  if (!Number.isInteger(t) || t < 1 || t > curve.length) {
    fail("invalid-argument", {
      parameter: "t",
      rule: `must be an integer in 1..${curve.length} (the recorded epochs) for ${name}`,
      received: show(t),
      fix: "estimate at a budget the candidate has reached.",
    });
  }
  return curve.slice(0, t);
}

/** Early stopping: validation accuracy at epoch t. */
export function earlyStopping(): Estimator {
  return {
    name: "early stopping",
    needs: ["curves"],
    estimate: (c, t, T) => observed(c, t, "valAcc", "early stopping", T).at(-1)!,
  };
}

/** Best-so-far validation accuracy up to epoch t. */
export function bestSoFar(): Estimator {
  return {
    name: "best-so-far",
    needs: ["curves"],
    estimate: (c, t, T) => Math.max(...observed(c, t, "valAcc", "best-so-far", T)),
  };
}

/**
 * SoTL (Ru et al.): minus the sum over epochs 1..t of each epoch's training cross-entropy. Each
 * epoch's loss is the mean per image over its minibatches (Ru et al. sum over the minibatches,
 * which would rank batch sizes when they differ across a space); never the weight-decay penalty.
 */
export function sotl(): Estimator {
  return {
    name: "SoTL",
    needs: ["curves"],
    estimate: (c, t, T) => -observed(c, t, "trainLoss", "SoTL", T).reduce((s, v) => s + v, 0),
  };
}

/** SoTL-E: minus epoch t's training cross-entropy (mean per image over its minibatches, as in SoTL). */
export function sotlE(): Estimator {
  return {
    name: "SoTL-E",
    needs: ["curves"],
    estimate: (c, t, T) => -observed(c, t, "trainLoss", "SoTL-E", T).at(-1)!,
  };
}

type Family = {
  name: string;
  f: (p: number[]) => (x: number) => number;
  init: (y: readonly number[]) => number[];
  min: number[];
  max: number[];
};

/** Parametric learning-curve families (Domhan et al. 2015), x = epoch. */
export const LCE_FAMILIES: readonly Family[] = [
  {
    name: "pow3",
    f:
      ([a, alpha, c]) =>
      (x) =>
        c! - a! * x ** -alpha!,
    init: (y) => [Math.max(0.01, y.at(-1)! - y[0]! + 0.05), 0.5, Math.min(1, y.at(-1)! + 0.05)],
    min: [0, 0.01, 0],
    max: [2, 5, 1.2],
  },
  {
    name: "exp3",
    f:
      ([a, b, c]) =>
      (x) =>
        c! - a! * Math.exp(-b! * x),
    init: (y) => [Math.max(0.01, y.at(-1)! - y[0]! + 0.1), 0.5, Math.min(1, y.at(-1)! + 0.05)],
    min: [0, 0.01, 0],
    max: [2, 5, 1.2],
  },
  {
    name: "log-power",
    f:
      ([a, b, c]) =>
      (x) =>
        a! / (1 + (x / Math.exp(b!)) ** -c!),
    init: (y) => [Math.min(1.2, y.at(-1)! + 0.1), 0, 1],
    min: [0, -5, 0.01],
    max: [1.2, 5, 5],
  },
];

/** Extrapolations of each family fitted to the curve, at epoch T (undefined where a fit failed). */
export function lceFits(
  valAcc: readonly number[],
  T: number,
): { family: string; prediction: number | undefined; error?: string }[] {
  checkNumbers("valAcc", valAcc, 1);
  checkNumber("T", T, { integer: true, min: 1, max: 1_000_000 });
  const x = valAcc.map((_, i) => i + 1);
  return LCE_FAMILIES.map((fam) => {
    try {
      const r = levenbergMarquardt({ x, y: [...valAcc] }, fam.f, {
        initialValues: fam.init(valAcc),
        minValues: fam.min,
        maxValues: fam.max,
        maxIterations: 200,
        damping: 0.1,
      });
      const p = fam.f(r.parameterValues)(T);
      return { family: fam.name, prediction: Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : undefined };
    } catch (err) {
      // A family that cannot be fitted to this curve (singular Jacobian) does not vote; the
      // reason stays with the result and is warned once.
      const error = (err as Error)?.message ?? String(err);
      warn(`LCE: the ${fam.name} fit failed (${error.split("\n")[0]}); the other families vote`);
      return { family: fam.name, prediction: undefined, error };
    }
  });
}

/**
 * LCE: least-squares fits of pow3, exp3 and log-power curves to validation accuracy 1..t,
 * extrapolated to T and averaged. Three parameters need three points: below t = 3 it returns the
 * last observed accuracy (early stopping), as does a t where every fit fails.
 */
export function lce(): Estimator {
  return {
    name: "LCE",
    needs: ["curves"],
    estimate: (c, t, T) => {
      const y = observed(c, t, "valAcc", "LCE", T);
      if (t < 3) return y.at(-1)!;
      const preds = lceFits(y, T)
        .map((f) => f.prediction)
        .filter((p): p is number => p !== undefined);
      return preds.length ? preds.reduce((s, p) => s + p, 0) / preds.length : y.at(-1)!;
    },
  };
}
