// Multi-objective studies: non-dominated sorting and crowding distance on hand-computed cases,
// a study with accuracy and parameter count (paretoFront, best() refused, NaN objective fails the
// trial, bad objectives named), the NSGA-II sampler against random search on a ZDT1-like problem
// over seeds (hypervolume), and the Pareto pruner (estimate with cost; one objective = the
// estimator pruner's rule).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../../src/core/random.js";
import type { Trial } from "../../src/history/trial.js";
import { earlyStopping } from "../../src/proxy/baselines.js";
import { crowdingDistance, hypervolume2d, nonDominatedSort } from "../../src/search/pareto.js";
import { nsga2Sampler } from "../../src/search/nsga.js";
import { objectiveValues, type Objective } from "../../src/search/objectives.js";
import { estimatorPruner, paretoPruner } from "../../src/search/pruners.js";
import { randomSampler, type Sampler } from "../../src/search/samplers.js";
import { float } from "../../src/space/params.js";
import { defineSpace } from "../../src/space/space.js";
import { hpoCnnSpace } from "../../src/space/presets.js";
import { createStudy, loadStudy } from "../../src/study/study-open.js";
import { assertFails, tempDir } from "../helpers/fixtures.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";
import { curveTrial } from "../helpers/study-trials.js";

const p = (id: string, ...values: number[]) => ({ id, values });

test("nonDominatedSort: fronts of a hand-computed set, in both directions; crowding distance by hand", () => {
  const pts = [p("a", 1, 5), p("b", 2, 3), p("c", 3, 1), p("d", 2, 4), p("e", 3, 3), p("f", 4, 4), p("g", 1, 5)];
  // Both minimised: a, b, c, g are non-dominated (a and g equal: neither dominates); d, e next; f last.
  const fronts = nonDominatedSort(pts, ["minimize", "minimize"]).map((f) => f.map((x) => x.id));
  assert.deepEqual(fronts, [["a", "b", "c", "g"], ["d", "e"], ["f"]]);
  // Both maximised: f (4,4) and a, g (1,5: the highest second value) on top; then d (2,4), e (3,3).
  const up = nonDominatedSort(pts, ["maximize", "maximize"]).map((f) => f.map((x) => x.id));
  assert.deepEqual(up.slice(0, 2), [
    ["a", "f", "g"],
    ["d", "e"],
  ]);
  assert.equal(up.flat().length, pts.length);
  // Crowding: extremes Infinity; the middle point b of (1,5),(2,3),(3,1): (3-1)/2 + (5-1)/4 = 2.
  assert.deepEqual(crowdingDistance([p("a", 1, 5), p("b", 2, 3), p("c", 3, 1)]), [Infinity, 2, Infinity]);
  assert.deepEqual(crowdingDistance([]), []);
});

test("a study with accuracy and parameter count: paretoFront, best() refused, NaN fails, bad objectives named", async () => {
  const { dir, cleanup } = tempDir("fh-mo-");
  try {
    const objectives: Objective[] = [
      { name: "accuracy", direction: "maximize" },
      { name: "params", direction: "minimize" },
    ];
    const s = await createStudy({ name: "mo", storage: dir, space: hpoCnnSpace(), budget: 3, objectives });
    assert.deepEqual(s.objectives, objectives);
    // quality -> accuracy; parameters chosen so that the front is t0000 (small), t0002 (best), t0003.
    const plan = [
      [0.2, 1_000],
      [0.3, 50_000],
      [0.9, 90_000],
      [0.6, 20_000],
    ] as const;
    for (const [i, [q, params]] of plan.entries()) {
      const t = await s.ask();
      await s.report(t, { ...syntheticCandidate(q, 3, i), parameters: params });
      await s.tell(t, "complete");
    }
    const front = s.paretoFront();
    assert.deepEqual(
      front.map((f) => f.trial.id),
      ["t0000", "t0002", "t0003"],
    );
    assert.equal(front[1]!.values[1], 90_000);
    await assertFails(() => s.best(), "state", /best\(\) needs a single objective/, /paretoFront/);
    // A NaN objective value fails the trial; a value for no objective is refused by name.
    const t = await s.ask();
    await s.report(t, { ...syntheticCandidate(0.5, 3, 9), parameters: 10 });
    await assertFails(
      () => s.tell(t, "complete", { values: { latency: 3 } }),
      "invalid-argument",
      /options\.values\.latency/,
      /"accuracy", "params"/,
    );
    const withNaN = await createStudy({
      name: "mo2",
      storage: tempDir("fh-mo2-").dir,
      space: hpoCnnSpace(),
      budget: 3,
      objectives: [objectives[0]!, { name: "latencyMs", direction: "minimize" }],
    });
    const n = await withNaN.ask();
    await withNaN.report(n, syntheticCandidate(0.5, 3, 1));
    const told = await withNaN.tell(n, "complete", { values: { latencyMs: NaN } });
    assert.equal(told.state, "failed");
    assert.match(told.error!.message, /latencyMs" is NaN/);
    // A complete trial that never reported a told objective: the front names the fix.
    const m = await withNaN.ask();
    await withNaN.report(m, syntheticCandidate(0.5, 3, 2));
    await withNaN.tell(m, "complete");
    await assertFails(() => withNaN.paretoFront(), "data-missing", /latencyMs/, /values: \{ "latencyMs": value \}/);
    await withNaN.close();
    await s.close();
    // Objectives persist; reopening with others is refused; single-objective studies have no front.
    const again = await loadStudy({ storage: dir, readOnly: true });
    assert.deepEqual(again.objectives, objectives);
    await again.close();
    await assertFails(
      () => createStudy({ name: "mo", storage: dir, space: hpoCnnSpace(), budget: 3 }),
      "state",
      /objectives differ/,
    );
    const single = await createStudy({ name: "one", storage: tempDir("fh-mo3-").dir, space: hpoCnnSpace(), budget: 3 });
    await assertFails(() => single.paretoFront(), "state", /two or more objectives/, /study\.best\(\)/);
    await single.close();
    await assertFails(
      () =>
        createStudy({
          name: "bad",
          storage: tempDir("fh-mo4-").dir,
          space: hpoCnnSpace(),
          budget: 3,
          objectives: [{ name: "accuracy", direction: "maximise" as "maximize" }],
        }),
      "invalid-argument",
      /options\.objectives\[0\]\.direction/,
      /"maximize", "minimize"/,
    );
  } finally {
    cleanup();
  }
});

/** ZDT1 in two dimensions of x (x0 in [0,1] is the trade-off, x1..x3 should be 0), both minimised. */
function zdt1(config: Record<string, unknown>): [number, number] {
  const x = [0, 1, 2, 3].map((i) => config[`x${i}`] as number);
  const g = 1 + (9 * (x[1]! + x[2]! + x[3]!)) / 3;
  return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
}
const zdtSpace = defineSpace([0, 1, 2, 3].map((i) => float(`x${i}`, 0, 1)));
const zdtObjectives: Objective[] = [
  { name: "f1", direction: "minimize" },
  { name: "f2", direction: "minimize" },
];

function runSampler(sampler: Sampler, n: number, seed: number): Trial[] {
  const trials: Trial[] = [];
  const rng = createRng(seed);
  for (let i = 0; i < n; i++) {
    const config = sampler.sample(zdtSpace, trials, rng.fork());
    const [f1, f2] = zdt1(config);
    trials.push({ ...curveTrial(i, config as Record<string, number>, [0.5]), values: { f1, f2 } });
  }
  return trials;
}

test("NSGA-II beats random search on ZDT1 by hypervolume over 6 seeds, with a clear margin", () => {
  const hv = (trials: Trial[]) =>
    hypervolume2d(
      trials.map((t) => ({ id: t.id, values: objectiveValues(t, zdtObjectives) })),
      [1.1, 11],
      ["minimize", "minimize"],
    );
  const nsga: number[] = [];
  const random: number[] = [];
  for (let seed = 1; seed <= 6; seed++) {
    nsga.push(hv(runSampler(nsga2Sampler({ objectives: zdtObjectives, population: 12 }), 150, seed)));
    random.push(hv(runSampler(randomSampler(), 150, seed)));
  }
  const wins = nsga.filter((v, i) => v > random[i]!).length;
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(
    wins >= 5,
    `NSGA-II won ${wins} of 6: ${nsga.map((v) => v.toFixed(3))} vs ${random.map((v) => v.toFixed(3))}`,
  );
  assert.ok(mean(nsga) > mean(random) + 0.1, `mean hypervolume ${mean(nsga).toFixed(3)} vs ${mean(random).toFixed(3)}`);
  // Seeded: the same seed, the same trials.
  const a = runSampler(nsga2Sampler({ objectives: zdtObjectives }), 40, 3).map((t) => t.config);
  const b = runSampler(nsga2Sampler({ objectives: zdtObjectives }), 40, 3).map((t) => t.config);
  assert.deepEqual(a, b);
});

test("the Pareto pruner keeps a cheap network with a lower estimate; with accuracy alone it is the estimator pruner", () => {
  const estimator = earlyStopping();
  const key = `${estimator.name}@2`;
  // Judged others at t = 2: estimates 0.5..0.9 with large parameter counts.
  const others = [0.5, 0.6, 0.7, 0.8, 0.9].map((v, i): Trial => ({
    ...curveTrial(i, {}, [v - 0.1, v], "running", 6),
    parameters: 100_000 + i * 10_000,
    scores: { [key]: v },
  }));
  const cheap: Trial = { ...curveTrial(9, {}, [0.3, 0.4], "running", 6), parameters: 1_000 };
  const mo = paretoPruner({
    estimator,
    t: 2,
    keep: 0.25,
    objectives: [
      { name: "accuracy", direction: "maximize" },
      { name: "params", direction: "minimize" },
    ],
  });
  const single = estimatorPruner({ estimator, t: 2, keep: 0.25 });
  assert.equal(single.decide(cheap, others).prune, true);
  assert.equal(mo.decide(cheap, others).prune, false, "on the front by its parameter count");
  // A network both less accurate and larger than others is pruned.
  const bad: Trial = { ...curveTrial(10, {}, [0.3, 0.4], "running", 6), parameters: 500_000 };
  assert.equal(mo.decide(bad, others).prune, true);
  // Accuracy alone: the same verdicts as estimatorPruner on random cases.
  const accOnly = paretoPruner({
    estimator,
    t: 2,
    keep: 0.3,
    objectives: [{ name: "accuracy", direction: "maximize" }],
  });
  const base = estimatorPruner({ estimator, t: 2, keep: 0.3 });
  const rng = createRng(4);
  for (let k = 0; k < 40; k++) {
    const pool = Array.from({ length: 3 + rng.int(8) }, (_, i): Trial => {
      const v = Math.round(rng.next() * 10) / 10;
      return { ...curveTrial(i, {}, [v, v], "running", 6), scores: { [key]: v } };
    });
    const me = curveTrial(99, {}, [0.5, Math.round(rng.next() * 10) / 10], "running", 6);
    assert.equal(accOnly.decide(me, pool).prune, base.decide(me, pool).prune, `case ${k}`);
  }
  // A cost the pruner cannot know at t is an error naming it.
  assert.throws(
    () =>
      paretoPruner({
        estimator,
        t: 2,
        objectives: [
          { name: "accuracy", direction: "maximize" },
          { name: "latencyMs", direction: "minimize" },
        ],
      }).decide(cheap, others),
    /objective "latencyMs".*must be known by epoch 2/s,
  );
  assert.throws(
    () => paretoPruner({ estimator, t: 2, objectives: [{ name: "params", direction: "minimize" }] }),
    /must include "accuracy"/,
  );
});
