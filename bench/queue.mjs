// Benchmark: the cost of sharing a study through PostgreSQL + pg-boss, against the local
// directory storage in the same run, with a synthetic objective (no TensorFlow):
//  1. overhead per trial at 4 workers: a trial's time from ask to its verdict minus the time its
//     objective ran (queue, storage, scheduling, process hops), median and 90th percentile, for
//     the directory study (4 local worker processes) and the PostgreSQL study (4 queue workers);
//  2. throughput of 1, 2 and 4 queue workers on a CPU-bound objective (busy loop per epoch) and
//     the scaling efficiency throughput(k) / (k x throughput(1)); this machine's cores bound it;
//  3. a real study (the built-in tiny CNN family on Fashion-MNIST, histories and checkpoints
//     written every epoch): wall-clock of the same 8 trials on 2 worker processes, directory vs
//     PostgreSQL (BENCH_REAL=0 skips it).
// Starts a throw-away PostgreSQL (test/helpers/postgres.ts; Debian's server binaries).
// BENCH_TRIALS (default 200), BENCH_SLEEP_MS (default 50), BENCH_CPU_MS (default 100).
import { availableParallelism } from "node:os";
import * as fh from "../dist/index.js";
import { startQueueWorkers } from "../dist/study/queue-processes.js";
import { startPostgres } from "../build/test/helpers/postgres.js";
import { tempDir } from "../build/test/helpers/fixtures.js";
import { spin } from "../build/test/helpers/objectives.js";

const TRIALS = Number(process.env.BENCH_TRIALS ?? 200);
const SLEEP_MS = Number(process.env.BENCH_SLEEP_MS ?? 50);
const CPU_MS = Number(process.env.BENCH_CPU_MS ?? 100);
const BUDGET = 2;
const objective = {
  module: new URL("../build/test/helpers/objectives.js", import.meta.url).pathname,
  exportName: "synthetic",
};
const space = fh.space.defineSpace([fh.space.float("x", 0, 1)]);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
/** ms per trial beyond its objective's own time. */
const overheads = (study) =>
  study.trials().map((t) => t.endedAt - t.startedAt - 1000 * t.curves.seconds.reduce((a, b) => a + b, 0));

async function local(workers, env, trials) {
  const { dir, cleanup } = tempDir("fh-bench-q-");
  try {
    const study = await fh.study.create({ name: "bench", storage: dir, space, budget: BUDGET, seed: 1 });
    const t0 = performance.now();
    await study.optimize({ objective, trials, workers, env, stopOnSigint: false });
    const wall = (performance.now() - t0) / 1000;
    const o = overheads(study);
    await study.close();
    return { wall, o };
  } finally {
    cleanup();
  }
}

async function shared(cluster, name, workers, env, trials) {
  const url = await cluster.createDatabase(name);
  const study = await fh.study.create({ name, storage: url, space, budget: BUDGET, seed: 1 });
  const pool = startQueueWorkers({ workers, url, study: name, env });
  // Workers connect before the clock starts (a deployment's workers are up already).
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = performance.now();
  await study.optimize({ objective, trials, workers: 0, concurrency: workers, stopOnSigint: false });
  const wall = (performance.now() - t0) / 1000;
  const o = overheads(study);
  await study.close();
  await pool.close();
  return { wall, o };
}

const cluster = await startPostgres();
try {
  console.log(`# shared-study queue benchmark: ${availableParallelism()} cores, ${TRIALS} trials x ${BUDGET} epochs`);
  console.log(`\n## 1. overhead per trial at 4 workers (objective sleeps ${SLEEP_MS} ms per epoch)`);
  const sleepEnv = { FH_OBJECTIVE_SLEEP_MS: String(SLEEP_MS) };
  const dirRun = await local(4, sleepEnv, TRIALS);
  const pgRun = await shared(cluster, "overhead", 4, sleepEnv, TRIALS);
  const row = (label, r) =>
    console.log(
      `${label.padEnd(26)} median ${quantile(r.o, 0.5).toFixed(1).padStart(6)} ms  p90 ${quantile(r.o, 0.9).toFixed(1).padStart(6)} ms  ` +
        `wall ${r.wall.toFixed(1)} s (ideal ${((TRIALS * BUDGET * SLEEP_MS) / 4 / 1000).toFixed(1)} s)`,
    );
  row("directory, 4 processes", dirRun);
  row("PostgreSQL, 4 workers", pgRun);
  console.log(
    `PostgreSQL - directory: median ${(quantile(pgRun.o, 0.5) - quantile(dirRun.o, 0.5)).toFixed(1)} ms per trial; ` +
      `wall ratio ${(pgRun.wall / dirRun.wall).toFixed(2)}`,
  );

  // A fixed amount of arithmetic that takes CPU_MS on one idle core (calibrated here).
  let iterations = 1e6;
  for (;;) {
    const t = performance.now();
    spin(iterations);
    const ms = performance.now() - t;
    if (ms > 50) {
      iterations = Math.round((iterations * CPU_MS) / ms);
      break;
    }
    iterations *= 2;
  }
  console.log(
    `\n## 2. scaling on a CPU-bound objective (${iterations} iterations, ${CPU_MS} ms on an idle core, per epoch)`,
  );
  const cpuEnv = { FH_OBJECTIVE_WORK: String(iterations) };
  const n = Math.max(8, Math.round(TRIALS / 5));
  let base;
  for (const k of [1, 2, 4]) {
    const r = await shared(cluster, `scale${k}`, k, cpuEnv, n);
    const thr = n / r.wall;
    base ??= thr;
    console.log(
      `${String(k).padStart(2)} worker(s): ${thr.toFixed(2)} trials/s  efficiency ${(thr / (k * base)).toFixed(2)}  (ideal ${(1000 / (BUDGET * CPU_MS)) * Math.min(k, availableParallelism())} trials/s)`,
    );
  }

  if (process.env.BENCH_REAL !== "0") {
    console.log(
      `\n## 3. a real study: 8 tiny-CNN trials x 3 epochs, 2 workers, Fashion-MNIST 2k train, 500 + 500 probes`,
    );
    const data = { module: new URL("./fashion-splits.mjs", import.meta.url).pathname, exportName: "splits" };
    const cnn = fh.space.hpoCnnSpace();
    const real = async (storage, name) => {
      const study = await fh.study.create({ name, storage, space: cnn, budget: 3, seed: 3 });
      const t0 = performance.now();
      const r = await study.optimize({ data, trials: 8, workers: 2, concurrency: 2, stopOnSigint: false });
      const wall = (performance.now() - t0) / 1000;
      const train = study.trials().reduce((a, t) => a + t.seconds, 0);
      await study.close();
      return { wall, train, r };
    };
    const { dir, cleanup } = tempDir("fh-bench-real-");
    try {
      const d = await real(dir, "real");
      const p = await real(await cluster.createDatabase("realstudy"), "real");
      for (const [label, x] of [
        ["directory", d],
        ["PostgreSQL", p],
      ])
        console.log(
          `${label.padEnd(11)} wall ${x.wall.toFixed(1)} s, trials' own seconds ${x.train.toFixed(1)} s, ${x.r.complete} complete`,
        );
      console.log(`PostgreSQL / directory wall: ${(p.wall / d.wall).toFixed(2)}`);
    } finally {
      cleanup();
    }
  }
} finally {
  cluster.destroy();
}
