/**
 * A compact, versioned summary of a finished estimator study: per trial its configuration,
 * truth (test accuracy at T), curves and every estimator's estimate at every budget, plus the
 * truths of the second-seed repeat, and no feature histories. It is what notebooks/data/ commits,
 * so the notebooks' tables can be checked without retraining.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fail, show } from "../core/errors.js";
import { checkKeys, checkArray, checkShape, checkString } from "../core/validate.js";
import type { Trial } from "../history/trial.js";
import { defineSpace, spaceFromJSON, type SearchSpace } from "../space/space.js";
import type { Param } from "../space/params.js";
import { checkEstimator, type EstimateRow } from "../proxy/evaluate.js";
import type { StackedInput } from "../proxy/stacked.js";
import type { Estimator } from "../proxy/types.js";
import type { Study } from "./study.js";
import {
  SUMMARY_FORMAT,
  SUMMARY_VERSION,
  checkSummary,
  type StudySummary,
  type SummaryRepeat,
  type SummaryTrial,
} from "./summary-file.js";
import { checkStudy } from "./study.js";

/** An estimator of the summary, evaluated at t = 1..upTo. */
export interface SummaryEstimator {
  readonly estimator: Estimator;
  readonly upTo: number;
}

export {
  SUMMARY_FORMAT,
  SUMMARY_VERSION,
  RENAMED_ESTIMATORS,
  readSummary,
  checkSummary,
  writeSummary,
  type StudySummary,
  type SummaryRepeat,
  type SummaryTrial,
} from "./summary-file.js";

/** Rounded for the file; a value that is not a finite number (a diverged epoch's NaN, stored as null) stays NaN, written as null. */
const round = (v: number | null, digits = 5) =>
  typeof v === "number" && Number.isFinite(v) ? Number(v.toFixed(digits)) : Number.NaN;

function estimatesOf(
  trial: Trial,
  estimators: readonly SummaryEstimator[],
  budget: number,
  cache: { estimates?: Record<string, (number | null)[]>; seconds?: Record<string, number[]> },
  reasons: Record<string, string>,
): { estimates: Record<string, (number | null)[]>; seconds: Record<string, number[]> } {
  const out: Record<string, (number | null)[]> = {};
  const secondsOut: Record<string, number[]> = {};
  for (const { estimator, upTo } of estimators) {
    const cached = cache.estimates?.[estimator.name];
    const cachedSeconds = cache.seconds?.[estimator.name];
    if (cached && cachedSeconds && cached.length === Math.min(upTo, budget)) {
      out[estimator.name] = cached;
      secondsOut[estimator.name] = cachedSeconds;
      continue;
    }
    const values: (number | null)[] = [];
    const seconds: number[] = [];
    secondsOut[estimator.name] = seconds;
    for (let t = 1; t <= Math.min(upTo, budget); t++) {
      if (t > trial.epochs) {
        values.push(null);
        seconds.push(0);
        continue;
      }
      const t0 = performance.now();
      try {
        const v = estimator.estimate(trial, t, budget);
        values.push(Number.isFinite(v) ? round(v) : null);
        if (!Number.isFinite(v)) reasons[estimator.name] ??= `not finite at t = ${t}`;
      } catch (err) {
        values.push(null);
        reasons[estimator.name] ??= `t = ${t}: ${(err as Error).message.split("\n")[0]}`;
      }
      seconds.push(round((performance.now() - t0) / 1000, 4));
    }
    out[estimator.name] = values;
  }
  return { estimates: out, seconds: secondsOut };
}

/** Options of fh.study.summarizeStudy: the repeat pairs, the plan, the estimate cache folder and progress. */
export interface SummarizeOptions {
  /** The study trained with a second seed (same candidates by number). */
  readonly repeat?: Study;
  /** The plan, stored as it is. */
  readonly plan?: unknown;
  /** Keep each trial's estimates here (one JSON per trial), so a summary is computed once. */
  readonly cacheDir?: string;
  readonly onProgress?: (done: number, total: number, id: string) => void;
}

/** Summarise a study: every estimator at every budget on every trial, one trial's histories in memory at a time. */
export async function summarizeStudy(
  study: Study,
  estimators: readonly SummaryEstimator[],
  options: SummarizeOptions = {},
): Promise<StudySummary> {
  checkStudy("study", study);
  checkArray("estimators", estimators, {
    min: 1,
    item: (n, v) => {
      checkShape(
        n,
        v,
        "{ estimator, upTo }",
        { estimator: "object", upTo: "number" },
        "pass e.g. fh.study.studyEstimators(T).",
      );
      checkEstimator(`${n}.estimator`, (v as SummaryEstimator).estimator);
    },
    fix: "pass e.g. fh.study.studyEstimators(T).",
  });
  checkKeys("options", options, ["repeat", "plan", "cacheDir", "onProgress"]);
  const names = estimators.map((e) => e.estimator.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup)
    fail("invalid-argument", {
      parameter: "estimators",
      rule: "must have distinct names",
      received: show(dup),
      fix: "give one of them another `name` option.",
    });
  if (options.cacheDir) mkdirSync(options.cacheDir, { recursive: true });
  const list = study.trials();
  const trials: SummaryTrial[] = [];
  for (const [i, light] of list.entries()) {
    const cachePath = options.cacheDir ? join(options.cacheDir, `${light.id}.json`) : undefined;
    let cache: {
      epochs?: number;
      featureDims?: number | null;
      estimates?: Record<string, (number | null)[]>;
      seconds?: Record<string, number[]>;
      reasons?: Record<string, string>;
    } = {};
    if (cachePath && existsSync(cachePath)) {
      try {
        cache = JSON.parse(readFileSync(cachePath, "utf8")) as typeof cache;
      } catch {
        cache = {};
      }
      if (cache.epochs !== light.epochs) cache = {};
    }
    const allCached = estimators.every((e) => cache.estimates?.[e.estimator.name] && cache.seconds?.[e.estimator.name]);
    // One trial's histories at a time: a big study is never held in memory whole.
    const trial = allCached ? light : ((await study.storage.loadTrial(light.id)) ?? light);
    const reasons: Record<string, string> = { ...(cache.reasons ?? {}) };
    const { estimates, seconds } = estimatesOf(trial, estimators, study.budget, cache, reasons);
    const featureDims = trial.probeTrain?.dims ?? cache.featureDims ?? null;
    if (cachePath && !allCached)
      writeFileSync(cachePath, JSON.stringify({ epochs: light.epochs, featureDims, estimates, seconds, reasons }));
    options.onProgress?.(i + 1, list.length, light.id);
    const c = trial.curves;
    trials.push({
      id: trial.id,
      number: trial.number,
      config: trial.config as Record<string, string | number | boolean>,
      state: trial.state,
      epochs: trial.epochs,
      error: trial.error ? `${trial.error.name}: ${trial.error.message}` : null,
      seed: trial.seed,
      testAcc: trial.state === "complete" && trial.testAcc !== undefined ? trial.testAcc : null,
      parameters: trial.parameters ?? null,
      featureDims,
      seconds: round(trial.seconds, 2),
      curves: {
        trainLoss: c.trainLoss.map((v) => round(v)),
        trainAcc: c.trainAcc.map((v) => round(v)),
        valLoss: c.valLoss.map((v) => round(v)),
        valAcc: c.valAcc.map((v) => round(v)),
        seconds: c.seconds.map((v) => round(v, 3)),
        captureSeconds: c.captureSeconds.map((v) => round(v, 3)),
        lr: c.lr.map((v) => round(v, 6)),
      },
      estimates,
      reasons,
      estimateSeconds: seconds,
    });
  }
  const repeat: SummaryRepeat[] = (options.repeat?.trials() ?? []).map((t) => ({
    number: t.number,
    seed: t.seed,
    state: t.state,
    testAcc: t.state === "complete" && t.testAcc !== undefined ? t.testAcc : null,
  }));
  return {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    name: study.name,
    plan: options.plan ?? null,
    space: JSON.parse(JSON.stringify(study.space)),
    budget: study.budget,
    estimators: estimators.map((e) => ({ name: e.estimator.name, upTo: Math.min(e.upTo, study.budget) })),
    trials,
    repeat,
  };
}

/** The search space the summary's candidates were sampled from (with its names as they were then). */
export function summarySpace(summary: StudySummary): SearchSpace {
  checkSummary("summary", summary);
  const space = summary.space as { format?: unknown; params?: unknown };
  if (space && typeof space === "object" && space.format !== undefined) return spaceFromJSON(JSON.stringify(space));
  return defineSpace(space?.params as Param[]);
}

/** The trials that count: complete, with a truth. */
export function summaryTrials(summary: StudySummary): SummaryTrial[] {
  checkSummary("summary", summary);
  return summary.trials.filter((t) => t.state === "complete" && t.testAcc !== null);
}

/**
 * The summary as estimate rows and truths (candidate i = the i-th complete trial), for
 * estimatesTable / summaryTable / bootstrapSummaries. `names` and `budgets` narrow it.
 */
export function summaryEstimates(
  summary: StudySummary,
  options: {
    names?: readonly string[];
    budgets?: readonly number[];
    /** More scores by estimator name, then trial id (index t - 1), e.g. FH+'s from stackedScores. */
    extra?: Readonly<Record<string, Readonly<Record<string, readonly (number | null)[]>>>>;
  } = {},
): { rows: EstimateRow[]; truths: number[]; trials: SummaryTrial[] } {
  checkSummary("summary", summary);
  checkKeys("options", options, ["names", "budgets", "extra"]);
  const trials = summaryTrials(summary);
  const extra = options.extra ?? {};
  const names = options.names ?? [...summary.estimators.map((e) => e.name), ...Object.keys(extra)];
  const known = new Set([...summary.estimators.map((e) => e.name), ...Object.keys(extra)]);
  for (const n of names)
    if (!known.has(n))
      fail("invalid-argument", {
        parameter: "options.names",
        rule: `must name estimators of the summary or of options.extra (${[...known].slice(0, 6).join(", ")}, ...)`,
        received: show(n),
        fix: "use summary.estimators[i].name.",
      });
  const rows: EstimateRow[] = [];
  trials.forEach((t, i) => {
    for (const name of names) {
      const values = extra[name] ? (extra[name][t.id] ?? []) : (t.estimates[name] ?? []);
      values.forEach((v, k) => {
        const b = k + 1;
        if (options.budgets && !options.budgets.includes(b)) return;
        rows.push(
          typeof v !== "number"
            ? { candidate: i, estimator: name, t: b, estimate: undefined, error: t.reasons[name] ?? "missing" }
            : { candidate: i, estimator: name, t: b, estimate: v },
        );
      });
    }
  });
  return { rows, truths: trials.map((t) => t.testAcc!), trials };
}

/** FH+'s inputs from a summary's complete trials, reading the FH estimates of `fhName`. */
export function summaryStackedInputs(summary: StudySummary, fhName: string): StackedInput[] {
  checkSummary("summary", summary);
  if (!summary.estimators.some((e) => e.name === fhName))
    fail("invalid-argument", {
      parameter: "fhName",
      rule: "must name an estimator of the summary",
      received: show(fhName),
      fix: "use summary.estimators[i].name.",
    });
  return summaryTrials(summary).map((t) => ({
    fh: t.estimates[fhName] ?? [],
    curves: t.curves,
    ...(t.parameters !== null ? { parameters: t.parameters } : {}),
    ...(t.featureDims !== null ? { featureDims: t.featureDims } : {}),
  }));
}

/** The seed-to-seed pairs of truths: [first seed, second seed] for every repeated, complete candidate. */
export function repeatPairs(summary: StudySummary): [number, number][] {
  checkSummary("summary", summary);
  const byNumber = new Map(summary.trials.map((t) => [t.number, t]));
  const pairs: [number, number][] = [];
  for (const r of summary.repeat) {
    const first = byNumber.get(r.number);
    if (first?.testAcc != null && r.testAcc != null) pairs.push([first.testAcc, r.testAcc]);
  }
  return pairs;
}

/**
 * The summary's complete trials as Trial records (curves, truth as testAcc, no histories), for
 * replays and schedulers: with `recordedEstimator` they run searches without retraining.
 */
export function summaryAsTrials(summary: StudySummary): Trial[] {
  checkSummary("summary", summary);
  return summaryTrials(summary).map((t) => ({
    id: t.id,
    number: t.number,
    config: t.config,
    state: "complete",
    budget: summary.budget,
    epochs: t.epochs,
    curves: t.curves,
    testAcc: t.testAcc!,
    ...(t.parameters !== null ? { parameters: t.parameters } : {}),
    seed: t.seed,
    seconds: t.seconds,
    scores: {},
    attempts: 1,
  }));
}

/**
 * An estimator that reads recorded scores by trial id (index t - 1) instead of computing them:
 * a summary's estimates (`summary.trials[i].estimates[name]`) or scores computed elsewhere (FH+'s
 * out-of-fold scores). It needs nothing but the trial's id.
 */
export function recordedEstimator(
  name: string,
  byId: Readonly<Record<string, readonly (number | null | undefined)[]>>,
): Estimator {
  return {
    name,
    needs: [],
    estimate(candidate, t) {
      const id = (candidate as Partial<Trial>).id;
      const v = id === undefined ? undefined : byId[id]?.[t - 1];
      if (typeof v !== "number" || !Number.isFinite(v))
        fail("invalid-argument", {
          parameter: "candidate",
          rule: `must have a recorded ${name} score at t = ${t}`,
          received: show(id),
          fix: "estimate only the recorded trials, at budgets the summary holds.",
        });
      return v;
    },
  };
}

/** Trial id -> the summary's estimates of one estimator (for recordedEstimator). */
export function summaryScores(summary: StudySummary, name: string): Record<string, readonly (number | null)[]> {
  checkSummary("summary", summary);
  checkString("name", name);
  return Object.fromEntries(summary.trials.map((t) => [t.id, t.estimates[name] ?? []]));
}

/** Trial id -> seconds each estimate of `name` took (for a replay's decisionSeconds). */
export function summaryEstimateSeconds(summary: StudySummary, name: string): Record<string, readonly number[]> {
  checkSummary("summary", summary);
  checkString("name", name);
  return Object.fromEntries(summary.trials.map((t) => [t.id, t.estimateSeconds?.[name] ?? []]));
}
