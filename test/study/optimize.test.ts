// The live search: in this process with a model function, on worker processes with a model
// imported by module, a pruner deciding at epoch t, failing trials as data, a worker killed
// mid-trial (retried), the search process killed mid-search and resumed (no saved epoch trained
// twice, no trial lost or doubled), and the errors of misuse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createStudy, loadStudy } from "../../src/study/study-open.js";
import { resolveBackend } from "../../src/train/backend.js";
import { epochCount } from "../../src/history/feature-history.js";
import { tempDir, assertFails } from "../helpers/fixtures.js";
import { liveSearchFixture } from "../helpers/live-search.js";
import { nanNet, smallNet } from "../helpers/user-models.js";
import type { OptimizeProgress } from "../../src/study/optimize.js";
import { defineSpace } from "../../src/space/space.js";
import { float } from "../../src/space/params.js";
import { curveValue } from "../helpers/objectives.js";

const fx = liveSearchFixture();

test("in this process with a model function: the pruner decides at t, every trial ends and is saved", async () => {
  await resolveBackend({ backend: "wasm" });
  const { dir, cleanup } = tempDir("fh-opt-");
  try {
    const study = await createStudy({
      name: "live",
      storage: dir,
      space: fx.space,
      budget: 3,
      seed: 11,
      pruner: fx.pruner,
    });
    const events: OptimizeProgress[] = [];
    const r = await study.optimize({
      data: fx.splits,
      trials: 6,
      workers: 0,
      model: smallNet,
      onProgress: (p) => events.push(p),
    });
    assert.equal(r.complete + r.pruned + r.failed, 6);
    assert.ok(r.pruned >= 1 && r.complete >= 2, JSON.stringify(r));
    assert.equal(r.interrupted, 0);
    for (const t of study.trials()) {
      if (t.state === "complete") {
        assert.equal(t.epochs, 3);
        assert.ok(t.testAcc !== undefined);
        assert.equal(t.checkpointEpoch, undefined);
      }
      if (t.state === "pruned") {
        assert.equal(t.epochs, 1);
        assert.ok(Number.isFinite(t.scores["early stopping@1"]));
      }
    }
    assert.ok(events.some((e) => /pruned/.test(e.event)));
    assert.equal(events.at(-1)!.event, "done");
    assert.ok(events.at(-1)!.best!.value > 0);
    await study.close();
    const back = await loadStudy({ storage: dir, readOnly: true });
    assert.equal(back.trials(["complete"]).length, r.complete);
    assert.equal(epochCount(back.trials(["complete"])[0]!.probeValidation!), 3);
  } finally {
    cleanup();
  }
});

test("on worker processes with a model imported by module; a throwing model is a failed trial", async () => {
  const { dir, cleanup } = tempDir("fh-opt-");
  try {
    const broken = liveSearchFixture("sometimesBroken");
    const study = await createStudy({ name: "live", storage: dir, space: fx.space, budget: 2, seed: 4 });
    const r = await study.optimize({ data: fx.splits, trials: 6, workers: 2, model: broken.model });
    assert.equal(r.complete + r.failed, 6);
    for (const t of study.trials()) {
      if (Number(t.config.filters) > 5) {
        assert.equal(t.state, "failed");
        assert.match(t.error!.message, /no room for/);
      } else assert.equal(t.state, "complete", t.error?.message);
    }
    await study.close();
  } finally {
    cleanup();
  }
});

test("a worker killed mid-trial is replaced and its trial retried from its checkpoint", async () => {
  const { dir, cleanup } = tempDir("fh-opt-");
  try {
    const study = await createStudy({ name: "live", storage: dir, space: fx.space, budget: 3, seed: 5 });
    const pids: number[] = [];
    let killed = false;
    const r = await study.optimize({
      data: fx.splits,
      trials: 3,
      workers: 1,
      model: fx.model,
      onWorkerStart: (pid) => pids.push(pid),
      onProgress: (p) => {
        // After the first saved epoch of the second trial, kill the worker training it.
        if (!killed && p.trialId === "t0001" && p.epoch === 1) {
          killed = true;
          process.kill(pids.at(-1)!, "SIGKILL");
        }
      },
    });
    assert.ok(killed);
    assert.equal(pids.length, 2, "the dead worker was replaced");
    assert.equal(r.complete, 3, JSON.stringify(r));
    assert.equal(study.trial("t0001").attempts, 2);
    assert.equal(study.trial("t0001").epochs, 3);
    await study.close();
  } finally {
    cleanup();
  }
});

test("the search process killed mid-search resumes: nothing lost, doubled or trained twice", async () => {
  const { dir, cleanup } = tempDir("fh-opt-");
  const log = join(dir, "epochs.log");
  writeFileSync(log, "");
  const runner = fileURLToPath(new URL("../helpers/optimize-runner.js", import.meta.url));
  try {
    const child = fork(runner, [join(dir, "study"), log, "6", "2"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    // Kill it once a few epochs are saved.
    for (let i = 0; i < 600 && readFileSync(log, "utf8").split("\n").filter(Boolean).length < 4; i++)
      await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const before = readFileSync(log, "utf8").split("\n").filter(Boolean);
    assert.ok(before.length >= 4);
    // Its workers notice the parent is gone and exit; a new run takes over the study.
    const again = fork(runner, [join(dir, "study"), log, "6", "2"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const code = await new Promise((r) => again.once("exit", r));
    assert.equal(code, 0);
    const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
    assert.equal(new Set(lines).size, lines.length, `an epoch was trained twice: ${lines.join(", ")}`);
    const study = await loadStudy({ storage: join(dir, "study"), readOnly: true });
    assert.equal(study.trials().length, 6);
    assert.equal(study.trials(["running"]).length, 0);
    // A line is written just after its epoch is saved: the kill may fall between the two for the
    // epochs in flight (at most one per worker), never the other way round (that would be a
    // duplicate line above).
    let unlogged = 0;
    for (const t of study.trials(["complete", "pruned"])) {
      const logged = lines.filter((l) => l.startsWith(`${t.id} `)).length;
      assert.ok(logged <= t.epochs, `${t.id}: ${logged} logged > ${t.epochs} saved`);
      unlogged += t.epochs - logged;
    }
    assert.ok(unlogged <= 2, `${unlogged} saved epochs without a log line`);
  } finally {
    cleanup();
  }
});

test("misuse of optimize is a clear error", async () => {
  const { dir, cleanup } = tempDir("fh-opt-");
  try {
    const study = await createStudy({ name: "live", storage: dir, space: fx.space, budget: 2 });
    await assertFails(
      () => study.optimize({ data: fx.splits, trials: 2, workers: 2, model: smallNet }),
      "invalid-argument",
      /workers: 0/,
      /module/,
    );
    await assertFails(() => study.optimize({ data: {} as never, trials: 2 }), "invalid-argument", /makeSplits/);
    await assertFails(() => study.optimize({ data: fx.splits, trials: 0 }), "invalid-argument", /options\.trials/);
    await assertFails(
      () => study.optimize({ data: fx.splits, trials: 1, budget: 3 } as never),
      "unknown-option",
      /budget/,
    );
    await assertFails(
      () => study.optimize({ data: fx.splits, trials: 1, model: { module: "x" } as never }),
      "invalid-argument",
      /exportName/,
    );
    await study.close();
    const watcher = await loadStudy({ storage: dir, readOnly: true });
    await assertFails(() => watcher.optimize({ data: fx.splits, trials: 1 }), "state", /read-only/);
  } finally {
    cleanup();
  }
});

test("a NaN loss is a failed trial with its error; the search goes on", async () => {
  await resolveBackend({ backend: "wasm" });
  const { dir, cleanup } = tempDir("fh-opt-");
  try {
    const study = await createStudy({ name: "nan", storage: dir, space: fx.space, budget: 2, seed: 1 });
    const r = await study.optimize({ data: fx.splits, trials: 3, workers: 0, model: nanNet });
    assert.equal(r.failed, 3);
    for (const t of study.trials()) {
      assert.equal(t.state, "failed");
      assert.match(t.error!.message, /NaN.*diverged/);
      assert.equal(t.error!.epoch, 1);
    }
    await study.close();
  } finally {
    cleanup();
  }
});

test("an objective outside TensorFlow.js, in this process and on worker processes; data by module", async () => {
  const { dir, cleanup } = tempDir("fh-opt-");
  const { dir: dir2, cleanup: cleanup2 } = tempDir("fh-opt-");
  try {
    const space = defineSpace([float("x", 0, 1)]);
    const objective = {
      module: fileURLToPath(new URL("../helpers/objectives.js", import.meta.url)),
      exportName: "synthetic",
    };
    for (const workers of [0, 2]) {
      const study = await createStudy({
        name: `objective${workers}`,
        storage: join(dir, String(workers)),
        space,
        budget: 3,
        seed: 1,
      });
      const r = await study.optimize({ objective, trials: 5, workers });
      assert.deepEqual([r.complete, r.failed], [5, 0]);
      for (const t of study.trials()) {
        // The curve is the objective's, epoch by epoch; the test accuracy its last epoch's.
        assert.deepEqual(
          t.curves.valAcc,
          [1, 2, 3].map((e) => curveValue(Number(t.config.x), e)),
        );
        assert.equal(t.testAcc, curveValue(Number(t.config.x), 3) - 0.01);
        assert.equal(t.probeTrain, undefined);
      }
      await study.close();
    }
    // A model and its data, both imported by module (what a shared study requires).
    const study = await createStudy({ name: "bymodule", storage: dir2, space: fx.space, budget: 1, seed: 2 });
    const data = {
      module: fileURLToPath(new URL("../helpers/live-search.js", import.meta.url)),
      exportName: "liveSplits",
    };
    const r = await study.optimize({ data, model: fx.model, trials: 2, workers: 1, env: { FH_BACKEND: "wasm" } });
    assert.equal(r.complete, 2);
    await assertFails(
      () => study.optimize({ trials: 3, workers: 0, objective, model: fx.model }),
      "invalid-argument",
      /options\.objective replaces the model/,
    );
    await study.close();
  } finally {
    cleanup();
    cleanup2();
  }
});

test("a runaway scheduler (always a new trial) with an objective that is not a function: stopped at trials, by the abort signal, and after N failures in a row", async () => {
  const { dir, cleanup } = tempDir("fh-opt-");
  try {
    const space = defineSpace([float("x", 0, 1)]);
    const bad = join(dir, "not-a-function.mjs");
    writeFileSync(bad, "export const objective = 5;\n");
    const objective = { module: bad, exportName: "objective" };
    const runaway = {
      next: () => ({ kind: "new" as const, to: 1 }),
      verdict: () => "continue" as const,
    };
    // 1. `trials` bounds the search whatever the scheduler answers.
    const s1 = await createStudy({ name: "r1", storage: join(dir, "r1"), space, budget: 2, seed: 1 });
    const r1 = await s1.optimize({ objective, trials: 3, workers: 0, scheduler: runaway as never });
    assert.equal(s1.trials().length, 3);
    assert.equal(r1.failed, 3);
    await s1.close();
    // 2. The abort signal stops it, and the event loop kept turning (the timer fired).
    const s2 = await createStudy({ name: "r2", storage: join(dir, "r2"), space, budget: 2, seed: 1 });
    const stop = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    setTimeout(() => stop.abort(), 300);
    const started = Date.now();
    await s2
      .optimize({
        objective,
        trials: 100_000,
        workers: 0,
        scheduler: runaway as never,
        signal: stop.signal,
        maxConsecutiveFailures: 1_000_000,
      })
      .catch(() => undefined);
    clearInterval(timer);
    assert.ok(Date.now() - started < 10_000, `stopped after ${Date.now() - started} ms`);
    assert.ok(ticks >= 5, `the event loop turned ${ticks} times in the search`);
    assert.ok(s2.trials().length < 100_000);
    await s2.close();
    // 3. N failed trials in a row end the search with an error naming the common cause.
    const s3 = await createStudy({ name: "r3", storage: join(dir, "r3"), space, budget: 2, seed: 1 });
    await assertFails(
      () =>
        s3.optimize({ objective, trials: 1000, workers: 0, scheduler: runaway as never, maxConsecutiveFailures: 7 }),
      "training-failed",
      /maxConsecutiveFailures = 7[\s\S]*7 failed trials in a row[\s\S]*objective/,
    );
    assert.equal(s3.trials(["failed"]).length, 7);
    await s3.close();
  } finally {
    cleanup();
  }
});

test("worker processes that cannot start end the search with their error, instead of being started again forever", async () => {
  const { dir, cleanup } = tempDir("fh-opt-");
  try {
    const study = await createStudy({ name: "nostart", storage: dir, space: fx.space, budget: 1, seed: 1 });
    const started: number[] = [];
    await assertFails(
      () =>
        study.optimize({
          data: fx.splits,
          trials: 2,
          workers: 1,
          model: fx.model,
          env: { FH_BACKEND: "no-such-backend" },
          onWorkerStart: (pid) => void started.push(pid),
        }),
      "state",
      /3 in a row died before they were ready/,
      /FH_BACKEND/,
    );
    assert.equal(started.length, 3);
    await study.close();
  } finally {
    cleanup();
  }
});
