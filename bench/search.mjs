// Benchmark: the search toolkit's model-based decisions against Optuna 5 on the same trials, in one
// run (issue 18, "Speed"):
//   1. one TPE suggestion over 1,000 finished trials of a 20-parameter space (8 floats, 3 of them
//      log, 6 ints, 2 of them log, 6 categoricals): fh.search.tpeSampler multivariate (the
//      default) and independent, against optuna.samplers.TPESampler(multivariate=True / False).
//      Median and range over BENCH_REPS suggestions after BENCH_WARMUP warm-up ones. Target: < 20 ms.
//   2. hyper-parameter importances over the same 1,000 trials: fh.search.paramImportances
//      (PED-ANOVA) against optuna.importance.PedAnovaImportanceEvaluator. Target: < 2 s. The
//      objective depends mostly on lr, then on optimizer: both should rank lr first.
//   3. the largest event-loop block while our sampler suggests (a 5 ms setInterval's lateness,
//      suggestions run back to back with a timer turn between them). Target: <= 50 ms.
// The trials are generated here once (seeded) and handed to bench/search_optuna.py as JSON, where
// they become an Optuna study (create_study + add_trials of create_trial with matching
// distributions). Prints a table with ratios ours / Optuna (absolute times are noise on this
// machine); BENCH_OUT=path also writes the figures as JSON.
// Needs a Python with Optuna 5: BENCH_PYTHON, else .venv-bench/bin/python
// (python3 -m venv .venv-bench && .venv-bench/bin/pip install optuna==5.0.0 numpy). Without it
// our own figures are still printed.
import { spawnSync } from "node:child_process";
import { setInterval, clearInterval } from "node:timers";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "../scripts/jupyter-env.mjs";

const N_TRIALS = Number(process.env.BENCH_TRIALS ?? 1000);
const REPS = Number(process.env.BENCH_REPS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const IMPORTANCE_REPS = Number(process.env.BENCH_IMPORTANCE_REPS ?? 5);
const SEED = 2026;
const TARGETS = { tpeMs: 20, importanceS: 2, blockMs: 50 };

const { float, int, categorical } = fh.space;
const space = fh.space.defineSpace([
  float("lr", 1e-5, 1e-1, { log: true }),
  float("weight_decay", 1e-6, 1e-2, { log: true }),
  float("eps", 1e-9, 1e-6, { log: true }),
  float("momentum", 0, 0.99),
  float("dropout", 0, 0.7),
  float("label_smoothing", 0, 0.3),
  float("warmup", 0, 0.2),
  float("beta1", 0.8, 0.999),
  int("batch", 16, 512, { log: true }),
  int("width", 8, 256, { log: true }),
  int("depth", 1, 12),
  int("epochs", 5, 50),
  int("kernel", 1, 7),
  int("patience", 0, 20),
  categorical("optimizer", ["sgd", "adam", "adamw", "rmsprop"]),
  categorical("activation", ["relu", "gelu", "tanh", "silu"]),
  categorical("norm", ["batch", "layer", "none"]),
  categorical("pool", ["max", "avg"]),
  categorical("stem", [16, 32, 64]),
  categorical("init", ["he", "xavier", "orthogonal"]),
]);

// The objective (maximised): mostly lr (a bump at 1e-3), then the optimizer, a little dropout and depth, noise.
const rng = fh.core.createRng(SEED);
function objective(c) {
  const lr = -0.5 * (Math.log10(c.lr) + 3) ** 2;
  const opt = c.optimizer === "adam" || c.optimizer === "adamw" ? 0.3 : 0;
  return 1 + lr + opt + 0.05 * c.dropout + 0.005 * c.depth + 0.02 * rng.normal();
}
function trialOf(number, config, value) {
  return {
    id: `t${number}`,
    number,
    config,
    state: "complete",
    budget: 1,
    epochs: 1,
    curves: {
      trainLoss: [1],
      trainAcc: [value],
      valLoss: [1],
      valAcc: [value],
      seconds: [1],
      captureSeconds: [0],
      lr: [0.1],
    },
    seed: number,
    seconds: 1,
    scores: {},
    attempts: 1,
  };
}
const trials = Array.from({ length: N_TRIALS }, (_, i) => {
  const config = fh.space.sample(space, rng);
  return trialOf(i, config, objective(config));
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

// 1. One suggestion, timed.
function timeSampler(sampler) {
  const r = fh.core.createRng(7);
  for (let i = 0; i < WARMUP; i++) sampler.sample(space, trials, r);
  const ms = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    sampler.sample(space, trials, r);
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}
const samplers = {
  multivariate: fh.search.tpeSampler(),
  independent: fh.search.tpeSampler({ multivariate: false }),
};
const ours = { tpe: {}, block: {} };
for (const [k, s] of Object.entries(samplers)) ours.tpe[k] = timeSampler(s);

// 2. Importances, timed.
const times = [];
let importances;
fh.search.paramImportances(space, trials); // warm-up (JIT)
for (let i = 0; i < IMPORTANCE_REPS; i++) {
  const t0 = performance.now();
  importances = fh.search.paramImportances(space, trials);
  times.push((performance.now() - t0) / 1000);
}
ours.importance = { ...stats(times), ranking: importances };

// 3. The event loop while suggesting: a 5 ms interval's largest lateness.
async function largestBlock(sampler) {
  const r = fh.core.createRng(8);
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  await new Promise((res) => setTimeout(res, 20));
  for (let i = 0; i < REPS; i++) {
    sampler.sample(space, trials, r);
    await new Promise((res) => setTimeout(res, 0)); // a timer turn between suggestions
  }
  await new Promise((res) => setTimeout(res, 10));
  clearInterval(timer);
  return Math.max(0, worst);
}
for (const [k, s] of Object.entries(samplers)) ours.block[k] = await largestBlock(s);

// The peer: Optuna on the same trials.
const py = process.env.BENCH_PYTHON ?? join(root, ".venv-bench", "bin", "python");
let optuna;
let peerNote;
if (!existsSync(py)) peerNote = `No peer: ${py} is missing (see the header of bench/search.mjs).`;
else {
  const dir = mkdtempSync(join(tmpdir(), "fh-bench-search-"));
  const file = join(dir, "trials.json");
  const params = space.params.map((p) =>
    p.kind === "categorical"
      ? { name: p.name, kind: p.kind, choices: p.choices }
      : { name: p.name, kind: p.kind, low: p.low, high: p.high, log: p.log },
  );
  const exported = trials.map((t) => ({ params: t.config, value: t.curves.valAcc[0] }));
  writeFileSync(
    file,
    JSON.stringify({ params, trials: exported, reps: REPS, warmup: WARMUP, importanceReps: IMPORTANCE_REPS }),
  );
  const res = spawnSync(py, [join(root, "bench", "search_optuna.py"), file], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: "2" },
    maxBuffer: 64 << 20,
  });
  rmSync(dir, { recursive: true, force: true });
  const line = res.stdout?.trim().split("\n").at(-1);
  if (res.status === 0 && line?.startsWith("{")) optuna = JSON.parse(line);
  else if (res.status === 3)
    peerNote = `No peer: Optuna is not importable by ${py} (${res.stderr.trim().split("\n").at(-1)}); see the header of bench/search.mjs.`;
  else
    peerNote = `No peer: ${py} bench/search_optuna.py exited ${res.status ?? res.error?.message}: ${(res.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`;
}

const fmt = (v, digits = 2) => (v === undefined ? "n/a" : v.toFixed(digits));
const range = (s, scale = 1, d = 2) =>
  `${fmt(s.median * scale, d)} (${fmt(s.min * scale, d)}-${fmt(s.max * scale, d)})`;
const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
const met = (ok) => (ok ? "met" : "NOT met");

const rows = [];
const ratios = {};
for (const k of Object.keys(samplers)) {
  const o = optuna?.tpe[k];
  ratios[`tpe_${k}`] = ratio(ours.tpe[k].median, o?.median);
  rows.push([
    `TPE suggestion, ${k}, ${N_TRIALS} trials x 20 params (ms)`,
    range(ours.tpe[k]),
    o ? range(o) : "n/a",
    fmt(ratios[`tpe_${k}`]),
    `< ${TARGETS.tpeMs} ms: ${met(ours.tpe[k].median < TARGETS.tpeMs)}`,
  ]);
}
const oi = optuna?.importance;
ratios.importance = ratio(ours.importance.median, oi?.median);
rows.push([
  `importances (PED-ANOVA), ${N_TRIALS} trials (s)`,
  range(ours.importance, 1, 3),
  oi ? range(oi, 1, 3) : "n/a",
  fmt(ratios.importance),
  `< ${TARGETS.importanceS} s: ${met(ours.importance.median < TARGETS.importanceS)}`,
]);
for (const k of Object.keys(samplers))
  rows.push([
    `largest event-loop block while suggesting, ${k} (ms)`,
    fmt(ours.block[k], 1),
    "-",
    "-",
    `<= ${TARGETS.blockMs} ms: ${met(ours.block[k] <= TARGETS.blockMs)}`,
  ]);

console.log(
  `${N_TRIALS} complete trials, 20 parameters; ${REPS} timed suggestions after ${WARMUP} warm-up; importances ${IMPORTANCE_REPS} runs after 1 warm-up.` +
    (optuna ? ` Optuna ${optuna.version}, Python ${optuna.python}.` : ""),
);
if (peerNote) console.log(peerNote);
console.log("\n| measurement | ours: median (range) | Optuna 5: median (range) | ratio ours / Optuna | target |");
console.log("| --- | --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);

const topOurs = importances[0].param;
const topOptuna = oi ? oi.ranking[0].param : undefined;
const sharesOurs = Object.fromEntries(importances.map((x) => [x.param, x.importance]));
const maxShareDiff = oi ? Math.max(...oi.ranking.map((x) => Math.abs(x.importance - sharesOurs[x.param]))) : undefined;
const show = (r) =>
  r
    .slice(0, 3)
    .map((x) => `${x.param} ${x.importance.toFixed(3)}`)
    .join(", ");
console.log(`\nImportances, top 3: ours ${show(importances)}${oi ? `; Optuna ${show(oi.ranking)}` : ""}.`);
if (oi)
  console.log(
    `Same parameter first: ${topOurs === topOptuna ? "yes" : "NO"} (${topOurs} / ${topOptuna}); largest share difference ${maxShareDiff.toExponential(2)}.`,
  );

if (process.env.BENCH_OUT) {
  const out = {
    date: new Date().toISOString(),
    trials: N_TRIALS,
    params: space.params.length,
    reps: REPS,
    warmup: WARMUP,
    importanceReps: IMPORTANCE_REPS,
    targets: TARGETS,
    ours,
    optuna: optuna ?? null,
    peerNote: peerNote ?? null,
    ratios,
    sameTop: oi ? topOurs === topOptuna : null,
    maxShareDiff: maxShareDiff ?? null,
  };
  writeFileSync(process.env.BENCH_OUT, JSON.stringify(out, null, 2) + "\n");
  console.log(`\nFigures written to ${process.env.BENCH_OUT}.`);
}
