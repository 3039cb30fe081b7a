/**
 * The file of an estimator-study summary: its format and version, its record types, reading
 * (format checked, estimators renamed since read under their new names), checking and writing
 * (one trial per line, so diffs stay readable). summary.ts builds and analyses summaries.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fail, show } from "../core/errors.js";
import { checkShape, checkString } from "../core/validate.js";
import type { TrialState } from "../core/types.js";
import type { Curves } from "../history/curves.js";

/** The format tag of an estimator-study summary file. */
export const SUMMARY_FORMAT = "feature-histories/estimator-study-summary";
/** The version of the estimator-study summary format this toolkit writes. */
export const SUMMARY_VERSION = 1;

/** One trial of an estimator-study summary: config, curves, truth and estimates by budget. */
export interface SummaryTrial {
  readonly id: string;
  readonly number: number;
  readonly config: Readonly<Record<string, string | number | boolean>>;
  readonly state: TrialState;
  /** Epochs trained. */
  readonly epochs: number;
  readonly error: string | null;
  readonly seed: number;
  /** The truth: test accuracy at T (images no estimator reads); null when the trial did not complete. */
  readonly testAcc: number | null;
  readonly parameters: number | null;
  readonly featureDims: number | null;
  /** Training seconds (training, evaluation, capture). */
  readonly seconds: number;
  readonly curves: Curves;
  /** Estimator name -> estimate after epoch t at index t - 1 (null: not made; see `reasons`). */
  readonly estimates: Readonly<Record<string, readonly (number | null)[]>>;
  /** Estimator name -> why an estimate is missing (the first reason). */
  readonly reasons: Readonly<Record<string, string>>;
  /** Estimator name -> seconds each estimate took here (index t - 1): what a search pays for it. */
  readonly estimateSeconds: Readonly<Record<string, readonly number[]>>;
}

/** A candidate trained twice with different seeds (the truth's own noise). */
export interface SummaryRepeat {
  readonly number: number;
  readonly seed: number;
  readonly state: TrialState;
  readonly testAcc: number | null;
}

/** An estimator study reduced to what the figures read: every trial's curves, truths and estimates. */
export interface StudySummary {
  readonly format: typeof SUMMARY_FORMAT;
  readonly version: typeof SUMMARY_VERSION;
  readonly name: string;
  readonly plan: unknown;
  /** spaceToJSON of the study's space. */
  readonly space: unknown;
  readonly budget: number;
  readonly estimators: readonly { readonly name: string; readonly upTo: number }[];
  readonly trials: readonly SummaryTrial[];
  /** The same candidates (by number) trained again with another seed: the noise ceiling. */
  readonly repeat: readonly SummaryRepeat[];
}

/**
 * Estimators renamed since a summary was written: the option set K = 1 with PCA 16, chosen on the
 * main study, became featureHistoryProxy()'s default and took the default's name (FH_DEFAULT;
 * tested equal). Summaries written before keep their numbers under the new name.
 */
export const RENAMED_ESTIMATORS: Readonly<Record<string, string>> = {
  "probe (K=1, PCA 16)": "FH (K=1, concat, l2, ridge, pca=16)",
};

function renameEstimators(summary: StudySummary): StudySummary {
  const rename = (n: string) => RENAMED_ESTIMATORS[n] ?? n;
  if (!summary.estimators.some((e) => e.name in RENAMED_ESTIMATORS)) return summary;
  const keys = <V>(r: Readonly<Record<string, V>> | undefined) =>
    r && Object.fromEntries(Object.entries(r).map(([k, v]) => [rename(k), v]));
  return {
    ...summary,
    estimators: summary.estimators.map((e) => ({ ...e, name: rename(e.name) })),
    trials: summary.trials.map((t) => ({
      ...t,
      estimates: keys(t.estimates)!,
      ...(t.reasons ? { reasons: keys(t.reasons)! } : {}),
      ...(t.estimateSeconds ? { estimateSeconds: keys(t.estimateSeconds)! } : {}),
    })),
  };
}

/** Read a summary file, checking its format and version (estimators renamed since are read under their new names). */
export function readSummary(path: string): StudySummary {
  // A number would be read as a file descriptor (0 is stdin: a call that never returns).
  checkString("path", path);
  let raw: Partial<StudySummary>;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as Partial<StudySummary>;
  } catch (err) {
    return fail("data-missing", {
      parameter: "path",
      rule: "must be a readable JSON summary",
      received: `${path}: ${(err as Error).message.split("\n")[0]}`,
      fix: "run `npm run study` to train the studies and write their summaries.",
    });
  }
  if (raw.format !== SUMMARY_FORMAT || raw.version !== SUMMARY_VERSION || !Array.isArray(raw.trials))
    fail("data-corrupt", {
      parameter: path,
      rule: `must be an estimator study summary (format "${SUMMARY_FORMAT}", version ${SUMMARY_VERSION})`,
      received: show({ format: raw.format, version: raw.version }),
      fix: "write it again with `npm run study`.",
    });
  return renameEstimators(raw as StudySummary);
}

/** `value` must be a study summary (readSummary / summarizeStudy). */
export function checkSummary(name: string, value: unknown): StudySummary {
  checkShape(
    name,
    value,
    "an estimator study summary",
    { format: "string", budget: "number", estimators: "array", trials: "array", repeat: "array" },
    "read one with fh.study.readSummary(path) or build one with fh.study.summarizeStudy(study, estimators).",
  );
  if ((value as StudySummary).format !== SUMMARY_FORMAT)
    fail("invalid-argument", {
      parameter: name,
      rule: `must have format "${SUMMARY_FORMAT}"`,
      received: show((value as StudySummary).format),
      fix: "read it with fh.study.readSummary(path).",
    });
  return value as StudySummary;
}

/** Write a summary as JSON (one trial per line, so diffs stay readable). */
export function writeSummary(path: string, summary: StudySummary): void {
  checkString("path", path);
  checkSummary("summary", summary);
  const { trials, repeat, ...head } = summary;
  const lines = [
    JSON.stringify(head).slice(0, -1),
    `,"trials":[\n${trials.map((t) => JSON.stringify(t)).join(",\n")}\n]`,
    `,"repeat":[\n${repeat.map((r) => JSON.stringify(r)).join(",\n")}\n]}`,
  ];
  writeFileSync(path, `${lines.join("\n")}\n`);
}
