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
    max: [2, 5, 1],
  },
  {
    name: "exp3",
    f:
      ([a, b, c]) =>
      (x) =>
        c! - a! * Math.exp(-b! * x),
    init: (y) => [Math.max(0.01, y.at(-1)! - y[0]! + 0.1), 0.5, Math.min(1, y.at(-1)! + 0.05)],
    min: [0, 0.01, 0],
    max: [2, 5, 1],
  },
  {
    name: "log-power",
    f:
      ([a, b, c]) =>
      (x) =>
        a! / (1 + (x / Math.exp(b!)) ** -c!),
    init: (y) => [Math.min(1, y.at(-1)! + 0.1), 0, 1],
    min: [0, -5, 0.01],
    max: [1, 5, 5],
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

/** The fewest epochs LCE extrapolates from: three parameters, plus the epoch it holds out. */
export const LCE_MIN_EPOCHS = 4;

/**
 * LCE (Domhan et al. 2015, least squares instead of MCMC): the monotone families pow3, exp3 and
 * log-power, each bounded by 1, fitted to validation accuracy 1..t. It never extrapolates from
 * fewer points than parameters, and it checks itself: each family is first fitted to 1..t-1 and
 * judged on epoch t (leave-last-epoch-out). The families within twice the best one's error are
 * fitted to 1..t and their predictions at T averaged, unless even the best one predicted epoch t
 * no better than early stopping does (epoch t-1's accuracy): then, as below t = 4 or where every
 * fit fails, it returns early stopping. Predictions are kept within [accuracy at t, 1].
 */
export function lce(): Estimator {
  return {
    name: "LCE",
    needs: ["curves"],
    estimate: (c, t, T) => {
      const y = observed(c, t, "valAcc", "LCE", T);
      const last = y.at(-1)!;
      if (t < LCE_MIN_EPOCHS || T <= t || y.some((v) => !Number.isFinite(v))) return last;
      const held = lceFits(y.slice(0, -1), t);
      const errors = held.map((f) => (f.prediction === undefined ? Infinity : Math.abs(f.prediction - last)));
      const best = Math.min(...errors);
      if (!(best < Math.abs(y.at(-2)! - last))) return last;
      const full = lceFits(y, T);
      const preds = full
        .filter((f, i) => f.prediction !== undefined && errors[i]! <= 2 * best + 1e-9)
        .map((f) => f.prediction!);
      if (!preds.length) return last;
      return Math.min(1, Math.max(last, preds.reduce((s, p) => s + p, 0) / preds.length));
    },
  };
}
