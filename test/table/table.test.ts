import { test } from "node:test";
import { emptyCurves } from "../../src/history/curves.js";
import assert from "node:assert/strict";
import * as T from "../../src/table/index.js";
import type { EstimateRow } from "../../src/proxy/evaluate.js";
import { spearman } from "../../src/metrics/rank.js";
import { assertFails } from "../helpers/fixtures.js";

const truths = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
const rows: EstimateRow[] = [
  ...truths.map((t, i) => ({ candidate: i, estimator: "good", t: 1, estimate: t * 2 + (i === 2 ? 0.5 : 0) })),
  ...truths.map((t, i) => ({ candidate: i, estimator: "bad", t: 1, estimate: -t })),
  ...truths.map((_, i) =>
    i === 5
      ? { candidate: i, estimator: "good", t: 2, estimate: undefined, error: "failed at epoch 1" }
      : { candidate: i, estimator: "good", t: 2, estimate: 1 - i * 0.1 },
  ),
];

test("estimates table: ranks, rank errors, LOO calibration and kept reasons", () => {
  const est = T.estimatesTable(rows, truths);
  assert.equal(est.numRows(), rows.length);
  const all = est.objects() as Record<string, unknown>[];
  const good1 = all.filter((r) => r.estimator === "good" && r.t === 1) as Record<string, number>[];
  assert.deepEqual(
    good1.map((r) => r.rankTruth),
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(good1[2]!.rankEstimate, 1, "candidate 2 got the top estimate");
  assert.equal(good1[2]!.rankError, -2);
  assert.ok(good1.every((r) => typeof r.calibrated === "number"));
  const missing = all.find((r) => r.estimator === "good" && r.t === 2 && r.candidate === 5)!;
  assert.equal(missing.estimate, null);
  assert.equal(missing.reason, "failed at epoch 1");
  assert.equal(missing.rankEstimate, null);
});

test("summary: signed metrics per (estimator, budget), missing counted", () => {
  const sum = T.summaryRows(T.estimatesTable(rows, truths));
  const bad = sum.find((s) => s.estimator === "bad")!;
  assert.equal(bad.spearman, -1, "signed, never absolute");
  assert.equal(bad.regretAt1! < 0, true);
  const good = sum.find((s) => s.estimator === "good" && s.t === 1)!;
  assert.equal(
    good.spearman,
    spearman(
      rows.slice(0, 6).map((r) => r.estimate!),
      truths,
    ),
  );
  assert.equal(good.k, 2);
  assert.ok(good.maeCalibrated! > 0);
  const good2 = sum.find((s) => s.estimator === "good" && s.t === 2)!;
  assert.equal(good2.n, 5);
  assert.equal(good2.missing, 1);
  assert.equal(T.summaryTable(T.estimatesTable(rows, truths)).numRows(), 3);
});

test("trials table flattens configurations; absent keys are null; trials and summary trials both fit", async () => {
  const curves = { ...emptyCurves(), valAcc: [0.5, 0.8, 0.7] };
  const t = T.trialsTable([
    { id: "t0", config: { family: "cnn", depth: 2 }, state: "complete", epochs: 3, seconds: 3, curves, testAcc: 0.79 },
    {
      id: "t1",
      config: { family: "nas-cell", cell: "|skip~0|+|none~0|none~1|+|none~0|none~1|skip~2|" },
      state: "failed",
      epochs: 0,
      seconds: 1,
      error: { name: "Error", message: "diverged", epoch: 1 },
    },
    { id: "t2", config: { family: "cnn" }, state: "pruned", epochs: 1, seconds: 1, testAcc: null, error: null },
  ]);
  assert.deepEqual(t.columnNames().slice(0, 7), [
    "trial",
    "state",
    "testAcc",
    "peakValAcc",
    "epochs",
    "seconds",
    "error",
  ]);
  const o = t.objects() as Record<string, unknown>[];
  assert.equal(o[0]!["config.depth"], 2);
  assert.equal(o[0]!.peakValAcc, 0.8);
  assert.equal(o[1]!["config.depth"], null);
  assert.equal(o[1]!.error, "diverged");
  assert.equal(o[2]!.testAcc, null);
  await assertFails(() => T.trialsTable("x" as never), "invalid-argument", /trials/);
});

test("HTML: formatted numbers, sticky header, capped rows with a count, escaped text", async () => {
  const t = T.trialsTable(
    Array.from({ length: 30 }, (_, i) => ({
      id: `t${i}`,
      config: { name: `<b>${i}</b>`, lr: 0.000123456 * (i + 1) },
      state: "complete" as const,
      epochs: 1,
      seconds: 1,
      testAcc: 0.123456,
    })),
  );
  const html = T.tableHtml(t, { maxRows: 5, caption: "Trials" });
  assert.match(html, /position:sticky/);
  assert.match(html, /showing 5 of 30 rows/);
  assert.match(html, /0\.123/);
  assert.doesNotMatch(html, /0\.123456/);
  assert.match(html, /&lt;b&gt;0&lt;\/b&gt;/);
  assert.equal((html.match(/<tr>/g) ?? []).length, 6);
  assert.equal(T.formatCell(1.23456e-5), "1.23e-5");
  assert.equal(T.formatCell(12.3456), "12.3");
  assert.match(T.tableText(t, { maxRows: 2 }), /showing 2 of 30 rows/);
  await assertFails(() => T.tableHtml(t, { maxRow: 3 } as never), "unknown-option", /"maxRows"/);
});

test("CSV and Arrow export round-trip; danfojs-node interop both ways", () => {
  const t = T.summaryTable(T.estimatesTable(rows, truths));
  const csv = T.tableToCSV(t);
  assert.match(csv.split("\n")[0]!, /^estimator,t,n,missing,spearman/);
  const back = T.tableFromArrow(T.tableToArrow(t));
  assert.deepEqual(back.objects(), t.objects());
  const df = T.toDanfo(t);
  assert.deepEqual(df.columns, t.columnNames());
  assert.deepEqual(T.fromDanfo(df).array("spearman"), t.array("spearman"));
});

test("bad candidate indices are named", async () => {
  await assertFails(
    () => T.estimatesTable([{ candidate: 9, estimator: "x", t: 1, estimate: 1 }], truths),
    "invalid-argument",
    /rows\[0\]\.candidate/,
    /0\.\.5/,
  );
});

test("bootstrap summaries are seeded resamples of the candidates", () => {
  const a = T.bootstrapSummaries(rows, truths, 5, 1);
  const b = T.bootstrapSummaries(rows, truths, 5, 1);
  assert.equal(a.length, 5);
  assert.deepEqual(a, b);
  assert.ok(a.every((s) => s.some((r) => r.estimator === "bad" && (r.spearman === null || r.spearman <= 0))));
  assert.notDeepEqual(T.bootstrapSummaries(rows, truths, 5, 2), a);
});
