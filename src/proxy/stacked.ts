/**
 * FH+: a stacked estimator. The feature-history proxy and the curve baselines err on different
 * candidates, so a small ridge regression over their signals (the FH proxy's accuracy at t and
 * its trend since t - 1, early stopping, SoTL-E, and cheap architecture facts), fitted on
 * candidates whose truth is known, ranks new candidates. It is judged only on candidates it was
 * not fitted on: `crossValidatedStacked` gives out-of-fold predictions, and a model fitted on one
 * study is applied frozen to another.
 */
import { Matrix, solve } from "ml-matrix";
import { fail, show } from "../core/errors.js";
import { createRng, permutation } from "../core/random.js";
import { checkKeys, checkNumber, checkShape, checkArray, checkNumbers, checkRecords } from "../core/validate.js";
import type { Curves } from "../history/curves.js";
import type { TrialView, Estimator } from "./types.js";
import { checkEstimateArgs, checkEstimator } from "./evaluate.js";

/** What FH+ reads of a candidate: the FH estimates at epochs 1..t, its curves and its size. */
export interface StackedInput {
  /** The feature-history proxy's estimate after each epoch (index e - 1), at least up to t. */
  readonly fh: readonly (number | null | undefined)[];
  readonly curves: Curves;
  /** Trainable parameters of the network. */
  readonly parameters?: number;
  /** Width of its penultimate features. */
  readonly featureDims?: number;
}

/** The signals, in this order, that FH+ combines. */
export const STACKED_FEATURES = [
  "FH",
  "FH trend",
  "early stopping",
  "SoTL-E",
  "log10 parameters",
  "log2 feature dims",
] as const;

function checkStackedInput(name: string, value: unknown): void {
  const fix =
    "pass { fh: [...estimates by epoch], curves, parameters?, featureDims? } (summaryStackedInputs builds them).";
  checkShape(name, value, "FH+'s input (fh estimates, curves)", { fh: "array", curves: "object" }, fix);
  const input = value as StackedInput;
  checkShape(
    `${name}.curves`,
    input.curves,
    "a trial's curves (valAcc, trainLoss)",
    { valAcc: "array", trainLoss: "array" },
    fix,
  );
  input.fh.forEach((v, i) => {
    if (v != null && typeof v !== "number")
      fail("invalid-argument", {
        parameter: `${name}.fh[${i}]`,
        rule: "must be a number, or null / undefined where there is no estimate",
        received: show(v),
        fix,
      });
  });
  for (const key of ["parameters", "featureDims"] as const) {
    const v = input[key] as unknown;
    if (v != null && (typeof v !== "number" || !(v >= 0)))
      fail("invalid-argument", {
        parameter: `${name}.${key}`,
        rule: "must be a number >= 0 when given",
        received: show(v),
        fix,
      });
  }
}

/** FH+'s signals of one candidate at budget t; undefined when one of them is missing (e.g. the candidate failed before t). */
export function stackedFeatures(input: StackedInput, t: number): number[] | undefined {
  checkStackedInput("input", input);
  checkNumber("t", t, { integer: true, min: 1 });
  const fh = input.fh[t - 1];
  const before = t > 1 ? input.fh[t - 2] : fh;
  const es = input.curves.valAcc[t - 1];
  const loss = input.curves.trainLoss[t - 1];
  const x = [
    fh,
    fh != null && before != null ? fh - before : undefined,
    es,
    typeof loss === "number" ? -loss : undefined,
    input.parameters ? Math.log10(input.parameters) : 0,
    input.featureDims ? Math.log2(input.featureDims) : 0,
  ];
  return x.every((v) => typeof v === "number" && Number.isFinite(v)) ? (x as number[]) : undefined;
}

/** A fitted FH+ at one budget t: standardised signals, ridge weights. */
export interface StackedModel {
  readonly t: number;
  readonly features: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly weights: readonly number[];
  readonly intercept: number;
  /** The ridge penalty chosen by leave-one-out error. */
  readonly lambda: number;
  /** Candidates it was fitted on. */
  readonly n: number;
}

/** Options of fh.proxy.fitStacked (FH+): the ridge penalties it chooses from (by leave-one-out). */
export interface FitStackedOptions {
  /** Ridge penalties to choose from by leave-one-out error. Default 10^-3 .. 10^3. */
  readonly lambdas?: readonly number[];
}

const DEFAULT_LAMBDAS = [1e-3, 1e-2, 0.1, 0.3, 1, 3, 10, 30, 100, 1000];

function ridge(x: number[][], y: number[], lambda: number): { w: number[]; b: number } {
  const p = x[0]!.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  const X = new Matrix(x);
  const A = X.transpose().mmul(X).add(Matrix.eye(p, p).mul(lambda));
  const w = solve(A, X.transpose().mmul(Matrix.columnVector(y.map((v) => v - my)))).to1DArray();
  return { w, b: my };
}

/** Fit FH+ at budget t on candidates with known truths (those with a missing signal are left out). */
export function fitStacked(
  inputs: readonly StackedInput[],
  truths: readonly number[],
  t: number,
  options: FitStackedOptions = {},
): StackedModel {
  checkKeys("options", options, ["lambdas"]);
  checkNumber("t", t, { integer: true, min: 1 });
  if (!Array.isArray(inputs) || !Array.isArray(truths) || inputs.length !== truths.length)
    fail("invalid-argument", {
      parameter: "inputs, truths",
      rule: "must be arrays of the same length (one truth per candidate)",
      received: `${show(inputs?.length)} inputs and ${show(truths?.length)} truths`,
      fix: "pass the finished candidates and their truths in the same order.",
    });
  const lambdas = options.lambdas ?? DEFAULT_LAMBDAS;
  checkArray("options.lambdas", lambdas, {
    min: 1,
    what: "ridge penalties",
    item: (n, l) => checkNumber(n, l, { above: 0 }),
    fix: "pass penalties > 0, e.g. [0.1, 1, 10], or leave it out.",
  });
  const rows: number[][] = [];
  const y: number[] = [];
  inputs.forEach((inp, i) => {
    const f = stackedFeatures(inp, t);
    if (f && Number.isFinite(truths[i])) {
      rows.push(f);
      y.push(truths[i]!);
    }
  });
  const p = STACKED_FEATURES.length;
  if (rows.length < p + 2)
    fail("invalid-argument", {
      parameter: "inputs",
      rule: `FH+ needs at least ${p + 2} candidates with every signal at t = ${t}`,
      received: `${rows.length}`,
      fix: "fit it on more finished candidates.",
    });
  const n = rows.length;
  const mean = Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const std = mean.map((m, j) => {
    const v = rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n;
    return v > 1e-18 ? Math.sqrt(v) : 1;
  });
  const z = rows.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!));
  // Leave-one-out error of each penalty, by refitting (n is small).
  let best = { lambda: lambdas[0]!, err: Infinity };
  for (const lambda of lambdas) {
    let err = 0;
    for (let i = 0; i < n; i++) {
      const { w, b } = ridge(
        z.filter((_, k) => k !== i),
        y.filter((_, k) => k !== i),
        lambda,
      );
      const pred = b + w.reduce((s, wj, j) => s + wj * z[i]![j]!, 0);
      err += (pred - y[i]!) ** 2;
    }
    if (err < best.err) best = { lambda, err };
  }
  const { w, b } = ridge(z, y, best.lambda);
  return { t, features: [...STACKED_FEATURES], mean, std, weights: w, intercept: b, lambda: best.lambda, n };
}

/** FH+'s score of a candidate (higher is better); undefined when a signal is missing. */
export function predictStacked(model: StackedModel, input: StackedInput): number | undefined {
  checkShape(
    "model",
    model,
    "a fitted FH+ model",
    { t: "number", mean: "array", std: "array", weights: "array", intercept: "number" },
    "pass fitStacked(...)'s result.",
  );
  for (const key of ["mean", "std", "weights"] as const)
    checkNumbers(`model.${key}`, model[key], STACKED_FEATURES.length);
  checkStackedInput("input", input);
  const f = stackedFeatures(input, model.t);
  if (!f) return undefined;
  return model.intercept + f.reduce((s, v, j) => s + model.weights[j]! * ((v - model.mean[j]!) / model.std[j]!), 0);
}

/** Options of fh.proxy.crossValidatedStacked: FH+'s options and the number of folds. */
export interface CrossValidationOptions extends FitStackedOptions {
  /** Folds over the candidates. Default 5. */
  readonly folds?: number;
  /** Seed of the fold assignment. Default 0. */
  readonly seed?: number;
}

/**
 * Out-of-fold FH+ scores at budget t: candidate i is scored by a model fitted on the other folds
 * only, never on itself. Also returns each candidate's fold, so a test can check exactly that.
 */
export function crossValidatedStacked(
  inputs: readonly StackedInput[],
  truths: readonly number[],
  t: number,
  options: CrossValidationOptions = {},
): { scores: (number | undefined)[]; fold: number[]; models: StackedModel[] } {
  checkArray("inputs", inputs, { item: checkStackedInput, fix: "pass one StackedInput per candidate." });
  checkNumbers("truths", truths);
  checkNumber("t", t, { integer: true, min: 1 });
  checkKeys("options", options, ["folds", "seed", "lambdas"]);
  const folds = checkNumber("options.folds", options.folds ?? 5, { integer: true, min: 2, max: inputs.length });
  const seed = checkNumber("options.seed", options.seed ?? 0, { integer: true });
  const order = permutation(inputs.length, createRng(seed));
  const fold = new Array<number>(inputs.length);
  order.forEach((c, k) => (fold[c] = k % folds));
  const scores = new Array<number | undefined>(inputs.length).fill(undefined);
  const models: StackedModel[] = [];
  for (let f = 0; f < folds; f++) {
    const inFit = inputs.map((_, i) => fold[i] !== f);
    const model = fitStacked(
      inputs.filter((_, i) => inFit[i]),
      truths.filter((_, i) => inFit[i]),
      t,
      options.lambdas ? { lambdas: options.lambdas } : {},
    );
    models.push(model);
    inputs.forEach((inp, i) => {
      if (!inFit[i]) scores[i] = predictStacked(model, inp);
    });
  }
  return { scores, fold, models };
}

/**
 * FH+ as an estimator over trials: the models (one per budget t, fitted on other candidates) and
 * the FH estimator whose estimates at t and t - 1 it reads.
 */
export function stackedEstimator(
  models: readonly StackedModel[],
  fh: Estimator,
  options: { name?: string } = {},
): Estimator {
  checkRecords(
    "models",
    models,
    { what: "a fitted FH+ model", fields: { t: "number", weights: "array" }, fix: "pass fitStacked(...) results." },
    { min: 1, fix: "pass fitStacked(...) results, one per budget." },
  );
  checkEstimator("fh", fh);
  checkKeys("options", options, ["name"]);
  const byT = new Map(models.map((m) => [m.t, m]));
  return {
    name: options.name ?? "FH+",
    needs: ["curves", "histories"],
    estimate(candidate: TrialView, t: number, T: number): number {
      checkEstimateArgs(options.name ?? "FH+", candidate, t, T, ["valAcc", "trainLoss"]);
      const model = byT.get(t);
      if (!model)
        fail("invalid-argument", {
          parameter: "t",
          rule: `FH+ has models for t = ${[...byT.keys()].join(", ")}`,
          received: show(t),
          fix: "fit FH+ at this budget (fitStacked) first.",
        });
      const fhAt = Array.from({ length: t }, (_, e) => (e >= t - 2 ? fh.estimate(candidate, e + 1, T) : undefined));
      const score = predictStacked(model, {
        fh: fhAt,
        curves: candidate.curves,
        ...(candidate.parameters ? { parameters: candidate.parameters } : {}),
        ...(candidate.probeTrain ? { featureDims: candidate.probeTrain.dims } : {}),
      });
      if (score === undefined)
        fail("invalid-argument", {
          parameter: "candidate",
          rule: `must have every FH+ signal at t = ${t} (${STACKED_FEATURES.join(", ")})`,
          received: "a candidate with a missing or non-finite signal",
          fix: "estimate only candidates trained to t without failing.",
        });
      return score;
    },
  };
}
