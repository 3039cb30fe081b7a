import { test } from "node:test";
import assert from "node:assert/strict";
import { WorkerPool } from "../../src/study/pool.js";
import type { TrialJob } from "../../src/study/jobs.js";

const job = { trialId: "t0000", config: {}, seed: 1, toEpoch: 1 } as unknown as TrialJob;

test("a worker process that cannot be started at all fails the job with the cause instead of hanging", async () => {
  // fork() with a Node that does not exist: 'error' and 'close', never 'exit' (as when the machine
  // has no memory or process slots left). The job must not wait for that worker forever.
  const pool = new WorkerPool({ workers: 1, source: { kind: "builtin" }, execPath: "/nonexistent/node" });
  const t0 = Date.now();
  try {
    await assert.rejects(
      Promise.race([
        pool.run(job, () => {}),
        new Promise((_, reject) => setTimeout(() => reject(new Error("hung: no answer in 20 s")), 20_000).unref()),
      ]),
      (err: Error) => {
        assert.match(err.message, /worker processes must start: 3 in a row died before they were ready/);
        assert.match(err.message, /could not start a worker process: spawn \/nonexistent\/node ENOENT/);
        return true;
      },
    );
  } finally {
    pool.close();
  }
  assert.ok(Date.now() - t0 < 20_000);
});

test("local queue workers that cannot be started end at once: exited and close() resolve", async () => {
  const { startQueueWorkers } = await import("../../src/study/queue-processes.js");
  const w = startQueueWorkers({
    workers: 2,
    url: "postgres://nobody@127.0.0.1:1/none",
    study: "s",
    execPath: "/nonexistent/node",
  });
  const hung = new Promise((_, reject) => setTimeout(() => reject(new Error("hung: no exit in 20 s")), 20_000).unref());
  await Promise.race([w.exited, hung]);
  assert.deepEqual(w.pids(), []);
  await Promise.race([w.close(), hung]);
});
