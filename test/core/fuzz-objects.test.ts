// A seeded fuzz of the objects the toolkit hands out and of the layers that take them: a real
// study (on a temporary directory) and every method of it, each scheduler, pruner, sampler and
// estimator the toolkit exports and its methods, tables (the Arrow reader on truncated and
// garbled bytes), the plot info functions on a real feature history, and the notebook's watcher.
// Every argument is junk, a valid value, or a valid value with one part corrupted (a key
// replaced, added or removed, bytes cut or flipped), so calls get past the first check. A call
// may succeed; what fails the test is a bare JavaScript error (not the toolkit's, with parameter,
// rule, value and fix) or a call that does not settle within two seconds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import * as fh from "../../src/index.js";
import { createRng, type Rng } from "../../src/core/random.js";
import { setDisplaySink } from "../../src/notebook/display.js";
import { setWarningSink } from "../../src/core/warn.js";
import type { Trial } from "../../src/history/trial.js";
import type { StudyMeta, StudyStorage } from "../../src/storage/contract.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";

// Knobs for chasing a failure: FUZZ_SEED (one seed), FUZZ_CALLS (rounds of calls per target,
// default 40), FUZZ_TRACE=file (each call named before it is made, so a call that crashes or
// blocks the process is the last line; with FUZZ_ARGS its arguments too), FUZZ_STACK (the first
// bare error's stack and arguments), FUZZ_REPORT (counts and seconds).
const HANG_MS = 2000;
const traceFd = process.env.FUZZ_TRACE ? openSync(process.env.FUZZ_TRACE, "w") : -1;

/** Arguments for a trace line: trials reduced to the fields schedulers read. */
function brief(args: readonly unknown[]): string {
  const trial = (t: unknown) => {
    if (!isPlain(t) || !("curves" in t)) return t;
    const { id, number, budget, epochs, state, scores } = t;
    return { id, number, budget, epochs, state, scores };
  };
  return inspect(
    args.map((a) => (Array.isArray(a) ? a.map(trial) : trial(a))),
    { depth: 4, breakLength: Infinity, maxArrayLength: 8 },
  );
}

// Fresh values every call, so a callee that mutates its input cannot change the next call's.
const junk = (): unknown[] => [
  undefined,
  null,
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  -0,
  2.5,
  3,
  1e308,
  "",
  "x",
  "not bytes",
  "t0000",
  [],
  [NaN],
  [null],
  [1, 2],
  ["a"],
  [[1, 2]],
  {},
  { junk: 1 },
  { length: 3 },
  { curves: null },
  { curves: { valAcc: 5 } },
  { id: "t0000" },
  { has: 1, size: "x" },
  Object.create(null),
  new Map(),
  new Set(["t0000"]),
  true,
  () => 1,
  new Date(0),
  new Uint8Array(3),
  new Float32Array(2),
  Symbol("s"),
  10n,
];
const JUNK_COUNT = junk().length;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** A valid value with one part broken: a key replaced (or nested deeper), added or removed; bytes cut or flipped. */
function corrupt(value: unknown, rng: Rng, depth = 0): unknown {
  const anyJunk = () => junk()[rng.int(JUNK_COUNT)];
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const bytes = value as unknown as Uint8Array;
    const k = rng.int(3);
    if (k === 0) return bytes.slice(0, rng.int(bytes.length + 1));
    if (k === 1) {
      const c = bytes.slice();
      for (let i = 0; i < 4 && c.length; i++) c[rng.int(c.length)] = rng.int(256);
      return c;
    }
    return bytes.slice(rng.int(bytes.length + 1));
  }
  if (typeof value === "string") return rng.int(2) ? value.slice(0, rng.int(value.length + 1)) : `${value}\u0000?`;
  if (typeof value === "number") return [value + 0.5, -value, value * 1e6, NaN][rng.int(4)];
  if (Array.isArray(value)) {
    if (value.length === 0 || rng.int(5) === 0) return [...value, anyJunk()];
    const c = [...value];
    const i = rng.int(c.length);
    if (rng.int(6) === 0) c.splice(i, 1);
    else c[i] = depth < 3 && rng.int(2) ? corrupt(c[i], rng, depth + 1) : anyJunk();
    return c;
  }
  if (isPlain(value)) {
    const keys = Object.keys(value);
    const c: Record<string, unknown> = { ...value };
    const k = rng.int(6);
    if (k === 0 || keys.length === 0) c[["junk", "budget", "t", "epochs", "options"][rng.int(5)]!] = anyJunk();
    else if (k === 1) delete c[keys[rng.int(keys.length)]!];
    else {
      const key = keys[rng.int(keys.length)]!;
      c[key] = depth < 3 && rng.int(2) ? corrupt(value[key], rng, depth + 1) : anyJunk();
    }
    return c;
  }
  return anyJunk();
}

/** A fuzz target: a name, the call, and for each argument the valid values it may take. */
interface Target {
  readonly name: string;
  readonly args: readonly (readonly (() => unknown)[])[];
  readonly call: (args: unknown[]) => unknown;
  /** Only junk, no corruption of valid values (calls whose valid form is expensive). */
  readonly junkOnly?: boolean;
}

/** An in-memory StudyStorage: a custom storage as a user might write one. */
function memoryStorage(): StudyStorage {
  let meta: StudyMeta | undefined;
  const trials = new Map<string, Trial>();
  const ckpt = new Map<string, Uint8Array>();
  return {
    description: "memory",
    readOnly: false,
    readMeta: async () => meta,
    writeMeta: async (m) => void (meta = m),
    async commit(t, bytes) {
      if (bytes) ckpt.set(`${t.id}.${t.checkpointEpoch}`, bytes);
      trials.set(t.id, t);
      if (bytes || t.checkpointEpoch === undefined)
        for (const k of [...ckpt.keys()])
          if (k.startsWith(`${t.id}.`) && k !== `${t.id}.${t.checkpointEpoch}`) ckpt.delete(k);
    },
    loadTrials: async () => ({ trials: [...trials.values()], problems: [] }),
    loadTrial: async (id) => trials.get(id),
    loadCheckpoint: async (id, e) => ckpt.get(`${id}.${e}`),
    close: async () => {},
  };
}

async function world(dir: string, seed: number) {
  const space = fh.space.defineSpace([
    fh.space.int("width", 2, 64),
    fh.space.float("lr", 0.001, 0.1, { log: true }),
    fh.space.categorical("act", ["relu", "tanh", "gelu"]),
  ]);
  const budget = 3;
  const es = fh.proxy.earlyStopping();
  const fhProxy = fh.proxy.featureHistoryProxy({ window: 2 });
  const pruner = fh.search.estimatorPruner({ estimator: es, t: 1, keep: 0.5, warmup: 1 });
  let copies = 0;
  const study = await fh.study.create({
    name: "fuzz",
    storage: join(dir, `study-${seed}`),
    space,
    budget,
    seed,
    pruner,
  });
  const candidate = (q: number, epochs: number, s: number) => syntheticCandidate(q, epochs, s, 20, 4, 3);
  const report = (epochs: number, s = 0) => ({ ...candidate(0.3 + 0.1 * (s % 5), epochs, s), seconds: epochs });
  for (let i = 0; i < 6; i++) {
    const t = await study.ask();
    await study.report(t, report(1, i));
    if (i < 3) {
      await study.report(t, report(budget, i), { checkpoint: new Uint8Array([1, 2, 3, i]) });
      await study.tell(t, "complete");
    } else if (i === 3) {
      await study.report(t, report(1, i), { checkpoint: new Uint8Array([4, 5]) });
      await study.tell(t, "pruned");
    } else if (i === 4) await study.tell(t, "failed", { error: { name: "Error", message: "diverged", epoch: 1 } });
  }
  // A copy as it stands now for fh.study.load (the fuzzed study grows as calls ask for trials).
  const stored = join(dir, `stored-${seed}`);
  await (await fh.study.copy(study, { storage: stored })).close();
  const trials = () => study.trials();
  const someTrial = () => {
    const all = trials();
    return all[(copies * 7) % all.length]!;
  };
  const running = () => trials().find((t) => t.state === "running") ?? someTrial();
  const complete = trials().filter((t) => t.state === "complete");
  const recorded: Trial[] = [];
  for (const t of complete) recorded.push((await study.storage.loadTrial(t.id)) ?? t);
  const config = () => fh.space.sample(space, copies++);
  const estimators = [...fh.proxy.standardEstimators(), fhProxy];
  const stackedInputs = Array.from({ length: 10 }, (_, i) => {
    const c = candidate(0.1 * i, budget, i);
    return { fh: [0.3 + 0.05 * i, 0.35 + 0.05 * i, 0.4 + 0.04 * i], curves: c.curves, parameters: 1000 + 100 * i };
  });
  const truths = stackedInputs.map((_, i) => 0.5 + 0.03 * i + 0.01 * Math.sin(i));
  const stackedModels = [1, 2].map((t) => fh.proxy.fitStacked(stackedInputs, truths, t));
  estimators.push(fh.proxy.stackedEstimator(stackedModels, es));
  const schedulers = [
    fh.search.prunerScheduler(),
    fh.search.prunerScheduler(pruner),
    fh.search.ashaScheduler({ estimator: es, minEpochs: 1, eta: 2 }),
    fh.search.hyperbandScheduler({ estimator: es, minEpochs: 1, eta: 2, brackets: 2 }),
  ];
  const samplers = [
    fh.search.randomSampler(),
    fh.search.mutationSampler({ population: 2, tournament: 1, explore: 0 }),
    fh.search.listSampler(fh.space.sampleMany(space, 40, seed)),
  ];
  const pruners = [pruner, fh.search.estimatorPruner({ estimator: fhProxy, t: 2, warmup: 0 })];
  const rows = fh.proxy.estimateAll(recorded, { estimators: [es, fh.proxy.sotl()], budgets: [1, 2] });
  const rowTruths = recorded.map((t) => fh.history.peakValAcc(t.curves));
  const estimates = fh.table.estimatesTable(rows, rowTruths);
  const table = fh.table.fromRows([
    { a: 1, b: "x", c: 0.25 },
    { a: 2, b: null, c: 1e-5 },
  ]);
  const arrow = fh.table.tableToArrow(table);
  const history = recorded[0]!.probeTrain!;
  const calibration = fh.proxy.fitCalibration([0.1, 0.2, 0.4], [0.5, 0.6, 0.65])!;
  const set = fh.data.syntheticDataset({ train: 20, test: 4, size: 4, seed: 1 }).train;
  const curves = recorded.map((t) => [...t.curves.valAcc]);
  const events = [
    { seconds: 1, truth: 0.5 },
    { seconds: 2, truth: 0.7 },
  ];
  const state = () => ({ busy: new Set<string>(), canAsk: true });
  const storageLike = () => memoryStorage();
  const partialStorage = () => {
    const { close: _c, ...rest } = memoryStorage();
    return rest;
  };
  return {
    space,
    budget,
    study,
    pruner,
    trials,
    someTrial,
    running,
    recorded,
    config,
    estimators,
    schedulers,
    samplers,
    pruners,
    rows,
    rowTruths,
    estimates,
    table,
    arrow,
    history,
    calibration,
    set,
    curves,
    events,
    state,
    storageLike,
    partialStorage,
    stackedInputs,
    truths,
    stackedModels,
    report,
    es,
    stored,
    nextDir: () => join(dir, `copy-${seed}-${copies++}`),
  };
}

type World = Awaited<ReturnType<typeof world>>;

function targets(w: World): Target[] {
  const out: Target[] = [];
  const { study } = w;
  const trialRef = [() => w.someTrial(), () => w.running(), () => w.running().id, () => w.someTrial().id];
  const anyBudget = [() => w.budget, () => 1];
  const add = (name: string, args: Target["args"], call: Target["call"], junkOnly = false) =>
    out.push({ name, args, call, junkOnly });

  // The study and every method of it.
  add("study.trials", [[() => ["complete"], () => ["running", "pruned"], () => undefined]], ([s]) =>
    study.trials(s as never),
  );
  add("study.trial", [[() => w.someTrial().id]], ([id]) => study.trial(id as never));
  add(
    "study.refresh",
    [
      [() => undefined, () => [w.someTrial().id], () => []],
      [() => ({ histories: false }), () => ({})],
    ],
    ([ids, o]) => study.refresh(ids as never, o as never),
  );
  add("study.best", [], () => study.best());
  add("study.ask", [[() => ({}), () => ({ config: w.config() }), () => undefined]], ([o]) => study.ask(o as never));
  add(
    "study.report",
    [
      trialRef,
      [() => w.report(1), () => w.report(2), () => w.report(w.budget)],
      [() => ({ checkpoint: new Uint8Array([9, 9]) }), () => ({}), () => ({ checkpoint: [1, 2] })],
    ],
    ([t, r, o]) => study.report(t as never, r as never, o as never),
  );
  add("study.loadCheckpoint", [trialRef], ([t]) => study.loadCheckpoint(t as never));
  add("study.shouldPrune", [trialRef], ([t]) => study.shouldPrune(t as never));
  add(
    "study.tell",
    [
      trialRef,
      [() => "complete", () => "pruned", () => "failed"],
      [() => ({}), () => ({ error: { name: "E", message: "m", epoch: 1 } })],
    ],
    ([t, s, o]) => study.tell(t as never, s as never, o as never),
  );
  add("study.resume", [trialRef], ([t]) => study.resume(t as never));
  add("study.recordScores", [trialRef, [() => ({ "ES@1": 0.5 }), () => ({})]], ([t, s]) =>
    study.recordScores(t as never, s as never),
  );
  add("study.promote", [trialRef], ([t]) => study.promote(t as never));
  add("study.restart", [trialRef], ([t]) => study.restart(t as never));
  add("study.optimize", [[]], ([o]) => study.optimize(o as never), true);
  add(
    "fh.study.create",
    [
      [
        () => ({ name: "m", storage: w.storageLike(), space: w.space, budget: 2 }),
        () => ({ name: "m", storage: w.partialStorage(), space: w.space, budget: 2 }),
        () => ({ name: "d", storage: w.nextDir(), space: w.space, budget: 2, sampler: w.samplers[0] }),
      ],
    ],
    async ([o]) => (await fh.study.create(o as never)).close(),
  );
  add(
    "fh.study.load",
    [
      [
        () => ({ storage: w.storageLike() }),
        () => ({ storage: w.partialStorage() }),
        () => ({ storage: w.stored, readOnly: true }),
      ],
    ],
    async ([o]) => (await fh.study.load(o as never)).close(),
  );
  add(
    "fh.study.copy",
    [[() => study], [() => ({ storage: w.nextDir() }), () => ({ storage: w.storageLike() })]],
    async ([s, o]) => (await fh.study.copy(s as never, o as never)).close(),
  );

  // Pruners, schedulers, samplers and estimators: every method.
  w.pruners.forEach((p, i) =>
    add(`pruner[${i}].decide`, [trialRef.slice(0, 2), [() => w.trials(), () => w.recorded]], ([t, o]) =>
      p.decide(t as never, o as never),
    ),
  );
  w.schedulers.forEach((s, i) => {
    add(
      `scheduler[${i}].next`,
      [
        [() => w.trials(), () => w.recorded, () => []],
        anyBudget,
        [w.state, () => ({ busy: new Set(["t0000"]), canAsk: false })],
      ],
      ([t, b, st]) => s.next(t as never, b as never, st as never),
    );
    add(`scheduler[${i}].verdict`, [[() => w.someTrial(), () => w.recorded[0]!], [() => w.trials()]], ([t, all]) =>
      s.verdict(t as never, all as never),
    );
  });
  w.samplers.forEach((s, i) =>
    add(`sampler[${i}].sample`, [[() => w.space], [() => w.trials(), () => []], [() => createRng(3)]], ([sp, t, r]) =>
      s.sample(sp as never, t as never, r as never),
    ),
  );
  w.estimators.forEach((e, i) =>
    add(
      `estimator[${i}] ${e.name}.estimate`,
      [[() => w.recorded[0], () => w.recorded[1]], [() => 1, () => 2, () => 3], anyBudget],
      ([c, t, T]) => e.estimate(c as never, t as never, T as never),
    ),
  );
  add("calibration.apply", [[() => 0.3]], ([v]) => w.calibration.apply(v as never));

  // The search layer's functions with objects as arguments.
  add("fh.search.nextSearchStep", [trialRef.slice(0, 2), [() => w.pruner], [() => false]], ([t, p, j]) =>
    fh.search.nextSearchStep(t as never, p as never, j as never),
  );
  add("fh.search.trialAt", [[() => w.recorded[0]], [() => 1, () => 2]], ([t, e]) =>
    fh.search.trialAt(t as never, e as never),
  );
  add(
    "fh.search.replayOptimize",
    [[() => w.recorded], [() => ({ workers: 2, pruner: w.pruner }), () => ({ workers: 1 })]],
    ([t, o]) => fh.search.replayOptimize(t as never, o as never),
  );
  add(
    "fh.search.replaySchedule",
    [
      [() => w.recorded],
      [() => w.schedulers[2], () => w.schedulers[3]],
      [() => ({ workers: 2 }), () => ({ workers: 1, capture: false })],
    ],
    ([t, s, o]) => fh.search.replaySchedule(t as never, s as never, o as never),
  );
  add("fh.search.liveSearchEvents", [[() => w.trials()]], ([t]) => fh.search.liveSearchEvents(t as never));
  add("fh.search.timeToReach", [[() => w.events], [() => 0.6]], ([e, t]) =>
    fh.search.timeToReach(e as never, t as never),
  );
  add(
    "fh.search.compareLiveToReplay",
    [
      [() => [{ name: "a", trials: w.trials(), pruner: w.pruner }]],
      [() => w.recorded],
      [() => ({ workers: 2, target: 0.5 })],
    ],
    ([s, f, o]) => fh.search.compareLiveToReplay(s as never, f as never, o as never),
  );
  add("fh.search.ashaRungs", [[() => 1], [() => 2], [() => 9]], ([a, b, c]) =>
    fh.search.ashaRungs(a as never, b as never, c as never),
  );
  add("fh.search.listSampler", [[() => [w.config(), w.config()]]], ([c]) => fh.search.listSampler(c as never));
  add("fh.search.mutationSampler", [[() => ({ population: 3, fitness: () => 1 })]], ([o]) =>
    fh.search.mutationSampler(o as never),
  );
  add("fh.search.hyperbandScheduler", [[() => ({ estimator: w.es, brackets: 2 })]], ([o]) =>
    fh.search.hyperbandScheduler(o as never),
  );

  // The proxy layer's functions.
  add(
    "fh.proxy.fitFeatureHistoryProxy",
    [
      [() => w.history],
      [() => w.recorded[0]!.probeValidation],
      [() => 1, () => 2],
      [() => ({}), () => ({ combine: "vote" })],
    ],
    ([a, b, t, o]) => fh.proxy.fitFeatureHistoryProxy(a as never, b as never, t as never, o as never),
  );
  add("fh.proxy.lceFits", [[() => [0.2, 0.4, 0.5]], [() => 6]], ([y, T]) => fh.proxy.lceFits(y as never, T as never));
  add("fh.proxy.estimateAll", [[() => w.recorded], [() => ({ estimators: [w.es], budgets: [1] })]], ([c, o]) =>
    fh.proxy.estimateAll(c as never, o as never),
  );
  add("fh.proxy.stackedFeatures", [[() => w.stackedInputs[0]], [() => 2]], ([i, t]) =>
    fh.proxy.stackedFeatures(i as never, t as never),
  );
  add(
    "fh.proxy.fitStacked",
    [[() => w.stackedInputs], [() => w.truths], [() => 2], [() => ({ lambdas: [1] })]],
    ([i, y, t, o]) => fh.proxy.fitStacked(i as never, y as never, t as never, o as never),
  );
  add("fh.proxy.predictStacked", [[() => w.stackedModels[0]], [() => w.stackedInputs[1]]], ([m, i]) =>
    fh.proxy.predictStacked(m as never, i as never),
  );
  add(
    "fh.proxy.crossValidatedStacked",
    [[() => w.stackedInputs], [() => w.truths], [() => 2], [() => ({ folds: 2 })]],
    ([i, y, t, o]) => fh.proxy.crossValidatedStacked(i as never, y as never, t as never, o as never),
  );
  add("fh.proxy.stackedEstimator", [[() => w.stackedModels], [() => w.es], [() => ({ name: "s" })]], ([m, e, o]) =>
    fh.proxy.stackedEstimator(m as never, e as never, o as never),
  );
  add("fh.proxy.fitCalibration", [[() => [0.1, 0.2, 0.3]], [() => [0.4, 0.5, 0.7]]], ([a, b]) =>
    fh.proxy.fitCalibration(a as never, b as never),
  );

  // Tables: readers and writers on corrupted tables, bytes and rows.
  add("fh.table.tableFromArrow", [[() => w.arrow]], ([b]) => fh.table.tableFromArrow(b as never));
  add("fh.table.tableToArrow", [[() => w.table]], ([t]) => fh.table.tableToArrow(t as never));
  add("fh.table.tableToCSV", [[() => w.table, () => w.estimates]], ([t]) => fh.table.tableToCSV(t as never));
  add("fh.table.fromRows", [[() => [{ a: 1 }, { a: 2, b: "y" }]]], ([r]) => fh.table.fromRows(r as never));
  add("fh.table.trialsTable", [[() => w.trials(), () => w.recorded]], ([t]) => fh.table.trialsTable(t as never));
  add("fh.table.estimatesTable", [[() => w.rows], [() => w.rowTruths]], ([r, t]) =>
    fh.table.estimatesTable(r as never, t as never),
  );
  add("fh.table.summaryRows", [[() => w.estimates]], ([t]) => fh.table.summaryRows(t as never));
  add("fh.table.summaryTable", [[() => w.estimates]], ([t]) => fh.table.summaryTable(t as never));
  add("fh.table.bootstrapSummaries", [[() => w.rows], [() => w.rowTruths], [() => 3], [() => 1]], ([r, t, b, s]) =>
    fh.table.bootstrapSummaries(r as never, t as never, b as never, s as never),
  );
  add(
    "fh.table.formatCell",
    [
      [() => 1.5, () => 1e-9, () => "a", () => null],
      [() => 3, () => 1],
    ],
    ([v, d]) => fh.table.formatCell(v, d as never),
  );
  add("fh.table.tableHtml", [[() => w.table], [() => ({ maxRows: 1, caption: "c" }), () => ({})]], ([t, o]) =>
    fh.table.tableHtml(t as never, o as never),
  );
  add("fh.table.tableText", [[() => w.table], [() => ({ maxRows: 1, digits: 2 }), () => ({})]], ([t, o]) =>
    fh.table.tableText(t as never, o as never),
  );
  add("fh.table.fromDanfo", [[() => ({ columns: ["a"], column: () => ({ values: [1, 2] }) })]], ([f]) =>
    fh.table.fromDanfo(f as never),
  );
  add(
    "fh.table.bootstrapMetric",
    [
      [() => "spearman", () => "precisionAtK"],
      [() => [1, 2, 3, 4]],
      [() => [2, 1, 3, 4]],
      [() => undefined, () => [1, 3, 2, 4]],
      [() => ({ B: 20 })],
    ],
    ([m, t, a, b, o]) => fh.table.bootstrapMetric(m as never, t as never, a as never, b as never, o as never),
  );
  add(
    "fh.table.noiseCeiling",
    [
      [
        () => [
          [1, 2],
          [2, 3],
          [3, 1],
        ],
      ],
      [() => ({ B: 20 })],
    ],
    ([p, o]) => fh.table.noiseCeiling(p as never, o as never),
  );
  add(
    "fh.table.comparisonTable",
    [[() => w.rows], [() => w.rowTruths], [() => ({ estimators: [w.es.name], budgets: [1, 2], B: 20 })]],
    ([r, t, o]) => fh.table.comparisonTable(r as never, t as never, o as never),
  );
  add(
    "fh.table.differenceTable",
    [[() => w.rows], [() => w.rowTruths], [() => ({ estimators: [w.es.name], versus: ["SoTL"], budgets: [2], B: 20 })]],
    ([r, t, o]) => fh.table.differenceTable(r as never, t as never, o as never),
  );

  // Plot info functions and figures on real data.
  const projection = () => fh.plot.projectionInfo(w.history, { epochs: [1, 2] });
  const curvesInfo = () => fh.plot.curvesInfo(w.curves);
  const scatter = () => fh.plot.scatterInfo(w.estimates, { t: 2 });
  const rankRows = () => fh.table.summaryRows(w.estimates);
  add(
    "fh.plot.projectionInfo",
    [[() => w.history], [() => ({ epochs: [1] }), () => ({ seed: 2, classNames: ["a", "b", "c"] })]],
    ([h, o]) => fh.plot.projectionInfo(h as never, o as never),
  );
  add("fh.plot.projectionFigure", [[projection], [() => "title"]], ([i, t]) =>
    fh.plot.projectionFigure(i as never, t as never),
  );
  add("fh.plot.curvesInfo", [[() => w.curves], [() => ({ highlight: 1, labels: ["a"] }), () => ({})]], ([c, o]) =>
    fh.plot.curvesInfo(c as never, o as never),
  );
  add("fh.plot.curvesFigure", [[curvesInfo]], ([i]) => fh.plot.curvesFigure(i as never));
  add(
    "fh.plot.scatterInfo",
    [[() => w.estimates], [() => ({ t: 2 }), () => ({ t: 1, labels: ["a"], estimators: [w.es.name] })]],
    ([e, o]) => fh.plot.scatterInfo(e as never, o as never),
  );
  add("fh.plot.scatterFigure", [[scatter]], ([i]) => fh.plot.scatterFigure(i as never));
  add(
    "fh.plot.rankBudgetInfo",
    [[rankRows], [() => ({ T: 3 }), () => ({ T: 3, ceiling: { value: 0.8, lo: 0.7, hi: 0.9 } })]],
    ([r, o]) => fh.plot.rankBudgetInfo(r as never, o as never),
  );
  add("fh.plot.rankBudgetFigure", [[() => fh.plot.rankBudgetInfo(rankRows(), { T: 3 })]], ([i]) =>
    fh.plot.rankBudgetFigure(i as never),
  );
  add("fh.plot.trajectoryInfo", [[() => [{ method: "m", events: w.events }]]], ([i]) =>
    fh.plot.trajectoryInfo(i as never),
  );
  add("fh.plot.trajectoryFigure", [[() => fh.plot.trajectoryInfo([{ method: "m", events: w.events }])]], ([i]) =>
    fh.plot.trajectoryFigure(i as never),
  );
  add(
    "fh.plot.liveSearchInfo",
    [[() => w.trials()], [() => ({ start: 0 }), () => ({ start: 0, label: "x" })]],
    ([t, o]) => fh.plot.liveSearchInfo(t as never, o as never),
  );
  add("fh.plot.liveCurvesFigure", [[() => fh.plot.liveSearchInfo(w.trials(), { start: 0 })]], ([i]) =>
    fh.plot.liveCurvesFigure(i as never),
  );
  add(
    "fh.plot.imageGridInfo",
    [[() => w.set], [() => ({ count: 4, columns: 2 }), () => ({ indices: [0, 1] })]],
    ([s, o]) => fh.plot.imageGridInfo(s as never, o as never),
  );
  add("fh.plot.baseLayout", [[() => "t"], [() => "x"], [() => "y"], [() => ({})]], ([a, b, c, d]) =>
    fh.plot.baseLayout(a as never, b as never, c as never, d as never),
  );

  // The notebook's watcher: a plain options object gets a short deadline unless it names its own.
  add(
    "fh.notebook.watchStudy",
    [
      [() => study],
      [
        () => ({ seconds: 0.05, intervalSeconds: 0.01 }),
        () => ({ trials: 1, intervalSeconds: 0.01 }),
        () => ({ figures: false }),
      ],
    ],
    ([s, o]) =>
      fh.notebook.watchStudy(
        s as never,
        // No options (or a plain object without a signal) watches a study with running trials
        // until they end, by design: the call gets a signal that stops it soon.
        (o === undefined || isPlain(o)
          ? { signal: AbortSignal.timeout(150), intervalSeconds: 0.02, ...o }
          : o) as never,
      ),
  );
  return out;
}

async function settle(r: unknown): Promise<"hang" | undefined> {
  if (!r || typeof (r as Promise<unknown>).then !== "function") return undefined;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), HANG_MS)));
  try {
    return await Promise.race([(r as Promise<unknown>).then(() => undefined), hang]);
  } finally {
    clearTimeout(timer);
  }
}

test("fuzz: thousands of junk and corrupted calls to the study, its methods and the toolkit's objects give only the toolkit's errors, and none hangs", async () => {
  const seeds = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [7, 8];
  const perTarget = Number(process.env.FUZZ_CALLS ?? 40);
  const dir = mkdtempSync(join(tmpdir(), "fh-fuzz-objects-"));
  const restoreDisplay = setDisplaySink(() => {});
  const restoreWarnings = setWarningSink(() => {});
  const log = console.log;
  console.log = () => {};
  const bad = new Map<string, number>();
  const count = (key: string) => bad.set(key, (bad.get(key) ?? 0) + 1);
  const names = new Set<string>();
  let calls = 0;
  let toolkit = 0;
  const started = Date.now();
  const studies: fh.study.Study[] = [];
  try {
    for (const seed of seeds) {
      const w = await world(dir, seed);
      studies.push(w.study);
      const rng = createRng(seed);
      const ts = targets(w);
      for (const t of ts) names.add(t.name);
      for (let k = 0; k < perTarget; k++)
        for (const target of ts) {
          const n = target.args.length + (rng.int(4) === 0 ? 1 : 0) - (target.args.length && rng.int(6) === 0 ? 1 : 0);
          const args: unknown[] = [];
          for (let i = 0; i < n; i++) {
            const valid = target.args[i] ?? [];
            const r = rng.next();
            if (!valid.length || r < 0.3) args.push(junk()[rng.int(JUNK_COUNT)]);
            else {
              let v: unknown;
              try {
                v = valid[rng.int(valid.length)]!();
              } catch {
                v = undefined; // a valid value that cannot be made now (e.g. no running trial)
              }
              args.push(r < 0.65 || target.junkOnly ? v : corrupt(v, rng));
            }
          }
          calls++;
          if (traceFd >= 0) writeSync(traceFd, `${target.name} ${k} ${process.env.FUZZ_ARGS ? brief(args) : ""}\n`);
          const t0 = Date.now();
          try {
            if ((await settle(target.call(args))) === "hang")
              count(`${target.name}: hangs (no answer in ${HANG_MS} ms)`);
          } catch (err) {
            if (err instanceof fh.FeatureHistoriesError) {
              toolkit++;
              if (!err.parameter || !err.rule) count(`${target.name}: a toolkit error without parameter or rule`);
            } else {
              if (process.env.FUZZ_STACK && !bad.size) log(target.name, k, err, brief(args));
              count(
                `${target.name}: ${String((err as Error)?.message ?? err)
                  .split("\n")[0]!
                  .slice(0, 120)}`,
              );
            }
          }
          if (Date.now() - t0 > HANG_MS) count(`${target.name}: took ${Date.now() - t0} ms`);
        }
    }
  } finally {
    for (const s of studies) await s.close();
    console.log = log;
    restoreDisplay();
    restoreWarnings();
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  if (process.env.FUZZ_REPORT) log(`${calls} calls, ${toolkit} toolkit errors, ${bad.size} distinct bad, ${seconds} s`);
  assert.ok(names.size >= 80, `${names.size} targets`);
  if (!process.env.FUZZ_CALLS && !process.env.FUZZ_SEED) assert.ok(calls >= 6000, `${calls} calls`);
  assert.ok(toolkit > calls / 4, `${toolkit} of ${calls} calls gave the toolkit's error`);
  assert.deepEqual([...bad.entries()], [], "bare errors or hangs (target: message -> count)");
  assert.ok(seconds < 30, `${seconds} s`);
});
