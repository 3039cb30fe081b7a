// Partitions, not only crashes: a worker or the scheduler runs in a network namespace
// (test/helpers/netns.ts) and reaches the test's PostgreSQL server only through a veth pair,
// whose link the test cuts for longer than the stale time while the process goes on running,
// then restores. A cut-off worker's job is reclaimed and finished by a worker on the host, and
// nothing the cut-off worker does once the link is back lands in the study (its lease is gone); it
// goes on with new jobs. A cut-off scheduler sends nothing while cut off, resumes, and never sends
// a job twice. The objective tags each epoch with its worker's pid (valLoss), so the final curves
// say whose write of every epoch landed. Skipped (with the reason) without root or iproute2.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createStudy, loadStudy } from "../../src/study/study-open.js";
import { startQueueWorkers } from "../../src/study/queue-processes.js";
import { queueName } from "../../src/study/queue.js";
import { tempDir } from "../helpers/fixtures.js";
import { NETNS_NETWORK, createNetns, type Netns } from "../helpers/netns.js";
import { PG_PASSWORD, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { syntheticSpace } from "../helpers/pg-scheduler.js";
import { helpersDir, taggedModule } from "../helpers/partition-scheduler.js";

const bin = fileURLToPath(new URL("../../../bin/feature-histories.mjs", import.meta.url));
const objective = { module: taggedModule, exportName: "taggedSynthetic" };
const CUT_SECONDS = Number(process.env.FH_PARTITION_SECONDS ?? 8);
const SIDE = (process.env.FH_PARTITION_SIDE ?? "host") as "host" | "inside";
const STALE_SECONDS = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, seconds = 60, detail = () => "") => {
  const end = Date.now() + seconds * 1000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await sleep(50);
  }
};

interface LogLine {
  readonly trial: string;
  readonly epoch: number;
  readonly pid: number;
}

/** The objective's epoch log (FH_OBJECTIVE_LOG): one line per epoch trained, in order. */
function epochLines(file: string): LogLine[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [trial, epoch, pid] = l.split(" ");
      return { trial: trial!, epoch: Number(epoch), pid: Number(pid) };
    });
}

/** A process whose stdout and stderr are kept as lines stamped with Date.now(). */
interface Proc {
  readonly child: ChildProcess;
  readonly lines: { readonly at: number; readonly text: string }[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  text(): string;
  kill(): void;
}

function startProc(argv: [string, string[]], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(argv[0], argv[1], { env, stdio: ["ignore", "pipe", "pipe"] });
  const lines: { at: number; text: string }[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = "";
    stream.on("data", (b: Buffer) => {
      const parts = (rest + b.toString()).split("\n");
      rest = parts.pop()!;
      for (const text of parts) lines.push({ at: Date.now(), text });
    });
    stream.on("end", () => void (rest && lines.push({ at: Date.now(), text: rest })));
  }
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exit,
    text: () => lines.map((l) => l.text).join("\n"),
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** Every job of the study's queue, in pg-boss's tables (live and archived). */
async function jobRows(url: string, study: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cols = `id, state::text AS state, retry_count, data->>'trialId' AS trial, (data->>'toEpoch')::int AS "to",
      created_on, started_on, completed_on, output`;
    const r = await c.query<{
      id: string;
      state: string;
      retry_count: number;
      trial: string;
      to: number;
      created_on: Date;
      started_on: Date | null;
      completed_on: Date | null;
      output: { status?: string } | null;
    }>(
      `SELECT ${cols} FROM feature_histories_queue.job WHERE name = $1
       UNION ALL SELECT ${cols} FROM feature_histories_queue.archive WHERE name = $1 ORDER BY created_on`,
      [queueName(study)],
    );
    return r.rows;
  } finally {
    await c.end();
  }
}

interface Setup {
  readonly ns: Netns;
  readonly cluster: PgCluster;
  readonly url: string;
  /** Run `fn` after the test, whatever its outcome: the last deferred first, the namespace last of all. */
  readonly defer: (fn: () => unknown) => void;
}

/** A namespace and a server that listens on the host side of its link too. */
async function setup(t: TestContext, db: string): Promise<Setup | undefined> {
  const ns = createNetns(t); // cleaned up by its own t.after, after the hook below
  if (!ns) return undefined;
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of stack.reverse())
      try {
        await fn();
      } catch (err) {
        t.diagnostic(`cleanup: ${(err as Error).message}`);
      }
  });
  const defer = (fn: () => unknown) => void stack.push(fn);
  const cluster = await startPostgres({ listen: [ns.hostIp], allow: [NETNS_NETWORK] });
  defer(() => cluster.destroy());
  const url = await cluster.createDatabase(db);
  return { ns, cluster, url, defer };
}

test(
  "a worker cut off mid-trial: its job is reclaimed and finished on the host; back, it writes nothing for it and takes new work",
  { timeout: 120_000 },
  async (t) => {
    const s = await setup(t, "fh_cut");
    if (!s) return;
    const { ns, cluster, url, defer } = s;
    const { dir, cleanup } = tempDir("fh-partition-");
    defer(cleanup);
    const log = join(dir, "epochs.log");
    const objectiveEnv = { FH_OBJECTIVE_LOG: log, FH_OBJECTIVE_SLEEP_MS: "300" };
    const budget = 6;
    const trials = 16;
    const study = await createStudy({ name: "cut", storage: url, space: syntheticSpace(), budget, seed: 21 });
    defer(() => study.close());
    // The worker in the namespace, by the command line; the password from PGPASSWORD.
    const cut = startProc(
      ns.command(process.execPath, [
        bin,
        "worker",
        "--storage",
        cluster.url("fh_cut", "", ns.hostIp),
        "--study",
        "cut",
        "--code",
        helpersDir,
        "--stale",
        String(STALE_SECONDS),
        "--heartbeat",
        "0.5",
      ]),
      { ...process.env, ...objectiveEnv, PGPASSWORD: PG_PASSWORD },
    );
    defer(() => cut.kill());
    const host = startQueueWorkers({
      workers: 1,
      url,
      study: "cut",
      code: [helpersDir],
      staleSeconds: STALE_SECONDS,
      heartbeatSeconds: 0.5,
      env: objectiveEnv,
      ...(process.env.FH_TEST_VERBOSE ? { verbose: true } : {}),
    });
    defer(() => host.close());
    const hostPid = host.pids()[0]!;
    const cutPid = cut.child.pid!;
    const detail = () => `cut-off worker ${cutPid}:\n${cut.text()}`;
    const running = study.optimize({
      objective,
      code: [helpersDir],
      trials,
      workers: 0,
      concurrency: 2,
      stopOnSigint: false,
    });
    let victim = "";
    try {
      // Mid-trial: it has written an epoch of the trial it holds and has more to go.
      await waitFor(
        "the namespaced worker's first epoch",
        () => {
          const m = [...cut.text().matchAll(/^(t\d+) epoch ([1-3])$/gm)].at(-1);
          if (!m || new RegExp(`^${m[1]} done`, "m").test(cut.text())) return false;
          victim = m[1]!;
          return true;
        },
        60,
        detail,
      );
      const cutAt = Date.now();
      ns.down(SIDE);
      const linesAtCut = epochLines(log).length;
      await sleep(CUT_SECONDS * 1000);
      // Longer if need be, until the host's worker holds the victim's job: a worker hands a stale job
      // back between two jobs of its own, and pg-boss retries it after its back-off (2 to 4 s).
      await waitFor(
        "the host's worker to take the victim's job over",
        async () => {
          const j = (await jobRows(url, "cut")).find((x) => x.trial === victim);
          return !!j && j.retry_count >= 1 && (j.state === "active" || j.state === "completed");
        },
        30,
        detail,
      );
      ns.up();
      const upAt = Date.now();
      const linesAtUp = epochLines(log).length;
      t.diagnostic(`cut ${victim} of worker ${cutPid} for ${((upAt - cutAt) / 1000).toFixed(1)} s`);
      // Back: the late writes of the victim's epochs find the lease gone; the worker drops the trial.
      await waitFor(
        "the cut-off worker to drop its trial",
        () => cut.text().includes(`${victim} dropped: another worker took it over`),
        40,
        detail,
      );
      // ... and takes new work.
      await waitFor(
        "the cut-off worker to take a job after the link is back",
        () => cut.lines.some((l) => l.at > upAt && / taken \(to epoch \d+\)$/.test(l.text)),
        40,
        detail,
      );
      const r = await running;
      assert.deepEqual([r.complete, r.failed, r.interrupted], [trials, 0, 0]);
      cut.child.kill("SIGTERM");
      const end = await cut.exit;
      assert.deepEqual(end, { code: 0, signal: null }, detail());
      assert.match(cut.text(), /^stopped: \d+ jobs \(0 failed trials\), 0 handed back/m);
      assert.ok(!cut.text().includes(PG_PASSWORD));
      await host.close();

      const lines = epochLines(log);
      const trained = (trial: string, epoch: number, pid: number) =>
        lines.some((l) => l.trial === trial && l.epoch === epoch && l.pid === pid);
      const final = await loadStudy({ storage: url, name: "cut", readOnly: true });
      const all = final.trials();
      await final.close();
      assert.equal(all.length, trials);
      for (const tr of all) {
        // Every trial complete at its budget: never an epoch more than the budget, none twice in its curves.
        assert.equal(tr.state, "complete", tr.id);
        assert.equal(tr.epochs, budget, tr.id);
        assert.equal(tr.curves.valAcc.length, budget, tr.id);
        // Each epoch in the curves came from one worker, which trained that very epoch.
        tr.curves.valLoss.forEach((pid, i) => {
          assert.ok(pid === cutPid || pid === hostPid, `${tr.id} epoch ${i + 1} tagged ${pid}`);
          assert.ok(trained(tr.id, i + 1, pid), `${tr.id} epoch ${i + 1}: worker ${pid} never trained it`);
        });
      }
      // The victim: the epochs written before the cut are the cut-off worker's, the rest the host's.
      const tags = all.find((x) => x.id === victim)!.curves.valLoss;
      const k = tags.findIndex((p) => p !== cutPid);
      assert.ok(k >= 1 && k < budget, `${victim}'s epochs by worker: ${tags.join(" ")}`);
      assert.ok(
        tags.slice(k).every((p) => p === hostPid),
        `${victim}: after the cut-off worker's epochs, only the host worker's: ${tags.join(" ")}`,
      );
      // What the cut-off worker trained for the victim once cut off never landed.
      const late = lines.slice(linesAtCut).filter((l) => l.pid === cutPid && l.trial === victim);
      for (const l of late) assert.equal(tags[l.epoch - 1], hostPid, `${victim} epoch ${l.epoch} written late`);
      // At most the epoch in progress at the cut was trained twice.
      const counts = new Map<string, number>();
      for (const l of lines) counts.set(`${l.trial}@${l.epoch}`, (counts.get(`${l.trial}@${l.epoch}`) ?? 0) + 1);
      const twice = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
      assert.ok(twice.length <= 1 && twice.every((key) => key.startsWith(`${victim}@`)), `trained twice: ${twice}`);
      // The victim's job was handed back (stale heartbeat) and completed by the host worker.
      const jobs = await jobRows(url, "cut");
      if (process.env.FH_TEST_VERBOSE) {
        const rel = (d: Date | number | null) => (d === null ? "-" : ((+d - cutAt) / 1000).toFixed(2));
        for (const j of jobs)
          t.diagnostic(
            `${j.trial} created ${rel(j.created_on)} started ${rel(j.started_on)} completed ${rel(j.completed_on)} retries ${j.retry_count}`,
          );
        t.diagnostic(`up at ${rel(upAt)}`);
        for (const l of cut.lines) t.diagnostic(`${rel(l.at)} ${l.text}`);
      }
      const victimJobs = jobs.filter((j) => j.trial === victim);
      assert.equal(victimJobs.length, 1, JSON.stringify(victimJobs));
      assert.equal(victimJobs[0]!.state, "completed");
      assert.ok(victimJobs[0]!.retry_count >= 1, "the victim's job was never retried");
      assert.equal(victimJobs[0]!.output?.status, "done");
      assert.ok(
        jobs.every((j) => j.state === "completed"),
        JSON.stringify(jobs.map((j) => j.state)),
      );
      // Once back, the cut-off worker went on: it trained epochs of other trials that landed.
      const after = lines.slice(linesAtUp).filter((l) => l.pid === cutPid && l.trial !== victim);
      assert.ok(after.length > 0, "the cut-off worker trained nothing after the link came back");
      assert.ok(
        all.some((x) =>
          x.curves.valLoss.some((p, i) => p === cutPid && after.some((l) => l.trial === x.id && l.epoch === i + 1)),
        ),
        "none of the cut-off worker's epochs after the link came back landed",
      );
    } catch (err) {
      t.diagnostic(detail());
      throw err;
    }
  },
);

test(
  "a scheduler cut off: it sends nothing while cut off, resumes, never sends a job twice; every epoch trained once",
  { timeout: 120_000 },
  async (t) => {
    const s = await setup(t, "fh_sched");
    if (!s) return;
    const { ns, cluster, url, defer } = s;
    const { dir, cleanup } = tempDir("fh-partition-");
    defer(cleanup);
    const log = join(dir, "epochs.log");
    const trials = 24;
    const budget = 3;
    const workers = startQueueWorkers({
      workers: 2,
      url,
      study: "sched",
      code: [helpersDir],
      staleSeconds: STALE_SECONDS,
      heartbeatSeconds: 0.5,
      env: { FH_OBJECTIVE_LOG: log, FH_OBJECTIVE_SLEEP_MS: "100" },
      ...(process.env.FH_TEST_VERBOSE ? { verbose: true } : {}),
    });
    defer(() => workers.close());
    const workerPids = workers.pids();
    const sched = startProc(ns.command(process.execPath, [taggedModule]), {
      ...process.env,
      PGPASSWORD: PG_PASSWORD,
      FH_TEST_URL: cluster.url("fh_sched", "", ns.hostIp),
      FH_TEST_STUDY: "sched",
      FH_TEST_TRIALS: String(trials),
      FH_TEST_BUDGET: String(budget),
      FH_TEST_CONCURRENCY: "3",
    });
    defer(() => sched.kill());
    const detail = () => `scheduler ${sched.child.pid}:\n${sched.text()}`;
    const events = () =>
      sched.lines.flatMap((l) => {
        const m = /^event (\d+) (.*)$/.exec(l.text);
        return m ? [{ at: Number(m[1]), event: m[2]! }] : [];
      });
    try {
      await waitFor(
        "five trials to complete",
        () => events().filter((e) => / complete$/.test(e.event)).length >= 5,
        60,
        detail,
      );
      const cutAt = Date.now();
      ns.down(SIDE);
      const linesAtCut = epochLines(log).length;
      await sleep(CUT_SECONDS * 1000);
      const linesAtUp = epochLines(log).length;
      ns.up();
      const upAt = Date.now();
      t.diagnostic(`cut the scheduler for ${((upAt - cutAt) / 1000).toFixed(1)} s`);
      const end = await sched.exit;
      assert.deepEqual(end, { code: 0, signal: null }, detail());
      const result = /^result (.*)$/m.exec(sched.text());
      assert.ok(result, detail());
      const r = JSON.parse(result[1]!) as { complete: number; pruned: number; failed: number; interrupted: number };
      assert.deepEqual([r.complete, r.pruned, r.failed, r.interrupted], [trials, 0, 0, 0]);
      await workers.close();

      const jobs = await jobRows(url, "sched");
      // Nothing sent while cut off (a send in flight at the cut may land just after it: 1 s of slack);
      // sending resumed once the link was back.
      const during = jobs.filter((j) => j.created_on.getTime() > cutAt + 1000 && j.created_on.getTime() < upAt);
      assert.deepEqual(
        during.map((j) => `${j.trial}->${j.to}`),
        [],
        "jobs sent while cut off",
      );
      assert.ok(
        jobs.some((j) => j.created_on.getTime() >= upAt),
        "no job sent after the link came back",
      );
      assert.ok(
        events().some((e) => e.at >= upAt && / asked$/.test(e.event)),
        "the scheduler asked no trial after the link came back",
      );
      // Each trial's job sent once per epoch range: to epoch 1 (the pruner's decision), then to the budget.
      const byTrial = new Map<string, number[]>();
      for (const j of jobs) byTrial.set(j.trial, [...(byTrial.get(j.trial) ?? []), j.to]);
      assert.equal(byTrial.size, trials);
      for (const [id, tos] of byTrial) assert.deepEqual(tos, [1, budget], `${id}'s jobs`);
      assert.ok(
        jobs.every((j) => j.state === "completed" && j.retry_count === 0 && j.output?.status === "done"),
        JSON.stringify(jobs.map((j) => [j.trial, j.to, j.state, j.retry_count])),
      );
      // Every (trial, epoch) trained exactly once, by the host's workers.
      const lines = epochLines(log);
      const counts = new Map<string, number>();
      for (const l of lines) counts.set(`${l.trial}@${l.epoch}`, (counts.get(`${l.trial}@${l.epoch}`) ?? 0) + 1);
      assert.equal(counts.size, trials * budget);
      assert.deepEqual([...new Set(counts.values())], [1], "an epoch trained twice");
      // While the scheduler was cut off, the workers only finished jobs sent before the cut.
      const sentBefore = jobs.filter((j) => j.created_on.getTime() <= cutAt + 1000);
      for (const l of lines.slice(linesAtCut, linesAtUp))
        assert.ok(
          sentBefore.some((j) => j.trial === l.trial && l.epoch <= j.to),
          `${l.trial} epoch ${l.epoch} trained while cut off without a job sent before the cut`,
        );
      const study = await loadStudy({ storage: url, name: "sched", readOnly: true });
      const all = study.trials();
      await study.close();
      assert.equal(all.length, trials);
      for (const tr of all) {
        assert.equal(tr.state, "complete", tr.id);
        assert.equal(tr.epochs, budget, tr.id);
        assert.equal(tr.curves.valAcc.length, budget, tr.id);
        for (const pid of tr.curves.valLoss) assert.ok(workerPids.includes(pid), `${tr.id} tagged ${pid}`);
      }
      if (process.env.FH_TEST_VERBOSE) t.diagnostic(detail());
    } catch (err) {
      t.diagnostic(detail());
      throw err;
    }
  },
);
