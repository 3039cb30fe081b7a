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
export function fromRows(rows: readonly Readonly<Record<string, unknown>>[]): Table {
  if (!Array.isArray(rows) || rows.some((r) => !r || typeof r !== "object" || Array.isArray(r)))
    fail("invalid-argument", {
      parameter: "rows",
      rule: "must be an array of plain objects (one per row)",
      received: show(Array.isArray(rows) ? rows.find((r) => !r || typeof r !== "object" || Array.isArray(r)) : rows),
      fix: "pass e.g. [{ method: 'a', seconds: 3 }, ...].",
    });
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return aq.from(rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k] ?? null]))));
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

/** Apache Arrow IPC bytes (arquero's writer). */
export function tableToArrow(table: Table): Uint8Array {
  checkTable("table", table);
  return aq.toArrowIPC(table);
}

/**
 * The Arrow reader (flechette) trusts every count in the bytes: a flipped vector length makes it
 * allocate billions of entries and run the process out of memory. So the messages' metadata are
 * walked first, along the paths the reader takes (schema fields and their children, metadata,
 * union type ids, a record batch's nodes, buffers and variadic counts, a file's blocks), and each
 * count must fit in the bytes that hold it. Returns a reason when it does not.
 */
function arrowProblem(bytes: Uint8Array): string | undefined {
  const i32 = (buf: Uint8Array, o: number) =>
    (buf[o] ?? 0) | ((buf[o + 1] ?? 0) << 8) | ((buf[o + 2] ?? 0) << 16) | ((buf[o + 3] ?? 0) << 24);
  const i16 = (buf: Uint8Array, o: number) => (((buf[o] ?? 0) | ((buf[o + 1] ?? 0) << 8)) << 16) >> 16;
  const i64 = (buf: Uint8Array, o: number) =>
    i32(buf, o) + 4294967296 * i32(buf, o + 4) + (i32(buf, o) < 0 ? 4294967296 : 0);
  class Bad extends Error {}
  /** A flatbuffer table at `index`: its fields' absolute positions (undefined when absent). */
  const table = (buf: Uint8Array, index: number) => {
    const pos = index + i32(buf, index);
    const vtable = pos - i32(buf, pos);
    if (pos < 0 || pos >= buf.length || vtable < 0 || vtable + 2 > buf.length)
      throw new Bad("a table outside the bytes");
    const size = i16(buf, vtable);
    return (field: number): number | undefined => {
      if (field >= size) return undefined;
      const off = i16(buf, vtable + field);
      return off ? pos + off : undefined;
    };
  };
  /** A vector at `offset` with entries of `stride` bytes: the entries' positions, each checked to fit. */
  const vector = (buf: Uint8Array, offset: number | undefined, stride: number): number[] => {
    if (!offset) return [];
    const base = offset + i32(buf, offset);
    const n = i32(buf, base);
    if (base < 0 || n < 0 || base + 4 + n * stride > buf.length)
      throw new Bad(`a vector of ${n} entries that does not fit in its ${buf.length} bytes`);
    return Array.from({ length: n }, (_, i) => base + 4 + i * stride);
  };
  const metadata = (buf: Uint8Array, offset: number | undefined) => {
    for (const e of vector(buf, offset, 4)) table(buf, e);
  };
  const field = (buf: Uint8Array, index: number, depth: number): void => {
    if (depth > 64) throw new Bad("fields nested more than 64 deep");
    const get = table(buf, index);
    const typeId = buf[get(8) ?? -1] ?? 0;
    for (const child of vector(buf, get(14), 4)) field(buf, child, depth + 1);
    metadata(buf, get(16));
    const type = get(10);
    if (type !== undefined && typeId === 14) vector(buf, table(buf, type)(6), 4);
    const dict = get(12);
    if (dict !== undefined) table(buf, dict);
  };
  const schema = (buf: Uint8Array, index: number) => {
    const get = table(buf, index);
    for (const f of vector(buf, get(6), 4)) field(buf, f, 0);
    metadata(buf, get(8));
  };
  const batch = (buf: Uint8Array, index: number, version: number, bodyLength: number) => {
    const get = table(buf, index);
    const length = get(4) === undefined ? 0 : i64(buf, get(4)!);
    const nodes = vector(buf, get(6), 16);
    const regions = vector(buf, get(8), 16 + (version < 3 ? 8 : 0));
    for (const v of vector(buf, get(12), 8)) {
      const count = i64(buf, v);
      if (count < 0 || count > regions.length) throw new Bad(`a variadic buffer count of ${count}`);
    }
    // Every row costs at least a bit of some buffer; columns of nulls cost none, so 65,536 rows of
    // slack let a table of nulls through (a flipped count of billions would exhaust the memory).
    for (const n of nodes) {
      const nulls = i64(buf, n + 8);
      if (nulls < 0 || nulls > i64(buf, n)) throw new Bad(`a column of ${i64(buf, n)} values with ${nulls} nulls`);
    }
    const rows = Math.max(length, ...nodes.map((n) => i64(buf, n)));
    if (rows < 0 || rows > 8 * bodyLength + 65536)
      throw new Bad(`a record batch of ${rows} rows in a body of ${bodyLength} bytes`);
  };
  const message = (index: number): number | undefined => {
    let length = i32(bytes, index);
    index += 4;
    if (length === -1) {
      length = i32(bytes, index);
      index += 4;
    }
    if (length === 0) return undefined;
    if (length < 0 || index + length > bytes.length) throw new Bad(`a message of ${length} metadata bytes`);
    const head = bytes.subarray(index, index + length);
    index += length;
    const get = table(head, 0);
    const version = get(4) === undefined ? 0 : i16(head, get(4)!);
    const type = head[get(6) ?? -1] ?? 0;
    const header = get(8);
    const bodyLength = get(10) === undefined ? 0 : i64(head, get(10)!);
    if (bodyLength < 0 || index + bodyLength > bytes.length) throw new Bad(`a message body of ${bodyLength} bytes`);
    if (header !== undefined) {
      if (type === 1) schema(head, header);
      else if (type === 2) {
        const data = table(head, header)(6);
        if (data !== undefined) batch(head, data, version, bodyLength);
      } else if (type === 3) batch(head, header, version, bodyLength);
    }
    return index + bodyLength;
  };
  try {
    const magic = [65, 82, 82, 79, 87, 49];
    if (bytes.length >= 6 && magic.every((m, i) => bytes[i] === m)) {
      const at = bytes.length - 10;
      const footer = table(bytes, at - i32(bytes, at));
      const s = footer(6);
      if (s !== undefined) schema(bytes, s);
      metadata(bytes, footer(12));
      for (const blocks of [footer(8), footer(10)])
        for (const b of vector(bytes, blocks, 24)) {
          const offset = i64(bytes, b);
          if (offset < 0 || offset >= bytes.length) throw new Bad(`a block at byte ${offset}`);
          if (message(offset) === undefined) throw new Bad(`no message at byte ${offset}`);
        }
      return undefined;
    }
    for (let index: number | undefined = 0, n = 0; index !== undefined && index < bytes.length; n++) {
      if (n > bytes.length) throw new Bad("more messages than bytes");
      index = message(index);
    }
    return undefined;
  } catch (err) {
    if (err instanceof Bad) return err.message;
    throw err;
  }
}

/** A table back from Apache Arrow IPC bytes. */
export function tableFromArrow(bytes: Uint8Array): Table {
  if (!(bytes instanceof Uint8Array))
    fail("invalid-argument", {
      parameter: "bytes",
      rule: "must be Apache Arrow IPC bytes (a Uint8Array)",
      received: show(bytes),
      fix: "pass what tableToArrow wrote.",
    });
  const problem = arrowProblem(bytes);
  if (problem !== undefined)
    fail("data-corrupt", {
      parameter: "bytes",
      rule: "must be Apache Arrow IPC bytes (a whole stream or file)",
      received: `${bytes.length} bytes holding ${problem}`,
      fix: "pass all the bytes tableToArrow wrote (a truncated or altered file cannot be read).",
    });
  try {
    const table = aq.fromArrow(bytes);
    // The reader is lazy: read every value now, so that a damaged value (e.g. an int64 beyond
    // 2^53) is this call's error rather than a bare one at the table's first use.
    for (const name of table.columnNames()) table.array(name);
    return table;
  } catch (err) {
    return fail(
      "data-corrupt",
      {
        parameter: "bytes",
        rule: "must be Apache Arrow IPC bytes (a whole stream or file)",
        received: `${bytes.length} bytes that do not read as Arrow (${String((err as Error)?.message ?? err).split("\n")[0]})`,
        fix: "pass all the bytes tableToArrow wrote (a truncated or altered file cannot be read).",
      },
      err,
    );
  }
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
