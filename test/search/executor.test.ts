import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadTrials, saveTrial, finishedTrialIds } from "../../src/search/store.js";
import { appendEpoch, createHistory, epochFeatures } from "../../src/history/feature-history.js";
import { emptyCurves } from "../../src/history/curves.js";
import { assertFails, tempDir } from "../helpers/fixtures.js";

const driver = resolve(import.meta.dirname, "..", "helpers", "study-driver.js");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const finished = (dir: string) => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch {
    return [];
  }
};

function startDriver(dir: string): { child: ChildProcess; lines: string[]; done: Promise<number | null> } {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", driver, dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  child.stdout!.on("data", (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean)));
  const done = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, lines, done };
}

test(
  "a killed worker and a killed parent: the study resumes without retraining finished trials",
  { timeout: 300000 },
  async () => {
    const { dir, cleanup } = tempDir("fh-study-");
    try {
      const first = startDriver(dir);
      while (finished(dir).length < 1) await sleep(100);
      const pids = first.lines.map((l) => JSON.parse(l) as { worker?: number; pid?: number }).filter((o) => o.pid);
      assert.ok(pids.length >= 2, "two workers started");
      process.kill(pids[0]!.pid!, "SIGKILL"); // a worker dies mid-study: it is replaced, its task retried
      while (finished(dir).length < 3) await sleep(100);
      first.child.kill("SIGKILL"); // then the parent dies
      await first.done;
      await sleep(500);
      const before = finished(dir);
      assert.ok(before.length >= 3 && before.length < 6, `killed with ${before.length} of 6 finished`);
      const mtimes = new Map(before.map((f) => [f, statSync(join(dir, f)).mtimeMs]));
      assert.ok(
        first.lines.filter((l) => l.includes('"worker"')).length >= 3,
        "the killed worker was replaced by a new process",
      );

      const second = startDriver(dir);
      assert.equal(await second.done, 0);
      const summary = JSON.parse(second.lines.at(-1)!) as { trained: number; skipped: number; trials: number };
      assert.equal(summary.skipped, before.length);
      assert.equal(summary.trained, 6 - before.length);
      assert.equal(summary.trials, 6);
      for (const [f, m] of mtimes) assert.equal(statSync(join(dir, f)).mtimeMs, m, `${f} was rewritten: retrained`);
      const trials = loadTrials(dir);
      assert.ok(
        trials.every((t) => t.status === "complete"),
        JSON.stringify(trials.map((t) => [t.id, t.status, t.error?.message])),
      );
      assert.ok(trials.every((t) => t.curves.valAcc.length === 3 && t.probeValidation!.blocks.length === 3));
      assert.equal(new Set(trials.map((t) => t.worker)).size, 2, "both workers trained");
      // No temporary files left behind.
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.includes(".tmp-")),
        [],
      );
    } finally {
      cleanup();
    }
  },
);

test("trial records round-trip with their histories; corrupt ones are named", async () => {
  const { dir, cleanup } = tempDir("fh-store-");
  try {
    let h = createHistory(2, 3, Uint8Array.from([0, 1]), "float16");
    h = appendEpoch(h, Float32Array.from([1, 2, 3, 4, 5, 6]));
    saveTrial(dir, {
      id: "c1",
      config: { family: "cnn" },
      status: "complete",
      curves: { ...emptyCurves(), valAcc: [0.5] },
      probeTrain: h,
      probeValidation: h,
      seconds: 1,
    });
    saveTrial(dir, {
      id: "c2",
      config: { family: "cnn" },
      status: "failed",
      error: { name: "Error", message: "diverged", epoch: 1 },
      curves: emptyCurves(),
      seconds: 1,
    });
    assert.deepEqual([...finishedTrialIds(dir)].sort(), ["c1", "c2"]);
    const [a, b] = loadTrials(dir);
    assert.deepEqual(Array.from(epochFeatures(a!.probeValidation!, 1)), [1, 2, 3, 4, 5, 6]);
    assert.equal(b!.error!.message, "diverged");
    assert.equal(loadTrials(dir, { histories: false })[0]!.probeTrain, undefined);
    await assertFails(
      () => saveTrial(dir, { id: "../x", config: {}, status: "failed", curves: emptyCurves(), seconds: 0 }),
      "invalid-argument",
      /trial id/,
    );
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "c3.json"), JSON.stringify({ format: "other" }));
    await assertFails(() => loadTrials(dir), "data-corrupt", /c3\.json/, /remove the file/);
  } finally {
    cleanup();
  }
});
