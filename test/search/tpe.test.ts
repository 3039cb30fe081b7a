// Model-based samplers: TPE (multivariate and independent) against random search on synthetic
// objectives, conditional and cell spaces, the constant liar, and BOHB's choice of budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bohbSampler, tpeSampler } from "../../src/search/tpe.js";
import { randomSampler, type Sampler } from "../../src/search/samplers.js";
import { createRng } from "../../src/core/random.js";
import { categorical, cell, fixed, float, int } from "../../src/space/params.js";
import { defineSpace, sample, validateConfig, type Config, type SearchSpace } from "../../src/space/space.js";
import { parseCell } from "../../src/space/cell.js";
import type { Trial } from "../../src/history/trial.js";
import type { TrialState } from "../../src/core/types.js";
import { assertFails } from "../helpers/fixtures.js";

/** A trial as a study records it, without training: `valAcc` is its (peak) validation accuracy. */
function fakeTrial(
  number: number,
  config: Config,
  o: { state?: TrialState; valAcc?: number; scores?: Record<string, number>; epochs?: number; budget?: number } = {},
): Trial {
  const epochs = o.epochs ?? (o.valAcc === undefined ? 0 : 1);
  const curve = (v: number) => Array.from({ length: epochs }, (_, i) => (i === epochs - 1 ? v : v - 1));
  return {
    id: `t${number}`,
    number,
    config,
    state: o.state ?? (o.valAcc === undefined ? "running" : "complete"),
    budget: o.budget ?? Math.max(1, epochs),
    epochs,
    curves: {
      trainLoss: curve(0),
      trainAcc: curve(0),
      valLoss: curve(0),
      valAcc: curve(o.valAcc ?? 0),
      seconds: curve(1),
      captureSeconds: curve(0),
      lr: curve(0),
    },
    seed: number,
    seconds: epochs,
    scores: o.scores ?? {},
    attempts: 1,
  };
}

/** A sequential search of n trials; returns the best value and the configurations asked for. */
function search(sampler: Sampler, space: SearchSpace, objective: (c: Config) => number, n: number, seed: number) {
  const rng = createRng(seed);
  const trials: Trial[] = [];
  let best = -Infinity;
  for (let i = 0; i < n; i++) {
    const config = sampler.sample(space, trials, rng);
    validateConfig(space, config);
    const v = objective(config);
    trials.push(fakeTrial(i, config, { valAcc: v }));
    best = Math.max(best, v);
  }
  return { best, configs: trials.map((t) => t.config as Config) };
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};
const SEEDS = Array.from({ length: 10 }, (_, i) => 101 + i);
const medianBest = (sampler: Sampler, space: SearchSpace, f: (c: Config) => number, n = 40) =>
  median(SEEDS.map((s) => search(sampler, space, f, n, s).best));

const quadSpace = defineSpace([
  float("x", -5, 5),
  float("lr", 1e-4, 1, { log: true }),
  categorical("opt", ["sgd", "adam", "rmsprop", "adagrad"]),
]);
const quad = (c: Config) =>
  -(((c.x as number) - 1.5) ** 2) - (Math.log10(c.lr as number) + 2) ** 2 - (c.opt === "adam" ? 0 : 2);

test("TPE after 40 trials beats random search on a quadratic (median best over 10 seeds), joint and independent", async () => {
  const random = medianBest(randomSampler(), quadSpace, quad);
  const joint = medianBest(tpeSampler(), quadSpace, quad);
  const independent = medianBest(tpeSampler({ multivariate: false }), quadSpace, quad);
  console.log(
    `median best of 40: random ${random.toFixed(3)}, TPE ${joint.toFixed(3)}, independent ${independent.toFixed(3)}`,
  );
  assert.ok(joint > random + 0.5, `TPE ${joint} vs random ${random}`);
  assert.ok(independent > random + 0.5, `independent TPE ${independent} vs random ${random}`);
  assert.match(tpeSampler().name, /multivariate/);
  assert.match(tpeSampler({ multivariate: false }).name, /independent/);
});

test("TPE is a pure function of the space, the trials and the seed", async () => {
  const a = search(tpeSampler(), quadSpace, quad, 25, 7).configs;
  const b = search(tpeSampler(), quadSpace, quad, 25, 7).configs;
  const c = search(tpeSampler(), quadSpace, quad, 25, 8).configs;
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.slice(10), c.slice(10));
  // The first nStartup trials are random samples: the same draws as fh.space.sample.
  const rng = createRng(7);
  assert.deepEqual(
    a.slice(0, 10),
    Array.from({ length: 10 }, () => sample(quadSpace, rng)),
  );
});

test("conditional parameters: proposals validate and the good branch's children are tuned", async () => {
  const space = defineSpace([
    categorical("optimizer", ["sgd", "adam"]),
    float("momentum", 0, 0.99, { when: { parent: "optimizer", values: ["sgd"] } }),
    categorical("nesterov", [true, false], { when: { parent: "optimizer", values: ["sgd"] } }),
    int("beta_rank", 1, 64, { log: true, when: { parent: "optimizer", values: ["adam"] } }),
    fixed("batch", 128),
    float("wd", 1e-6, 1e-2, { log: true }),
  ]);
  const f = (c: Config) =>
    (c.optimizer === "sgd"
      ? 1 - Math.abs((c.momentum as number) - 0.93) * 5 - (c.nesterov ? 0 : 0.2)
      : 0.6 - Math.abs(Math.log2(c.beta_rank as number) - 3) * 0.05) -
    Math.abs(Math.log10(c.wd as number) + 4) * 0.2;
  for (const multivariate of [true, false]) {
    const runs = SEEDS.slice(0, 5).map((s) => search(tpeSampler({ multivariate }), space, f, 40, s));
    for (const r of runs) {
      // Every proposal passed validateConfig inside search(); the model searched both branches.
      const branches = new Set(r.configs.slice(10).map((c) => c.optimizer));
      assert.ok(branches.has("sgd"), `multivariate ${multivariate}: sgd proposed`);
      assert.ok(r.configs.every((c) => c.batch === 128));
    }
    const best = median(runs.map((r) => r.best));
    const random = median(SEEDS.slice(0, 5).map((s) => search(randomSampler(), space, f, 40, s).best));
    console.log(
      `conditional, median best of 40: random ${random.toFixed(3)}, multivariate ${multivariate} ${best.toFixed(3)}`,
    );
    assert.ok(best > random + 0.15, `multivariate ${multivariate}: TPE ${best} vs random ${random}`);
  }
});

test("cell parameters: each edge is a categorical; TPE finds cells with more convolutions than random", async () => {
  const space = defineSpace([cell("arch"), float("lr", 1e-3, 1e-1, { log: true })]);
  const f = (c: Config) =>
    parseCell(c.arch).filter((op) => op === "conv3x3").length - Math.abs(Math.log10(c.lr as number) + 2);
  const random = medianBest(randomSampler(), space, f);
  const tpe = medianBest(tpeSampler(), space, f);
  const independent = medianBest(tpeSampler({ multivariate: false }), space, f);
  console.log(
    `cell, median best of 40: random ${random.toFixed(3)}, TPE ${tpe.toFixed(3)}, independent ${independent.toFixed(3)}`,
  );
  assert.ok(tpe > random + 0.5, `TPE ${tpe} vs random ${random}`);
  assert.ok(independent > random + 0.5, `independent TPE ${independent} vs random ${random}`);
});

test("the constant liar: running trials are bad observations, so a second worker is sent elsewhere", async () => {
  const rng = createRng(3);
  const done = Array.from({ length: 20 }, (_, i) => {
    const c = sample(quadSpace, rng);
    return fakeTrial(i, c, { valAcc: quad(c) });
  });
  const best = [...done].sort((a, b) => (b.curves.valAcc[0] ?? 0) - (a.curves.valAcc[0] ?? 0))[0]!;
  const running = [0, 1, 2].map((k) => fakeTrial(20 + k, { ...best.config } as Config));
  const ask = (sampler: Sampler, trials: Trial[], seed: number) => sampler.sample(quadSpace, trials, createRng(seed));
  for (const multivariate of [true, false]) {
    const liar = tpeSampler({ multivariate });
    const honest = tpeSampler({ multivariate, constantLiar: false });
    const changed = SEEDS.filter(
      (s) => JSON.stringify(ask(liar, [...done, ...running], s)) !== JSON.stringify(ask(liar, done, s)),
    );
    assert.ok(changed.length >= 8, `multivariate ${multivariate}: ${changed.length} of 10 proposals changed`);
    for (const s of SEEDS) assert.deepEqual(ask(honest, [...done, ...running], s), ask(honest, done, s));
    // The liars sit at the best trial: proposals move away from it.
    const dist = (trials: Trial[]) =>
      median(SEEDS.map((s) => Math.abs((ask(liar, trials, s).x as number) - (best.config.x as number))));
    console.log(
      `constant liar (multivariate ${multivariate}): ${changed.length}/10 changed, median |x - best x| ${dist([...done, ...running]).toFixed(3)} vs ${dist(done).toFixed(3)}`,
    );
    assert.ok(dist([...done, ...running]) > dist(done), `${dist([...done, ...running])} vs ${dist(done)}`);
  }
});

test("a custom fitness ranks the trials; failed trials and trials without fitness are not observations", async () => {
  const rng = createRng(5);
  const trials = Array.from({ length: 15 }, (_, i) => {
    const c = sample(quadSpace, rng);
    return fakeTrial(i, c, { valAcc: quad(c) });
  });
  const ask = (sampler: Sampler, t: Trial[]) => sampler.sample(quadSpace, t, createRng(9));
  // Minimising x instead: proposals move to low x.
  const low = tpeSampler({ fitness: (t) => -(t.config.x as number) });
  const high = tpeSampler({ fitness: (t) => t.config.x as number });
  assert.ok((ask(low, trials).x as number) < (ask(high, trials).x as number));
  // Nine observations (the rest failed) are fewer than nStartup: a random sample.
  const failed = trials.map((t, i) => (i < 6 ? { ...t, state: "failed" as const } : t));
  assert.deepEqual(ask(tpeSampler(), failed), sample(quadSpace, createRng(9)));
});

test("one observation is enough without start-up; values outside the space are skipped, not fatal", async () => {
  const space = defineSpace([cell("arch", { ops: ["none", "conv3x3"] }), categorical("act", ["relu", "gelu"])]);
  const alien = fakeTrial(0, { arch: "|skip~0|+|skip~0|skip~1|+|skip~0|skip~1|skip~2|", act: "tanh" }, { valAcc: 0.9 });
  const one = fakeTrial(1, sample(space, 4), { valAcc: 0.5 });
  for (const multivariate of [true, false]) {
    const sampler = tpeSampler({ nStartup: 0, multivariate });
    for (const s of SEEDS) validateConfig(space, sampler.sample(space, [alien, one], createRng(s)));
  }
});

test("BOHB fits the highest budget with enough observations, pruned trials' early scores included", async () => {
  const space = defineSpace([float("x", 0, 1), float("y", 0, 1)]); // 2 dims: minPoints 4
  const rng = createRng(11);
  // Pruned at epoch 1: the early score favours x near 0.1 ...
  const pruned = Array.from({ length: 12 }, (_, i) =>
    fakeTrial(
      i,
      { x: i / 11, y: rng.next() },
      { state: "pruned", epochs: 1, budget: 9, scores: { "ES@1": -((i / 11 - 0.1) ** 2) } },
    ),
  );
  // ... the full budget favours x near 0.9.
  const complete = (n: number) =>
    Array.from({ length: n }, (_, k) => {
      const x = 0.9 - 0.1 * k;
      return fakeTrial(12 + k, { x, y: rng.next() }, { epochs: 9, budget: 9, valAcc: -((x - 0.9) ** 2) });
    });
  const meanX = (sampler: Sampler, trials: Trial[]) =>
    SEEDS.reduce((a, s) => a + (sampler.sample(space, trials, createRng(s)).x as number), 0) / SEEDS.length;
  const bohb = bohbSampler();
  const atOne = meanX(bohb, [...pruned, ...complete(3)]);
  const atNine = meanX(bohb, [...pruned, ...complete(4)]);
  const forced = meanX(bohbSampler({ minPoints: 5 }), [...pruned, ...complete(4)]);
  console.log(
    `BOHB mean x: budget 1 ${atOne.toFixed(3)}, budget 9 ${atNine.toFixed(3)}, minPoints 5 ${forced.toFixed(3)}`,
  );
  assert.ok(atOne < 0.3, `3 complete trials: the model is fitted at epoch 1 (mean x ${atOne})`);
  assert.ok(atNine > 0.7, `4 complete trials: the model is fitted at epoch 9 (mean x ${atNine})`);
  assert.ok(forced < 0.3, `minPoints 5: back to epoch 1 (mean x ${forced})`);
  // No budget with enough observations: a random sample.
  for (const s of SEEDS.slice(0, 3))
    assert.deepEqual(bohb.sample(space, pruned.slice(0, 3), createRng(s)), sample(space, createRng(s)));
  // Custom observations: everything at one budget, higher x better.
  const custom = bohbSampler({ observations: (t) => [{ budget: 1, value: t.config.x as number }] });
  assert.ok(meanX(custom, pruned) > 0.7);
});

test("bad options and arguments give the toolkit's errors", async () => {
  const space = quadSpace;
  await assertFails(() => tpeSampler({ nCandidates: 0 }), "invalid-argument", /options\.nCandidates/, /integer >= 1/);
  await assertFails(() => tpeSampler({ nCandidats: 5 } as never), "unknown-option", /did you mean "nCandidates"/);
  await assertFails(() => tpeSampler({ nStartup: -1 }), "invalid-argument", /options\.nStartup/);
  await assertFails(() => tpeSampler({ multivariate: "yes" as never }), "invalid-argument", /options\.multivariate/);
  await assertFails(() => tpeSampler({ priorWeight: 0 }), "invalid-argument", /options\.priorWeight/, /> 0/);
  await assertFails(() => tpeSampler({ fitness: 3 as never }), "invalid-argument", /options\.fitness/, /function/);
  await assertFails(() => bohbSampler({ minPoints: 0 }), "invalid-argument", /options\.minPoints/);
  await assertFails(() => bohbSampler({ fitness: () => 1 } as never), "unknown-option", /options\.fitness/);
  await assertFails(() => tpeSampler().sample({} as never, [], createRng(1)), "invalid-argument", /space/);
  await assertFails(() => tpeSampler().sample(space, [], {} as never), "invalid-argument", /rng/);
  await assertFails(() => tpeSampler().sample(space, [{}] as never, createRng(1)), "invalid-argument", /trials/);
  const t = fakeTrial(0, sample(space, 1), { valAcc: 0.5 });
  const wrong = bohbSampler({ observations: () => 3 as never });
  await assertFails(() => wrong.sample(space, [t], createRng(1)), "invalid-argument", /options\.observations/, /array/);
  const noBudget = bohbSampler({ observations: () => [{ value: 1 } as never] });
  await assertFails(() => noBudget.sample(space, [t], createRng(1)), "invalid-argument", /budget/);
});
