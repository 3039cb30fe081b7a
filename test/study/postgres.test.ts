// Studies shared through PostgreSQL, against a real server that the test starts (initdb in a
// temporary directory, 127.0.0.1 only): the storage (histories and checkpoints read back
// byte-equal, one writer per study), its errors (wrong URL, password, database, schema version;
// never the password), and the queue: 4 worker processes and a scheduler on 200 trials with every
// epoch trained exactly once, a small real study, a worker killed -9 mid-trial, the scheduler
// killed -9 and restarted, the server stopped and started mid-study.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { copyStudy, createStudy, loadStudy } from "../../src/study/study-open.js";
import { startQueueWorkers } from "../../src/study/queue-processes.js";
import { worker } from "../../src/study/queue-worker.js";
import { encodeHistory } from "../../src/history/storage.js";
import { emptyCurves } from "../../src/history/curves.js";
import { PG_SCHEMA } from "../../src/storage/postgres/db.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";
import { assertFails, tempDir } from "../helpers/fixtures.js";
import { PG_PASSWORD, freePort, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { objectiveModule, syntheticSpace } from "../helpers/pg-scheduler.js";
import { liveSearchFixture } from "../helpers/live-search.js";
import { loggedEarlyStopping } from "../helpers/estimators.js";
import { estimatorPruner } from "../../src/search/pruners.js";

let cluster: PgCluster;
let dbCount = 0;
const newDb = () => cluster.createDatabase(`fh_t${dbCount++}`);
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

const objective = { module: objectiveModule, exportName: "synthetic" };

/** A fresh database and a temporary file for the objective's epoch log. */
async function dbWithLog(): Promise<{ url: string; log: string; cleanup: () => void }> {
  const url = await newDb();
  const { dir, cleanup } = tempDir("fh-pg-log-");
  return { url, log: join(dir, "epochs.log"), cleanup };
}
const schedulerScript = fileURLToPath(new URL("../helpers/pg-scheduler.js", import.meta.url));

function epochLog(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return counts;
  }
  for (const line of text.split("\n").filter(Boolean)) {
    const [id, epoch] = line.split(" ");
    counts.set(`${id}@${epoch}`, (counts.get(`${id}@${epoch}`) ?? 0) + 1);
  }
  return counts;
}

const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, seconds = 60) => {
  const end = Date.now() + seconds * 1000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test(
  "storage: trials, histories and checkpoints round-trip byte-equal; one writer; readers watch",
  { timeout: 240_000 },
  async () => {
    const url = await newDb();
    const study = await createStudy({ name: "store", storage: url, space: syntheticSpace(), budget: 3, seed: 1 });
    const t = await study.ask();
    const { probeTrain, probeValidation } = syntheticCandidate(0.5, 2, 1, 30, 5, 3);
    const curves = {
      ...emptyCurves(),
      trainLoss: [1, 0.5],
      trainAcc: [0.3, 0.5],
      valLoss: [1.1, 0.7],
      valAcc: [0.4, 0.6],
      seconds: [1, 1],
      captureSeconds: [0, 0],
      lr: [0.1, 0.1],
    };
    const ckpt = new Uint8Array([1, 2, 3, 250, 0, 7]);
    await study.report(t, { curves, probeTrain, probeValidation, seconds: 2 }, { checkpoint: ckpt });
    // One writer per study: a second one is refused and names the holder; a reader is welcome.
    await assertFails(
      async () => await loadStudy({ storage: url, name: "store" }),
      "state",
      /one process at a time/,
      /held by feature-histories writer/,
      /readOnly: true/,
    );
    const reader = await loadStudy({ storage: url, name: "store", readOnly: true });
    const back = reader.trial(t.id);
    assert.deepEqual(Buffer.from(encodeHistory(back.probeTrain!)), Buffer.from(encodeHistory(probeTrain!)));
    assert.deepEqual(Buffer.from(encodeHistory(back.probeValidation!)), Buffer.from(encodeHistory(probeValidation!)));
    assert.deepEqual(back.curves, curves);
    assert.deepEqual(await reader.loadCheckpoint(back), ckpt);
    await assertFails(() => reader.ask(), "state", /read-only/);
    // The reader sees the writer's next change after a refresh.
    await study.tell(t, "pruned");
    assert.equal(reader.trial(t.id).state, "running");
    await reader.refresh();
    assert.equal(reader.trial(t.id).state, "pruned");
    await reader.close();
    await study.close();
    // The lock goes with close: another writer may open it now, and sees everything.
    const again = await loadStudy({ storage: url, name: "store" });
    assert.equal(again.trials().length, 1);
    assert.deepEqual(await again.loadCheckpoint(t.id), ckpt);
    await again.close();
  },
);

test(
  "errors: wrong URL, password, database, name, schema version: each names the fix, never the password",
  { timeout: 240_000 },
  async () => {
    const url = await newDb();
    const secret = "pw-that-must-not-leak";
    const noPw = (e: Error) => assert.ok(!e.message.includes(secret) && !e.message.includes(PG_PASSWORD), e.message);
    const space = syntheticSpace();
    noPw(
      await assertFails(
        async () => await loadStudy({ storage: cluster.url("fh_t0", secret), name: "x" }),
        "invalid-argument",
        /password authentication failed/,
        /PGPASSWORD/,
      ),
    );
    noPw(
      await assertFails(
        async () => await loadStudy({ storage: cluster.url("no_such_db"), name: "x" }),
        "data-missing",
        /does not exist/,
        /createdb .* no_such_db/,
      ),
    );
    const port = await freePort();
    noPw(
      await assertFails(
        async () =>
          await createStudy({ name: "x", storage: `postgres://fh:${secret}@127.0.0.1:${port}/db`, space, budget: 2 }),
        "state",
        /nothing answers at 127\.0\.0\.1/,
        /start PostgreSQL/,
      ),
    );
    noPw(
      await assertFails(
        async () => await createStudy({ name: "x", storage: `postgres://fh:${secret}@/db`, space, budget: 2 }),
        "invalid-argument",
        /PostgreSQL URL/,
      ),
    );
    await (await createStudy({ name: "one", storage: url, space, budget: 2 })).close();
    await assertFails(
      async () => await loadStudy({ storage: url }),
      "invalid-argument",
      /options\.name is required/,
      /"one"/,
    );
    await assertFails(async () => await loadStudy({ storage: url, name: "two" }), "data-missing", /must hold a study/);
    await assertFails(
      () => worker({ storage: url, study: "two", idleSeconds: 0.5 }),
      "data-missing",
      /use one of "one"/,
    );
    // A database written by a newer toolkit is refused, not migrated down.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`INSERT INTO ${PG_SCHEMA}.schema_version (version) VALUES (99)`);
    await c.end();
    noPw(
      await assertFails(
        async () => await loadStudy({ storage: url, name: "one" }),
        "state",
        /schema version 99/,
        /upgrade feature-histories/,
      ),
    );
    noPw(
      await assertFails(() => worker({ storage: url, study: "one", idleSeconds: 0.5 }), "state", /schema version 99/),
    );
  },
);

test(
  "4 worker processes and a scheduler: 200 trials, every epoch trained exactly once",
  { timeout: 240_000 },
  async () => {
    const { url, log, cleanup } = await dbWithLog();
    try {
      const study = await createStudy({ name: "many", storage: url, space: syntheticSpace(), budget: 3, seed: 2 });
      const workers = startQueueWorkers({ workers: 4, url, study: "many", env: { FH_OBJECTIVE_LOG: log } });
      const r = await study.optimize({ objective, trials: 200, workers: 0, concurrency: 4, stopOnSigint: false });
      await workers.close();
      assert.deepEqual([r.complete, r.failed, r.interrupted], [200, 0, 0]);
      const counts = epochLog(log);
      assert.equal(counts.size, 600);
      assert.deepEqual([...new Set(counts.values())], [1], "an epoch trained twice");
      const pids = new Set(
        readFileSync(log, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split(" ")[2]),
      );
      assert.equal(pids.size, 4, "all four workers took jobs");
      for (const t of study.trials()) assert.equal(t.curves.valAcc.length, 3);
      await study.close();
    } finally {
      cleanup();
    }
  },
);

test(
  "a small real study: 8 candidates on 2 worker processes, histories read back byte-equal",
  { timeout: 240_000 },
  async () => {
    const url = await newDb();
    const fx = liveSearchFixture();
    const study = await createStudy({
      name: "real",
      storage: url,
      space: fx.space,
      budget: 2,
      seed: 3,
      pruner: fx.pruner,
    });
    const data = {
      module: fileURLToPath(new URL("../helpers/live-search.js", import.meta.url)),
      exportName: "liveSplits",
    };
    const r = await study.optimize({
      data,
      model: fx.model,
      trials: 8,
      workers: 2,
      stopOnSigint: false,
      env: { FH_BACKEND: "wasm" },
    });
    assert.equal(r.complete + r.pruned, 8, JSON.stringify(r));
    assert.ok(r.complete >= 1);
    const reader = await loadStudy({ storage: url, name: "real", readOnly: true });
    for (const t of study.trials()) {
      const back = reader.trial(t.id);
      assert.ok(back.probeTrain && back.probeValidation);
      assert.equal(back.epochs, t.state === "complete" ? 2 : 1);
      // What the scheduler took in equals what a fresh reader reads, byte for byte.
      assert.deepEqual(Buffer.from(encodeHistory(back.probeTrain)), Buffer.from(encodeHistory(t.probeTrain!)));
      assert.deepEqual(
        Buffer.from(encodeHistory(back.probeValidation)),
        Buffer.from(encodeHistory(t.probeValidation!)),
      );
      if (t.state === "complete") assert.ok(back.testAcc !== undefined);
    }
    await reader.close();
    await study.close();
  },
);

test(
  "kill -9 a worker mid-trial: its job is handed back and finished by another, once",
  { timeout: 240_000 },
  async () => {
    const { url, log, cleanup } = await dbWithLog();
    try {
      const study = await createStudy({ name: "kill", storage: url, space: syntheticSpace(), budget: 4, seed: 4 });
      const env = { FH_OBJECTIVE_LOG: log, FH_OBJECTIVE_SLEEP_MS: "250" };
      const opts = { url, study: "kill", env, heartbeatSeconds: 0.3, staleSeconds: 1.5 };
      const a = startQueueWorkers({ ...opts, workers: 1 });
      const b = startQueueWorkers({ ...opts, workers: 1 });
      const victim = a.pids()[0]!;
      const running = study.optimize({ objective, trials: 6, workers: 0, concurrency: 2, stopOnSigint: false });
      await waitFor(
        "the victim's first epoch",
        () => [...epochLog(log).keys()].length > 0 && readFileSync(log, "utf8").includes(` ${victim}\n`),
      );
      process.kill(victim, "SIGKILL");
      const r = await running;
      await b.close();
      await a.close();
      assert.deepEqual([r.complete, r.failed], [6, 0]);
      for (const t of study.trials()) {
        assert.equal(t.epochs, 4);
        assert.equal(t.curves.valAcc.length, 4);
      }
      // At most the epoch the victim was in when it died was trained twice.
      const twice = [...epochLog(log).values()].filter((n) => n > 1).length;
      assert.ok(twice <= 1, `${twice} epochs trained twice`);
      await study.close();
    } finally {
      cleanup();
    }
  },
);

function startScheduler(
  url: string,
  name: string,
  env: Record<string, string>,
): { child: ChildProcess; ended: () => number; exit: Promise<number | null> } {
  const child = fork(schedulerScript, [], {
    env: { ...process.env, FH_TEST_URL: url, FH_TEST_STUDY: name, ...env },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  let ended = 0;
  child.stdout!.on("data", (b: Buffer) => {
    for (const m of b.toString().matchAll(/ended (\d+)/g)) ended = Math.max(ended, Number(m[1]));
  });
  return { child, ended: () => ended, exit: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
}

test(
  "kill -9 the scheduler and start it again: it resumes from the database, nothing sent twice",
  { timeout: 240_000 },
  async () => {
    const { url, log, cleanup } = await dbWithLog();
    try {
      const workers = startQueueWorkers({
        workers: 2,
        url,
        study: "sched",
        env: { FH_OBJECTIVE_LOG: log, FH_OBJECTIVE_SLEEP_MS: "40" },
      });
      const env = { FH_TEST_TRIALS: "30", FH_TEST_BUDGET: "3", FH_TEST_CONCURRENCY: "3", FH_TEST_PRUNE: "1" };
      const first = startScheduler(url, "sched", env);
      await waitFor("some trials to end", () => first.ended() >= 6);
      first.child.kill("SIGKILL");
      await first.exit;
      const second = startScheduler(url, "sched", env);
      assert.equal(await second.exit, 0);
      await workers.close();
      const study = await loadStudy({ storage: url, name: "sched", readOnly: true });
      const trials = study.trials();
      assert.equal(trials.length, 30);
      assert.ok(
        trials.every((t) => t.state === "complete" || t.state === "pruned"),
        JSON.stringify(trials.map((t) => t.state)),
      );
      const counts = epochLog(log);
      assert.deepEqual([...new Set(counts.values())], [1], "an epoch trained twice");
      const trained = trials.reduce((n, t) => n + t.epochs, 0);
      assert.equal(counts.size, trained);
      await study.close();
    } finally {
      cleanup();
    }
  },
);

test(
  "PostgreSQL stopped mid-study and started again: workers and scheduler reconnect and finish",
  { timeout: 240_000 },
  async () => {
    const url = await newDb();
    const study = await createStudy({ name: "outage", storage: url, space: syntheticSpace(), budget: 3, seed: 6 });
    const workers = startQueueWorkers({ workers: 2, url, study: "outage", env: { FH_OBJECTIVE_SLEEP_MS: "60" } });
    let ended = 0;
    const running = study.optimize({
      objective,
      trials: 24,
      workers: 0,
      concurrency: 2,
      stopOnSigint: false,
      onProgress: (p) => void (ended = p.complete + p.failed),
    });
    await waitFor("a few trials", () => ended >= 4);
    const back = cluster.outage(2.5);
    const r = await running;
    await back;
    await workers.close();
    assert.deepEqual([r.complete, r.failed], [24, 0]);
    for (const t of study.trials()) assert.equal(t.epochs, 3);
    await study.close();
  },
);

test(
  "npx feature-histories worker: SIGTERM mid-trial hands the job back after its saved epochs; another worker goes on",
  { timeout: 240_000 },
  async () => {
    const { url, log, cleanup } = await dbWithLog();
    try {
      const study = await createStudy({ name: "cli", storage: url, space: syntheticSpace(), budget: 4, seed: 7 });
      const bin = fileURLToPath(new URL("../../../bin/feature-histories.mjs", import.meta.url));
      const env = { ...process.env, FH_OBJECTIVE_LOG: log, FH_OBJECTIVE_SLEEP_MS: "300", PGPASSWORD: PG_PASSWORD };
      // The password comes from PGPASSWORD, not the URL; the CLI prints the URL without it either way.
      const bare = url.replace(`:${encodeURIComponent(PG_PASSWORD)}@`, "@");
      const cli = spawn(process.execPath, [bin, "worker", "--storage", bare, "--study", "cli"], { env });
      let out = "";
      cli.stdout.on("data", (b: Buffer) => void (out += b.toString()));
      cli.stderr.on("data", (b: Buffer) => void (out += b.toString()));
      const exit = new Promise<number | null>((r) => cli.once("exit", (code) => r(code)));
      const running = study.optimize({ objective, trials: 3, workers: 0, concurrency: 1, stopOnSigint: false });
      await waitFor("the CLI's first epoch", () => /t0000 epoch 1/.test(out));
      cli.kill("SIGTERM");
      assert.equal(await exit, 0, out);
      assert.match(out, /study "cli" on postgres:\/\/fh@127\.0\.0\.1/);
      assert.match(out, /interrupted \(epoch [12]\)/);
      assert.match(out, /stopped: 0 jobs \(0 failed trials\), 1 handed back/);
      assert.ok(!out.includes(PG_PASSWORD));
      const other = startQueueWorkers({
        workers: 1,
        url,
        study: "cli",
        env: { FH_OBJECTIVE_LOG: log, FH_OBJECTIVE_SLEEP_MS: "20" },
      });
      const r = await running;
      await other.close();
      assert.deepEqual([r.complete, r.failed], [3, 0]);
      // The interrupted trial went on from its saved epochs: at most the epoch in progress at SIGTERM ran twice.
      const twice = [...epochLog(log).values()].filter((n) => n > 1).length;
      assert.ok(twice <= 1, `${twice} epochs trained twice`);
      await study.close();
    } finally {
      cleanup();
    }
  },
);

test(
  "scoreOnWorkers: the pruner's estimator is fitted on the workers; the scheduler only compares",
  { timeout: 120_000 },
  async () => {
    const { url, log, cleanup } = await dbWithLog();
    process.env.FH_ESTIMATOR_LOG = log;
    try {
      const pruner = estimatorPruner({ estimator: loggedEarlyStopping, t: 1, keep: 0.5, warmup: 2 });
      const study = await createStudy({
        name: "scored",
        storage: url,
        space: syntheticSpace(),
        budget: 3,
        seed: 9,
        pruner,
      });
      const workers = startQueueWorkers({ workers: 2, url, study: "scored", env: { FH_ESTIMATOR_LOG: log } });
      const r = await study.optimize({
        objective,
        trials: 12,
        workers: 0,
        concurrency: 2,
        stopOnSigint: false,
        scoreOnWorkers: {
          module: fileURLToPath(new URL("../helpers/estimators.js", import.meta.url)),
          exportName: "loggedEarlyStopping",
        },
      });
      await workers.close();
      assert.equal(r.complete + r.pruned, 12);
      assert.ok(r.pruned >= 1);
      const fits = readFileSync(log, "utf8").split("\n").filter(Boolean);
      assert.equal(fits.length, 12, "one fit per trial");
      assert.ok(
        fits.every((l) => l.split(" ")[1] !== String(process.pid)),
        "no fit in the scheduler",
      );
      for (const t of study.trials()) {
        assert.ok(Number.isFinite(t.scores["ES-logged@1"]), t.id);
        assert.equal(t.fitted?.["ES-logged@1"], t.scores["ES-logged@1"], "the decision used the worker's fit");
      }
      const { dir: local, cleanup: rm } = tempDir("fh-pg-local-");
      const here = await createStudy({ name: "local", storage: local, space: syntheticSpace(), budget: 3, pruner });
      await assertFails(
        () =>
          here.optimize({ objective, trials: 2, workers: 0, scoreOnWorkers: { module: "/x.mjs", exportName: "y" } }),
        "invalid-argument",
        /scoreOnWorkers is \{ module, exportName \} of the pruner's estimator, for a study in PostgreSQL/,
      );
      await here.close();
      rm();
      await study.close();
    } finally {
      delete process.env.FH_ESTIMATOR_LOG;
      cleanup();
    }
  },
);

test("fh.study.worker with concurrency 3 runs three jobs at once in one process", { timeout: 120_000 }, async () => {
  const { url, log, cleanup } = await dbWithLog();
  process.env.FH_OBJECTIVE_LOG = log;
  process.env.FH_OBJECTIVE_SLEEP_MS = "200";
  try {
    const study = await createStudy({ name: "lanes", storage: url, space: syntheticSpace(), budget: 2, seed: 10 });
    const stop = new AbortController();
    let running = 0;
    let most = 0;
    const work = worker({
      storage: url,
      study: "lanes",
      concurrency: 3,
      signal: stop.signal,
      onEvent: (e) => {
        if (/ taken /.test(e.event)) most = Math.max(most, ++running);
        if (/ done /.test(e.event)) running--;
      },
    });
    const r = await study.optimize({ objective, trials: 9, workers: 0, concurrency: 3, stopOnSigint: false });
    stop.abort();
    const summary = await work;
    assert.deepEqual([r.complete, summary.jobs, summary.failed], [9, 9, 0]);
    assert.equal(most, 3);
    await study.close();
  } finally {
    delete process.env.FH_OBJECTIVE_LOG;
    delete process.env.FH_OBJECTIVE_SLEEP_MS;
    cleanup();
  }
});

test(
  "fh.study.copy: a local study moves to PostgreSQL and back to a directory, byte for byte",
  { timeout: 120_000 },
  async () => {
    const url = await newDb();
    const { dir, cleanup } = tempDir("fh-copy-");
    try {
      const local = await createStudy({
        name: "moved",
        storage: join(dir, "a"),
        space: syntheticSpace(),
        budget: 3,
        seed: 11,
      });
      for (let i = 0; i < 3; i++) {
        const t = await local.ask();
        const c = syntheticCandidate(0.3 * i, 2, i, 20, 4, 3);
        await local.report(
          t,
          { curves: c.curves, probeTrain: c.probeTrain!, probeValidation: c.probeValidation!, seconds: 1 },
          { checkpoint: new Uint8Array([i, 1, 2]) },
        );
        if (i < 2) await local.tell(t, "pruned");
      }
      const shared = await copyStudy(local, { storage: url });
      await shared.close();
      const back = await copyStudy(await loadStudy({ storage: url, name: "moved", readOnly: true }), {
        storage: join(dir, "b"),
      });
      await back.close();
      await assertFails(async () => await copyStudy(local, { storage: url }), "state", /a copy never overwrites/);
      const a = local.trials();
      for (const copy of [
        await loadStudy({ storage: url, name: "moved", readOnly: true }),
        await loadStudy({ storage: join(dir, "b"), readOnly: true }),
      ]) {
        const b = copy.trials();
        assert.deepEqual(
          b.map((t) => [t.id, t.state, t.epochs, t.checkpointEpoch]),
          a.map((t) => [t.id, t.state, t.epochs, t.checkpointEpoch]),
        );
        for (let i = 0; i < a.length; i++) {
          assert.deepEqual(
            Buffer.from(encodeHistory(b[i]!.probeTrain!)),
            Buffer.from(encodeHistory(a[i]!.probeTrain!)),
          );
          assert.deepEqual(b[i]!.curves, a[i]!.curves);
          assert.deepEqual(await copy.loadCheckpoint(b[i]!.id), await local.loadCheckpoint(a[i]!.id));
        }
        await copy.close();
      }
      await local.close();
    } finally {
      cleanup();
    }
  },
);
