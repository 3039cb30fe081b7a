// The study layer on a local directory: ask/tell with persisted trials, seeded asking, the write
// lock, read-only watchers, damaged files reported and skipped, a writer killed with SIGKILL,
// the estimator as a pruner, checkpoints kept for promotions, and the errors of misuse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createStudy, loadStudy } from "../../src/study/study-open.js";
import { estimatorPruner } from "../../src/search/pruners.js";
import { mutationSampler } from "../../src/search/samplers.js";
import { jointSpace, hpoCnnSpace } from "../../src/space/presets.js";
import { validateConfig } from "../../src/space/space.js";
import { earlyStopping } from "../../src/proxy/baselines.js";
import { captureWarnings } from "../../src/core/warn.js";
import { epochCount } from "../../src/history/feature-history.js";
import { tempDir, assertFails } from "../helpers/fixtures.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";

const space = jointSpace();

test("ask / report / tell persist every trial; a reopened study has them, histories included", async () => {
  const { dir, cleanup } = tempDir("fh-study-");
  try {
    const s = await createStudy({ name: "s", storage: dir, space, budget: 4, seed: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = await s.ask();
      validateConfig(space, t.config as Record<string, string>);
      assert.equal(t.state, "running");
      assert.equal(t.budget, 4);
      await s.report(t, { ...syntheticCandidate(0.2 * i, 4, i), seconds: 2 });
      await s.tell(t, "complete");
      ids.push(t.id);
    }
    assert.deepEqual(ids, ["t0000", "t0001", "t0002", "t0003", "t0004"]);
    assert.equal(new Set(s.trials().map((t) => JSON.stringify(t.config))).size, 5, "no configuration asked twice");
    assert.equal(s.best()?.id, "t0004");
    await s.close();
    const again = await loadStudy({ storage: dir });
    assert.equal(again.trials(["complete"]).length, 5);
    assert.equal(epochCount(again.trial("t0003").probeValidation!), 4);
    assert.equal(again.trial("t0003").seconds, 2);
    assert.deepEqual(again.problems, []);
    await again.close();
    await assertFails(
      async () => await loadStudy({ storage: dir, name: "other" }),
      "invalid-argument",
      /must be the stored study's name/,
      /holds "s"/,
    );
    // Seeded: a second study with the same seed asks the same configurations.
    const { dir: dir2, cleanup: c2 } = tempDir("fh-study-");
    const twin = await createStudy({ name: "s", storage: dir2, space, budget: 4, seed: 1 });
    const asked: unknown[] = [];
    for (let i = 0; i < 3; i++) asked.push((await twin.ask()).config);
    assert.deepEqual(
      asked,
      again
        .trials()
        .slice(0, 3)
        .map((t) => t.config),
    );
    await twin.close();
    await again.close();
    c2();
  } finally {
    cleanup();
  }
});

test("one writer at a time: a second gets a clear error, a reader does not need the lock", async () => {
  const { dir, cleanup } = tempDir("fh-study-");
  try {
    const s = await createStudy({ name: "s", storage: dir, space, budget: 2 });
    await assertFails(
      async () => await createStudy({ name: "s", storage: dir, space, budget: 2 }),
      "state",
      /one process at a time/,
      new RegExp(`pid ${process.pid}`),
      /readOnly/,
    );
    await s.report(await s.ask(), syntheticCandidate(0.5, 1, 0));
    const watcher = await loadStudy({ storage: dir, readOnly: true });
    assert.equal(watcher.trials().length, 1);
    await assertFails(() => watcher.ask(), "state", /read-only/);
    await s.close();
    const next = await loadStudy({ storage: dir });
    assert.equal(next.trials()[0]!.epochs, 1);
    await next.close();
    // A lock left by a process that no longer runs is taken over, with a warning.
    writeFileSync(
      join(dir, "study.lock"),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname(), since: "x" }),
    );
    const { result, warnings } = await captureWarnings(async () => await loadStudy({ storage: dir }));
    assert.match(warnings.join("\n"), /taking over the lock/);
    await result.close();
  } finally {
    cleanup();
  }
});

test("a damaged trial file is reported by name and skipped; longer histories are cut back", async () => {
  const { dir, cleanup } = tempDir("fh-study-");
  try {
    const s = await createStudy({ name: "s", storage: dir, space, budget: 4 });
    for (let i = 0; i < 3; i++) await s.report(await s.ask(), syntheticCandidate(0.5, 3, i));
    // A crash between writing histories (4 epochs) and the JSON (still 3): the JSON wins.
    const t2 = s.trial("t0002");
    await s.storage.commit({ ...t2, probeValidation: syntheticCandidate(0.5, 4, 9).probeValidation! });
    await s.close();
    writeFileSync(join(dir, "trials", "t0000.json"), "{ not json");
    writeFileSync(join(dir, "trials", "t0001.val.fhh"), new Uint8Array([1, 2, 3]));
    const { result, warnings } = await captureWarnings(async () => await loadStudy({ storage: dir, readOnly: true }));
    assert.deepEqual(
      result.trials().map((t) => t.id),
      ["t0002"],
    );
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0]!.file, /t0000\.json$/);
    assert.match(result.problems[1]!.message, /t0001\.val\.fhh/);
    assert.equal(warnings.length, 2);
    assert.equal(epochCount(result.trial("t0002").probeValidation!), 3);
  } finally {
    cleanup();
  }
});

test("a writer killed with SIGKILL at any moment leaves a study that loads whole", async () => {
  const { dir, cleanup } = tempDir("fh-study-");
  try {
    for (const wait of [150, 400, 700]) {
      const child = fork(fileURLToPath(new URL("../helpers/study-writer.js", import.meta.url)), [dir], {
        stdio: ["ignore", "ignore", "inherit", "ipc"],
      });
      await new Promise<void>((resolve) => child.once("message", () => resolve()));
      await new Promise((r) => setTimeout(r, wait));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const { result, warnings } = await captureWarnings(async () => await loadStudy({ storage: dir }));
      assert.deepEqual(result.problems, [], JSON.stringify(result.problems));
      assert.ok(result.trials().length > 0);
      for (const t of result.trials()) if (t.probeTrain) assert.equal(epochCount(t.probeTrain), t.epochs);
      assert.match(warnings.join("\n"), /taking over the lock/);
      await result.close();
    }
    assert.ok(!readdirSync(join(dir, "trials")).some((f) => f.endsWith(".json") && f.includes(".tmp")));
  } finally {
    cleanup();
  }
});

test("an estimator as pruner: below the best quarter at t stops, the score is kept with the trial", async () => {
  const { dir, cleanup } = tempDir("fh-study-");
  try {
    const pruner = estimatorPruner({ estimator: earlyStopping(), t: 2, keep: 0.25, warmup: 4 });
    const s = await createStudy({ name: "p", storage: dir, space: hpoCnnSpace(), budget: 6, pruner });
    const qualities = [0.5, 0.1, 0.3, 0.2, 0.05, 0.9, 0.02];
    const pruned: number[] = [];
    for (const [i, q] of qualities.entries()) {
      const t = await s.ask();
      await s.report(t, syntheticCandidate(q, 2, i));
      if (await s.shouldPrune(t)) {
        await s.tell(t, "pruned");
        pruned.push(i);
      } else {
        await s.report(t, syntheticCandidate(q, 6, i));
        await s.tell(t, "complete");
      }
    }
    // The first 4 are warm-up; then 0.05 and 0.02 are below the best quarter, 0.9 is the best.
    assert.deepEqual(pruned, [4, 6]);
    assert.ok(Number.isFinite(s.trial("t0004").scores["early stopping@2"]));
    assert.equal(s.best()?.id, "t0005");
    await s.close();
  } finally {
    cleanup();
  }
});

test("checkpoints: one per reported epoch replaces the last; kept for a pruned trial, dropped when complete", async () => {
  const { dir, cleanup } = tempDir("fh-study-");
  try {
    const s = await createStudy({ name: "c", storage: dir, space, budget: 3 });
    let t = await s.ask();
    t = await s.report(t, syntheticCandidate(0.4, 1, 0), { checkpoint: new Uint8Array([1, 2, 3, 4]) });
    t = await s.tell(t, "pruned");
    assert.equal(t.checkpointEpoch, 1);
    t = await s.resume(t);
    assert.equal(t.state, "running");
    assert.equal(t.attempts, 2);
    assert.deepEqual(Array.from((await s.loadCheckpoint(t))!), [1, 2, 3, 4]);
    t = await s.report(t, syntheticCandidate(0.4, 2, 0), { checkpoint: new Uint8Array([5, 6]) });
    assert.deepEqual(readdirSync(join(dir, "checkpoints")), ["t0000.2.ckpt"]);
    assert.deepEqual(Array.from((await s.loadCheckpoint(t))!), [5, 6]);
    await s.report(t, syntheticCandidate(0.4, 3, 0));
    t = await s.tell(t, "complete");
    assert.equal(t.checkpointEpoch, undefined);
    assert.deepEqual(readdirSync(join(dir, "checkpoints")), []);
    await s.close();
  } finally {
    cleanup();
  }
});

test("misuse is a clear error", async () => {
  const { dir, cleanup } = tempDir("fh-study-");
  try {
    const s = await createStudy({ name: "m", storage: dir, space, budget: 3 });
    const t = await s.ask();
    await assertFails(() => s.tell(t, "complete"), "state", /trained to the budget \(3 epochs\)/);
    await assertFails(() => s.tell(t, "failed"), "invalid-argument", /options\.error/);
    await assertFails(() => s.report(t, syntheticCandidate(0.5, 5, 0)), "invalid-argument", /report\.curves/, /3/);
    await s.tell(t, "failed", { error: { name: "Error", message: "boom", epoch: 1 } });
    await assertFails(() => s.report(t, syntheticCandidate(0.5, 1, 0)), "state", /must be running/);
    await assertFails(() => s.ask({ config: { family: "mlp" } }), "invalid-argument", /family/);
    await assertFails(() => s.trial("t9999"), "invalid-argument", /t0000/);
    await s.close();
    await assertFails(
      async () => await createStudy({ name: "other", storage: dir, space, budget: 3 }),
      "state",
      /different study/,
      /fh\.study\.load/,
    );
    const reopened = await createStudy({ name: "m", storage: dir, space, budget: 3 });
    assert.equal(reopened.trials().length, 1);
    await reopened.close();
    await assertFails(
      async () => await createStudy({ name: "x", storage: dir, space, budget: 0 }),
      "invalid-argument",
      /budget/,
    );
    await assertFails(
      async () => await createStudy({ name: "x", storage: 7 as never, space, budget: 2 }),
      "invalid-argument",
      /storage/,
    );
    await assertFails(
      async () => await loadStudy({ storage: join(dir, "nope"), readOnly: true }),
      "data-missing",
      /study\.json/,
    );
    await assertFails(
      async () => await createStudy({ name: "x", storage: dir, space, budget: 2, epochs: 2 } as never),
      "unknown-option",
      /epochs/,
    );
  } finally {
    cleanup();
  }
});

test("a mutation sampler asks one-parameter changes of the tournament winners once it has a population", async () => {
  const { dir, cleanup } = tempDir("fh-study-");
  try {
    const sampler = mutationSampler({ population: 4, tournament: 2, explore: 0 });
    const s = await createStudy({ name: "evo", storage: dir, space: hpoCnnSpace(), budget: 2, seed: 8, sampler });
    const first: Record<string, unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      const t = await s.ask();
      if (i >= 4) {
        // Differs from some earlier trial in exactly one of the parameters both have (a changed
        // parent may also switch conditional ones on or off).
        const diffs = first.map((c) => {
          const shared = Object.keys(c).filter((k) => k in t.config);
          return shared.filter((k) => JSON.stringify(c[k]) !== JSON.stringify(t.config[k])).length;
        });
        assert.equal(Math.min(...diffs), 1, `trial ${i}: ${Math.min(...diffs)} parameters changed`);
      }
      first.push(t.config);
      await s.report(t, syntheticCandidate(0.1 * (i % 5), 2, i));
      await s.tell(t, "complete");
    }
    assert.equal(new Set(first.map((c) => JSON.stringify(c))).size, 10, "no configuration twice");
    await s.close();
    await Promise.resolve();
    assertFailsSync(() => mutationSampler({ population: 1 }), /population/);
  } finally {
    cleanup();
  }
});

function assertFailsSync(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: Error) => pattern.test(e.message));
}
