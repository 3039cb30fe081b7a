import { test } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { readSummary, repeatPairs, summaryTrials } from "../../src/study/summary.js";
import { noiseCeiling } from "../../src/table/compare.js";
import { studyOverview } from "../../src/table/overview.js";
import { assertFails } from "../helpers/fixtures.js";

const root = resolve(import.meta.dirname, "..", "..", "..");

test("a study overview: trials, the truth's spread, failed trials with errors, the noise ceiling", () => {
  const s = readSummary(join(root, "notebooks", "data", "main.json"));
  const o = studyOverview(s, { B: 200, seed: 1 });
  const ok = summaryTrials(s);
  assert.equal(o.trials, s.trials.length);
  assert.equal(o.complete, ok.length);
  assert.equal(o.failed.length, s.trials.filter((t) => t.state === "failed").length);
  assert.equal(o.truth.max, Math.max(...ok.map((t) => t.testAcc!)));
  assert.equal(o.truth.min, Math.min(...ok.map((t) => t.testAcc!)));
  assert.equal(o.weak, ok.filter((t) => t.testAcc! < 0.4).length);
  assert.deepEqual(o.ceiling, noiseCeiling(repeatPairs(s), { B: 200, seed: 1 }));
  assert.equal(o.repeats, repeatPairs(s).length);
  assert.match(o.text, new RegExp(`^${s.name}: ${s.trials.length} trials \\(${ok.length} complete`));
  for (const f of o.failed) assert.ok(o.text.includes(`failed ${f.id}`));
  assert.match(o.text, /noise ceiling \(seed-to-seed Spearman of the truth, \d+ candidates\): 0\.\d{3} \[/);
});

test("a study overview rejects what is not a summary, and unknown options", async () => {
  await assertFails(() => studyOverview({} as never), "invalid-argument", /summary/);
  const s = readSummary(join(root, "notebooks", "data", "main.json"));
  await assertFails(() => studyOverview(s, { b: 10 } as never), "unknown-option", /did you mean "B"/);
});
