// PED-ANOVA importances: the parameter an objective depends on ranks first, an irrelevant one
// scores near 0, the result is deterministic and order-free, conditional parameters count only
// where they are active, and bad input is rejected with a named parameter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { paramImportances } from "../../src/search/importance.js";
import { createRng } from "../../src/core/random.js";
import type { TrialState } from "../../src/core/types.js";
import type { Trial, TrialValue } from "../../src/history/trial.js";
import { categorical, cell, fixed, float, int } from "../../src/space/params.js";
import { defineSpace, sample, type SearchSpace } from "../../src/space/space.js";
import { parseCell } from "../../src/space/cell.js";
import { assertFails } from "../helpers/fixtures.js";
import { curveTrial } from "../helpers/study-trials.js";

/** A trial whose peak validation accuracy is `value` (reached at its last epoch). */
function fakeTrial(number: number, config: Record<string, TrialValue>, value: number, state: TrialState = "complete") {
  return curveTrial(number, config, [value - 0.2, value - 0.1, value], state, 3);
}

function study(space: SearchSpace, n: number, objective: (c: Record<string, TrialValue>) => number, seed = 7): Trial[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const config = { ...sample(space, rng) };
    return fakeTrial(i, config, objective(config));
  });
}

const space = defineSpace([
  float("lr", 1e-4, 1e-1, { log: true }),
  categorical("optimizer", ["sgd", "adam", "rmsprop"]),
  float("noise", 0, 1),
  int("width", 8, 64),
  fixed("epochs", 3),
]);
// Depends strongly on lr (a peak at 10^-2.5) and weakly on the optimizer; not at all on noise or width.
const objective = (c: Record<string, TrialValue>) =>
  0.9 - 0.08 * (Math.log10(c.lr as number) + 2.5) ** 2 + (c.optimizer === "adam" ? 0.01 : 0);
const trials = study(space, 300, objective);

test("PED-ANOVA: the float the objective depends on ranks first with most of the importance; irrelevant ones near 0", async () => {
  const imp = paramImportances(space, trials);
  const by = Object.fromEntries(imp.map((r) => [r.param, r.importance]));
  assert.deepEqual(Object.keys(by).sort(), ["lr", "noise", "optimizer", "width"], "fixed parameters are not reported");
  assert.equal(imp[0]!.param, "lr");
  assert.ok(by.lr! > 0.5, JSON.stringify(imp));
  assert.ok(by.noise! < 0.1 && by.width! < 0.1, JSON.stringify(imp));
  assert.ok(Math.abs(imp.reduce((s, r) => s + r.importance, 0) - 1) < 1e-12);
  for (let i = 1; i < imp.length; i++) assert.ok(imp[i - 1]!.importance >= imp[i]!.importance, "sorted");
});

test("PED-ANOVA is deterministic, ignores trial order and non-complete trials, and follows the direction", async () => {
  const base = paramImportances(space, trials);
  assert.deepEqual(paramImportances(space, trials), base);
  assert.deepEqual(paramImportances(space, [...trials].reverse()), base);
  // Failed and running trials (however good their curves look) are not observations.
  const noisy = [
    ...trials,
    fakeTrial(900, { lr: 1e-4, optimizer: "sgd", noise: 0.1, width: 8, epochs: 3 }, 0.99, "failed"),
    fakeTrial(901, { lr: 1e-4, optimizer: "sgd", noise: 0.1, width: 8, epochs: 3 }, 0.99, "running"),
  ];
  assert.deepEqual(paramImportances(space, noisy), base);
  // The same ranking by a custom value minimised.
  const peak = (t: Trial) => t.curves.valAcc.at(-1);
  const negated = paramImportances(space, trials, { value: (t) => -peak(t)!, direction: "minimize" });
  assert.deepEqual(
    negated.map((r) => r.param),
    base.map((r) => r.param),
  );
  negated.forEach((r, i) => assert.ok(Math.abs(r.importance - base[i]!.importance) < 1e-12));
  // Maximising the negated value asks for the worst trials instead: lr still matters, differently.
  const worst = paramImportances(space, trials, { value: (t) => -peak(t)! });
  assert.notDeepEqual(worst, base);
  // A larger top quantile (gamma) changes the numbers but not the winner.
  const wide = paramImportances(space, trials, { gamma: 0.3 });
  assert.equal(wide[0]!.param, "lr");
  assert.notDeepEqual(wide, base);
});

test("PED-ANOVA: a conditional parameter counts only where active; inactive in every top trial, it scores 0", async () => {
  const cond = defineSpace([
    categorical("optimizer", ["sgd", "adam"]),
    float("momentum", 0, 0.99, { when: { parent: "optimizer", values: ["sgd"] } }),
    float("lr", 1e-3, 1e-1, { log: true }),
  ]);
  // Among sgd trials, momentum near 0.9 wins; adam is mediocre.
  const sgdWins = study(cond, 300, (c) =>
    c.optimizer === "sgd" ? 0.95 - Math.abs((c.momentum as number) - 0.9) : 0.6,
  );
  const imp = paramImportances(cond, sgdWins);
  const by = Object.fromEntries(imp.map((r) => [r.param, r.importance]));
  assert.ok(by.momentum! > by.lr! * 3, JSON.stringify(imp));
  // Adam wins: momentum (sgd only) is active in no top trial.
  const adamWins = study(cond, 300, (c) => (c.optimizer === "adam" ? 0.9 : 0.5 + 0.3 * (c.momentum as number)));
  const imp2 = Object.fromEntries(paramImportances(cond, adamWins).map((r) => [r.param, r.importance]));
  assert.equal(imp2.momentum, 0);
  assert.ok(imp2.optimizer! > 0.5, JSON.stringify(imp2));
  // A trial of an earlier space (momentum out of range, an unknown op) is skipped for that parameter, not an error.
  const old = fakeTrial(999, { optimizer: "sgd", momentum: 5, lr: 0.01 }, 0.99);
  assert.equal(paramImportances(cond, [...sgdWins, old]).length, 3);
});

test("PED-ANOVA: a NAS cell's edges are categoricals, reported as the cell's sum", async () => {
  const nas = defineSpace([cell("cell", { ops: ["none", "skip", "conv3x3"] }), float("noise", 0, 1)]);
  const ops = ["none", "skip", "conv3x3"];
  // Edges 1->0 and 3->0 decide (ties: the top holds every trial with both); noise plays no part.
  const edgeWins = study(nas, 240, (c) => {
    const e = parseCell(c.cell, "cell", ops);
    return 0.5 + (e[0] === "conv3x3" ? 0.2 : 0) + (e[3] === "skip" ? 0.1 : 0);
  });
  const imp = paramImportances(nas, edgeWins);
  assert.equal(imp[0]!.param, "cell");
  assert.ok(imp[0]!.importance > 0.6, JSON.stringify(imp));
});

// Optuna 5.1's PedAnovaImportanceEvaluator (defaults, its shares normalised to sum 1) on these
// same trials, computed once with Python (optuna 5.1.0, numpy 2.4.6).
test("PED-ANOVA matches Optuna's evaluator on the same trials (to 1e-6)", async () => {
  const five = defineSpace([
    float("lr", 1e-4, 1e-1, { log: true }),
    categorical("optimizer", ["sgd", "adam", "rmsprop"]),
    float("noise", 0, 1),
    int("width", 8, 64),
    int("depth", 1, 100, { log: true }),
  ]);
  const f = (c: Record<string, TrialValue>) =>
    0.9 -
    0.08 * (Math.log10(c.lr as number) + 2.5) ** 2 +
    (c.optimizer === "adam" ? 0.03 : 0) +
    0.002 * Math.log(c.depth as number) +
    0.0005 * (c.width as number);
  const optuna = { lr: 0.567867, noise: 0.20269745, optimizer: 0.14831258, width: 0.05326433, depth: 0.02785864 };
  const close = (got: { param: string; importance: number }[], want: Record<string, number>) => {
    assert.deepEqual(
      got.map((r) => r.param),
      Object.keys(want),
    );
    for (const r of got) assert.ok(Math.abs(r.importance - want[r.param]!) < 1e-6, `${r.param}: ${r.importance}`);
  };
  close(paramImportances(five, study(five, 31, f, 3)), optuna);
  const cond = defineSpace([
    categorical("optimizer", ["sgd", "adam"]),
    float("momentum", 0, 0.99, { when: { parent: "optimizer", values: ["sgd"] } }),
    float("lr", 1e-3, 1e-1, { log: true }),
  ]);
  const g = (c: Record<string, TrialValue>) =>
    (c.optimizer === "sgd" ? 0.95 - Math.abs((c.momentum as number) - 0.9) : 0.6) + 0.01 * Math.log(c.lr as number);
  close(paramImportances(cond, study(cond, 100, g, 1)), {
    momentum: 0.95369188,
    optimizer: 0.03155711,
    lr: 0.01475101,
  });
});

test("PED-ANOVA: bad input names the parameter, the rule and the fix", async () => {
  await assertFails(() => paramImportances({} as never, trials), "invalid-argument", /space/);
  await assertFails(() => paramImportances(space, "trials" as never), "invalid-argument", /trials/);
  await assertFails(() => paramImportances(space, trials, { gama: 0.2 } as never), "unknown-option", /gamma/);
  await assertFails(() => paramImportances(space, trials, { gamma: 0 }), "invalid-argument", /options\.gamma/);
  await assertFails(() => paramImportances(space, trials, { minTop: 0 }), "invalid-argument", /options\.minTop/);
  await assertFails(
    () => paramImportances(space, trials, { direction: "max" as never }),
    "invalid-argument",
    /direction/,
  );
  await assertFails(() => paramImportances(space, trials, { value: 3 as never }), "invalid-argument", /options\.value/);
  await assertFails(
    () => paramImportances(space, trials, { value: () => "high" as never }),
    "invalid-argument",
    /options\.value must return a number/,
  );
  await assertFails(() => paramImportances(space, trials.slice(0, 2)), "invalid-argument", /more than options\.minTop/);
  await assertFails(() => paramImportances(defineSpace([fixed("a", 1)]), trials), "invalid-argument", /searched/);
});
