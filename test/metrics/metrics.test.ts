import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as M from "../../src/metrics/index.js";
import { captureWarnings } from "../../src/core/warn.js";
import { assertFails } from "../helpers/fixtures.js";

interface Case {
  x: number[];
  y: number[];
  spearman: number;
  kendall: number;
  pearson: number;
  ranks_x: number[];
}
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "..", "test", "fixtures", "metrics-scipy.json"), "utf8"),
) as { cases: Case[] };

test("Spearman, Kendall tau-b, Pearson and ranks match scipy, with and without ties", () => {
  assert.ok(fixture.cases.length >= 6);
  for (const c of fixture.cases) {
    assert.ok(Math.abs(M.spearman(c.x, c.y)! - c.spearman) < 1e-12, `spearman n=${c.x.length}`);
    assert.ok(Math.abs(M.kendallTauB(c.x, c.y)! - c.kendall) < 1e-12, `kendall n=${c.x.length}`);
    assert.ok(Math.abs(M.pearson(c.x, c.y)! - c.pearson) < 1e-12, `pearson n=${c.x.length}`);
    assert.deepEqual(M.rankData(c.x), c.ranks_x);
  }
});

test("worked cases: perfect, reversed, signed", () => {
  assert.equal(M.spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(M.spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.equal(M.kendallTauB([1, 2, 3], [3, 2, 1]), -1);
  // Kendall tau-b with ties by hand: x=[1,1,2], y=[1,2,3]: C=2, D=0, ties_x=1, ties_y=0 -> 2/sqrt(2*3).
  assert.ok(Math.abs(M.kendallTauB([1, 1, 2], [1, 2, 3])! - 2 / Math.sqrt(6)) < 1e-15);
  assert.ok(M.pearson([1, 2, 3], [3, 2, 1])! < 0, "signed, never absolute");
});

test("constant inputs give undefined with a warning, not NaN", () => {
  for (const f of [M.spearman, M.kendallTauB, M.pearson]) {
    const { result, warnings } = captureWarnings(() => f([1, 1, 1], [1, 2, 3]));
    assert.equal(result, undefined);
    assert.match(warnings[0]!, /undefined: the estimates are constant/);
  }
  const { result, warnings } = captureWarnings(() => M.spearman([1], [2]));
  assert.equal(result, undefined);
  assert.match(warnings[0]!, /fewer than two/);
});

test("precision@k, regret@1, MAE and top-half rho", () => {
  const truth = [0.9, 0.8, 0.7, 0.6, 0.5];
  const est = [0.5, 0.9, 0.8, 0.1, 0.2];
  assert.equal(M.precisionAtK(est, truth, 2), 0.5); // top2 truth {0,1}, top2 est {1,2}
  assert.equal(M.precisionAtK(est, truth, 5), 1);
  assert.ok(Math.abs(M.regretAt1(est, truth)! - -0.1) < 1e-12); // picks index 1 (0.8) vs best 0.9
  assert.equal(M.regretAt1(truth, truth), 0);
  assert.ok(Math.abs(M.mae([1, 2], [2, 4])! - 1.5) < 1e-12);
  assert.equal(M.topHalfSpearman(truth, truth), 1);
});

test("bad inputs name the function, the index and the fix", async () => {
  await assertFails(() => M.spearman([1, 2], [1]), "invalid-argument", /spearman\(x, y\)/, /lengths 2 and 1/);
  await assertFails(
    () => M.kendallTauB([1, Number.NaN], [1, 2]),
    "invalid-argument",
    /kendall: x\[1\]/,
    /NaN/,
    /drop failed candidates/,
  );
  await assertFails(() => M.precisionAtK([1, 2], [1, 2], 3), "invalid-argument", /^k /, /1\.\.2/);
});
