import { test } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { readSummary, summaryTrials, type StudySummary } from "../../src/study/summary.js";
import { FH_DEFAULT } from "../../src/study/estimator-study.js";
import { regimeVerdict } from "../../src/table/regime.js";
import { regimeSearch } from "../../src/table/regime-search.js";
import { diagnosisFigure, diagnosisInfo } from "../../src/plot/diagnosis.js";
import { spearman } from "../../src/metrics/rank.js";
import { createRng } from "../../src/core/random.js";
import { assertFails } from "../helpers/fixtures.js";

const root = resolve(import.meta.dirname, "..", "..", "..");
const weak = () => readSummary(join(root, "notebooks", "data", "regimes", "weak.json"));
const main = () => readSummary(join(root, "notebooks", "data", "main.json"));

/** The weak study with chosen estimates: `fh` and `es` map a candidate's truth (and index) to its estimate at every t. */
function withEstimates(
  s: StudySummary,
  fh: (truth: number, i: number) => number,
  es: (truth: number, i: number) => number,
  plan: Record<string, unknown> = {},
): StudySummary {
  const copy = JSON.parse(JSON.stringify(s)) as StudySummary;
  (copy.trials as unknown as { estimates: Record<string, number[]> }[]).forEach((t, i) => {
    const truth = (t as unknown as { testAcc: number | null }).testAcc;
    if (typeof truth !== "number") return;
    t.estimates[FH_DEFAULT] = Array.from({ length: s.budget }, () => fh(truth, i));
    t.estimates["early stopping"] = Array.from({ length: s.budget }, () => es(truth, i));
  });
  return { ...copy, plan: { ...(copy.plan as object), ...plan } };
}

test("a regime verdict: Spearman with ranges, paired differences with a plain word, weak over-rating", () => {
  const s = weak();
  const v = regimeVerdict(s, { fitOn: main(), B: 100, seed: 1 });
  assert.deepEqual(v.budgets, [1, 3]); // T = 12: T/8 and T/4
  const ok = summaryTrials(s);
  // Each Spearman is the estimator's own against the truth, recomputed here.
  const row = v.spearman.find((r) => r.t === 3 && r.estimator === "SoTL-E")!;
  const rho = spearman(
    ok.map((t) => t.estimates["SoTL-E"]![2]!),
    ok.map((t) => t.testAcc!),
  );
  assert.ok(Math.abs(row.spearman! - rho!) < 1e-12);
  assert.ok(row.lo! <= row.spearman! && row.spearman! <= row.hi!);
  assert.ok(
    v.spearman.some((r) => r.estimator === "FH+"),
    "FH+ is scored when fitOn is given",
  );
  for (const d of v.differences)
    assert.equal(d.verdict, d.lo! > 0 ? "wins" : d.hi! < 0 ? "loses" : "ties", `${d.estimator} vs ${d.versus}`);
  // The weak regime's own sign comes first: 11 of 93 complete candidates below 0.4.
  assert.equal(v.mechanism[0]!.name, "share of candidates with truth below 0.4");
  assert.ok(v.mechanism[0]!.present);
  // The FH default over-rates weak networks here (the diagnosis); the head's consensus does not.
  const over = (e: string) => v.weak.find((w) => w.t === 3 && w.estimator === e)!.medianOverRating;
  assert.ok(over(FH_DEFAULT) > 0.3);
  assert.ok(Math.abs(over("consensus (K=3)")) < 0.05);
  assert.match(v.text, /mechanism: .* present/);
});

test("a regime verdict says wins, loses and ties from known estimates", () => {
  const rng = createRng(3);
  const noisy = (x: number) => x + 0.2 * (rng.next() - 0.5);
  const s = withEstimates(weak(), (x) => x, noisy);
  const v = regimeVerdict(s, { B: 100, seed: 1 });
  const d = (e: string, b: string, t: number) =>
    v.differences.find((x) => x.estimator === e && x.versus === b && x.t === t)!;
  assert.equal(d(FH_DEFAULT, "early stopping", 1).verdict, "wins"); // the truth itself beats a noisy copy
  const reversed = regimeVerdict(
    withEstimates(weak(), (x) => -x, noisy),
    { B: 100, seed: 1 },
  );
  assert.equal(
    reversed.differences.find((x) => x.estimator === FH_DEFAULT && x.versus === "early stopping")!.verdict,
    "loses",
  );
  const same = regimeVerdict(
    withEstimates(
      weak(),
      (x) => x,
      (x) => x,
    ),
    { B: 100, seed: 1 },
  );
  assert.equal(
    same.differences.find((x) => x.estimator === FH_DEFAULT && x.versus === "early stopping")!.verdict,
    "ties",
  );
});

test("a label-noise regime's own sign is memorisation against the share of right labels", () => {
  const s = withEstimates(
    weak(),
    (x) => x,
    (x) => x,
    { name: "label-noise", labelNoise: 0.4 },
  );
  const v = regimeVerdict(s, { B: 50, seed: 1 });
  assert.equal(v.mechanism[0]!.name, "median training accuracy on the noisy labels at T");
  assert.match(v.mechanism[0]!.rule, /0\.64/); // 1 - 0.4 x 9/10
  assert.equal(v.mechanism[0]!.present, v.mechanism[0]!.value > 0.64);
});

test("a regime verdict rejects bad budgets and unknown options", async () => {
  await assertFails(() => regimeVerdict(weak(), { budgets: [0] }), "invalid-argument", /whole budgets in \[1, 12\]/);
  await assertFails(() => regimeVerdict(weak(), { budgets: [13] }), "invalid-argument", /options\.budgets/);
  await assertFails(() => regimeVerdict(weak(), { fitOnn: main() } as never), "unknown-option", /fitOn/);
  await assertFails(() => regimeVerdict({} as never), "invalid-argument", /summary/);
});

test("the search at the paper's ratio: an estimator equal to the truth reaches the target and saves; a reversed one misses", () => {
  const perfect = regimeSearch(
    withEstimates(
      weak(),
      (x) => x,
      (x) => -x,
    ),
    { orders: 4, workers: 2 },
  );
  assert.equal(perfect.t, 1);
  assert.equal(perfect.keep, 1 / 8);
  const row = (m: string) => perfect.rows.find((r) => r.method === m)!;
  const fhRow = row(`sampling (t = 1, keep 0.125) + ${FH_DEFAULT}`);
  const esRow = row("sampling (t = 1, keep 0.125) + early stopping");
  assert.equal(row("full training").reduction, 0);
  assert.equal(fhRow.reached, 4);
  assert.ok(fhRow.reduction! > 0.3, `reduction ${fhRow.reduction}`);
  // The reversed estimator keeps the worst eighth: past the warm-up (the first 8 go on unjudged)
  // it misses, and a miss counts as lost wall-clock.
  assert.ok(esRow.reached < fhRow.reached);
  assert.ok(esRow.reduction! < 0);
  assert.ok(perfect.paired.median! > 0);
  assert.match(perfect.text, /reached 4\/4/);
  // The weak summary records the FH default only up to t = 6 (its ablations' range) while ASHA's
  // rungs are 1, 3, 9: ASHA runs with early stopping alone, and the text says why.
  assert.ok(perfect.rows.some((r) => r.method === "ASHA (r = 1, eta 3) + early stopping"));
  assert.ok(!perfect.rows.some((r) => r.method === `ASHA (r = 1, eta 3) + ${FH_DEFAULT}`));
  assert.match(perfect.text, /not replayed \(the summary records it only below ASHA's rung t = 9\)/);
});

test("the search rejects bad options", async () => {
  await assertFails(() => regimeSearch(weak(), { keep: 0 }), "invalid-argument", /options\.keep/);
  await assertFails(() => regimeSearch(weak(), { t: 12 }), "invalid-argument", /options\.t/);
  await assertFails(() => regimeSearch(weak(), { order: 3 } as never), "unknown-option", /orders/);
});

test("the diagnosis figure: one panel per estimator, coloured by the own validation accuracy on one scale", async () => {
  const s = weak();
  const info = diagnosisInfo(s, { t: 3, estimators: [FH_DEFAULT, "early stopping"] });
  assert.equal(info.panels.length, 2);
  const ok = summaryTrials(s);
  assert.equal(info.panels[0]!.ids.length, ok.length);
  assert.deepEqual(info.panels[1]!.estimate, info.panels[1]!.own); // early stopping is the own accuracy
  const fig = diagnosisFigure(info);
  const markers = fig.data.filter((d) => d.mode === "markers");
  assert.equal(markers.length, 2);
  for (const m of markers) assert.equal((m.marker as { coloraxis: string }).coloraxis, "coloraxis");
  assert.deepEqual((fig.layout.xaxis as { range: number[] }).range, (fig.layout.yaxis2 as { range: number[] }).range);
  await assertFails(() => diagnosisInfo(s, { t: 3, estimators: ["nope"] }), "invalid-argument", /estimators/);
  await assertFails(() => diagnosisInfo(s, { t: 13, estimators: [FH_DEFAULT] }), "invalid-argument", /options\.t/);
  await assertFails(() => diagnosisFigure({} as never), "invalid-argument", /info/);
});
