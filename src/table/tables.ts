import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { fail, show } from "../core/errors.js";
import { checkNumber, checkNumbers, checkShape } from "../core/validate.js";
import { createRng } from "../core/random.js";
import { fitCalibration } from "../proxy/calibrate.js";
import { checkEstimateRows, type EstimateRow } from "../proxy/evaluate.js";
import {
  kendallTauB,
  mae,
  pearson,
  precisionAtK,
  rankData,
  regretAt1,
  spearman,
  topHalfSpearman,
} from "../metrics/rank.js";
import type { Trial } from "../history/trial.js";
import { peakValAcc } from "../history/curves.js";

/**
 * The toolkit's table: an arquero ColumnTable under a name of this package, so that a notebook
 * anywhere can store one in a variable (tslab emits declarations for every cell, and an inferred
 * type that can only be named through feature-histories/node_modules/arquero fails with TS2742).
 * arquero's verbs return its own ColumnTable: annotate such a variable as `fh.table.Table`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named alias that declaration emit keeps
export interface Table extends ColumnTable {}

/**
 * What the trials table reads of a trial: a Trial fits, and so does a study summary's trial (whose
 * error is a string and whose missing test accuracy is null).
 */
export type TrialRow = Pick<Trial, "id" | "config" | "state" | "epochs" | "seconds"> & {
  readonly curves?: Trial["curves"];
  readonly testAcc?: number | null;
  readonly error?: Trial["error"] | string | null;
};

/**
 * One row per trial: id, state, test accuracy, peak validation accuracy, epochs, seconds, error,
 * then every configuration key as a column (missing = null).
 */
export function trialsTable(trials: readonly TrialRow[]): Table {
  if (!Array.isArray(trials))
    fail("invalid-argument", {
      parameter: "trials",
      rule: "must be an array of trials",
      received: show(trials),
      fix: "pass study.trials() (or a summary's trials).",
    });
  trials.forEach((t, i) =>
    checkShape(
      `trials[${i}]`,
      t,
      "a trial",
      { id: "string", config: "object", state: "string" },
      "pass study.trials() (or a summary's trials).",
    ),
  );
  trials.forEach((t, i) => {
    if (t.curves != null)
      checkShape(`trials[${i}].curves`, t.curves, "a trial's curves", { valAcc: "array" }, "pass study.trials().");
    if (t.error != null && typeof t.error !== "string")
      checkShape(`trials[${i}].error`, t.error, "a trial error", { message: "string" }, "pass study.trials().");
  });
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.config ?? {})))].sort();
  const cols: Record<string, unknown[]> = {
    trial: [],
    state: [],
    testAcc: [],
    peakValAcc: [],
    epochs: [],
    seconds: [],
    error: [],
  };
  for (const k of keys) cols[`config.${k}`] = [];
  trials.forEach((t) => {
    cols.trial!.push(t.id);
    cols.state!.push(t.state);
    cols.testAcc!.push(t.testAcc ?? null);
    cols.peakValAcc!.push(t.curves && t.curves.valAcc.length ? peakValAcc(t.curves) : null);
    cols.epochs!.push(t.epochs);
    cols.seconds!.push(t.seconds);
    cols.error!.push(t.error == null ? null : typeof t.error === "string" ? t.error : t.error.message);
    for (const k of keys) cols[`config.${k}`]!.push(t.config[k] ?? null);
  });
  return aq.table(cols);
}

/**
 * One row per (candidate, estimator, budget): estimate and truth, their ranks within the
 * (estimator, budget) group (1 = best), the rank error, and a leave-one-out calibrated estimate
 * on the truth's scale with its error. Rows whose estimate is missing keep the reason.
 */
export function estimatesTable(rows: readonly EstimateRow[], truths: readonly number[]): Table {
  checkEstimateRows("rows", rows);
  checkNumbers("truths", truths);
  rows.forEach((r, i) => {
    if (r.candidate < 0 || r.candidate >= truths.length) {
      fail("invalid-argument", {
        parameter: `rows[${i}].candidate`,
        rule: `must index truths (0..${truths.length - 1})`,
        received: show(r.candidate),
        fix: "pass one truth per candidate, in candidate order.",
      });
    }
  });
  const groups = new Map<string, EstimateRow[]>();
  for (const r of rows) {
    const k = `${r.estimator}\u0000${r.t}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const out: Record<string, unknown[]> = {
    candidate: [],
    estimator: [],
    t: [],
    estimate: [],
    truth: [],
    rankEstimate: [],
    rankTruth: [],
    rankError: [],
    calibrated: [],
    calibratedError: [],
    reason: [],
  };
  for (const group of groups.values()) {
    const ok = group.filter((r) => r.estimate !== undefined);
    const est = ok.map((r) => r.estimate!);
    const tru = ok.map((r) => truths[r.candidate]!);
    const n = ok.length;
    const rankE = rankData(est.map((v) => -v));
    const rankT = rankData(tru.map((v) => -v));
    const cal = ok.map((_, i) => {
      if (n < 3) return null;
      const fit = fitCalibration(
        est.filter((_, j) => j !== i),
        tru.filter((_, j) => j !== i),
      );
      return fit ? fit.apply(est[i]!) : null;
    });
    for (const r of group) {
      const i = ok.indexOf(r);
      out.candidate!.push(r.candidate);
      out.estimator!.push(r.estimator);
      out.t!.push(r.t);
      out.estimate!.push(r.estimate ?? null);
      out.truth!.push(truths[r.candidate]!);
      out.rankEstimate!.push(i >= 0 ? rankE[i]! : null);
      out.rankTruth!.push(i >= 0 ? rankT[i]! : null);
      out.rankError!.push(i >= 0 ? rankE[i]! - rankT[i]! : null);
      out.calibrated!.push(i >= 0 ? cal[i] : null);
      out.calibratedError!.push(i >= 0 && cal[i] != null ? cal[i]! - truths[r.candidate]! : null);
      out.reason!.push(r.error ?? null);
    }
  }
  return aq.table(out);
}

/** One row of an estimator summary table: an estimator at a budget t with every metric. */
export interface SummaryRow {
  readonly estimator: string;
  readonly t: number;
  readonly n: number;
  readonly missing: number;
  readonly spearman: number | null;
  readonly kendall: number | null;
  readonly pearson: number | null;
  readonly topHalfSpearman: number | null;
  readonly precisionAtK: number | null;
  readonly k: number;
  readonly regretAt1: number | null;
  readonly maeCalibrated: number | null;
}

/** Metrics per (estimator, budget), from an estimates table. k of precision@k = a quarter of n (>= 1). */
export function summaryRows(estimates: Table): SummaryRow[] {
  checkTable("estimates", estimates);
  const rows = estimates.objects() as Record<string, unknown>[];
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const k = `${r.estimator}\u0000${r.t}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const nul = (v: number | undefined) => (v === undefined ? null : v);
  return [...groups.values()].map((g) => {
    const ok = g.filter((r) => r.estimate != null);
    const est = ok.map((r) => r.estimate as number);
    const tru = ok.map((r) => r.truth as number);
    const k = Math.max(1, Math.round(ok.length / 4));
    const cal = ok.filter((r) => r.calibrated != null);
    return {
      estimator: g[0]!.estimator as string,
      t: g[0]!.t as number,
      n: ok.length,
      missing: g.length - ok.length,
      spearman: ok.length >= 2 ? nul(spearman(est, tru)) : null,
      kendall: ok.length >= 2 ? nul(kendallTauB(est, tru)) : null,
      pearson: ok.length >= 2 ? nul(pearson(est, tru)) : null,
      topHalfSpearman: ok.length >= 4 ? nul(topHalfSpearman(est, tru)) : null,
      precisionAtK: ok.length >= 1 ? nul(precisionAtK(est, tru, k)) : null,
      k,
      regretAt1: ok.length >= 1 ? nul(regretAt1(est, tru)) : null,
      maeCalibrated: cal.length
        ? nul(
            mae(
              cal.map((r) => r.calibrated as number),
              cal.map((r) => r.truth as number),
            ),
          )
        : null,
    };
  });
}

/** `value` must be a table (the toolkit's tables are arquero tables). */
export function checkTable(name: string, value: unknown): Table {
  checkShape(
    name,
    value,
    "a table",
    { columnNames: "function", objects: "function", numRows: "function" },
    "pass a table of the toolkit (e.g. fh.table.estimatesTable(...)) or fh.table.fromRows([...]).",
  );
  return value as Table;
}

/** A table from plain row objects (every row's keys become columns; missing values are null). */
export function fromRows(rows: readonly object[]): Table {
  if (!Array.isArray(rows) || rows.some((r) => !r || typeof r !== "object" || Array.isArray(r)))
    fail("invalid-argument", {
      parameter: "rows",
      rule: "must be an array of plain objects (one per row)",
      received: show(Array.isArray(rows) ? rows.find((r) => !r || typeof r !== "object" || Array.isArray(r)) : rows),
      fix: "pass e.g. [{ method: 'a', seconds: 3 }, ...].",
    });
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return aq.from(rows.map((r) => Object.fromEntries(keys.map((k) => [k, (r as Record<string, unknown>)[k] ?? null]))));
}

/** summaryRows as a table. */
export function summaryTable(estimates: Table): Table {
  checkTable("estimates", estimates);
  return aq.from(summaryRows(estimates));
}

/** CSV text (arquero's writer). */
export function tableToCSV(table: Table): string {
  checkTable("table", table);
  return aq.toCSV(table);
}

/**
 * Summaries of `B` seeded bootstrap resamples of the candidates (drawn with replacement): the
 * spread of a metric over resamples is its uncertainty from having only these candidates.
 */
export function bootstrapSummaries(
  rows: readonly EstimateRow[],
  truths: readonly number[],
  B: number,
  seed: number,
): SummaryRow[][] {
  checkEstimateRows("rows", rows);
  checkNumbers("truths", truths);
  checkNumber("B", B, { integer: true, min: 1, max: 100000 });
  checkNumber("seed", seed, { integer: true });
  const rng = createRng(seed);
  const n = truths.length;
  const out: SummaryRow[][] = [];
  for (let b = 0; b < B; b++) {
    const pick = Array.from({ length: n }, () => rng.int(n));
    const resampled: EstimateRow[] = [];
    pick.forEach((c, j) => {
      for (const r of rows) if (r.candidate === c) resampled.push({ ...r, candidate: j });
    });
    out.push(
      summaryRows(
        estimatesTable(
          resampled,
          pick.map((c) => truths[c]!),
        ),
      ),
    );
  }
  return out;
}
