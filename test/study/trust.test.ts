// Trust in a shared study (issue 20): a job row in the database cannot make a worker run code of
// the writer's choice, a worker survives PostgreSQL restarting under it, and no password shows in
// a printed study, an error or the command line. Real PostgreSQL on 127.0.0.1, real processes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createStudy } from "../../src/study/study-open.js";
import { startQueueWorkers } from "../../src/study/queue-processes.js";
import { worker } from "../../src/study/queue-worker.js";
import { codeRefOf, resolveCodeRef } from "../../src/study/code.js";
import { redact } from "../../src/storage/postgres/db.js";
import { FeatureHistoriesError } from "../../src/core/errors.js";
import { createRng } from "../../src/core/random.js";
import { assertFails, tempDir } from "../helpers/fixtures.js";
import { PG_PASSWORD, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { objectiveModule, syntheticSpace } from "../helpers/pg-scheduler.js";

let cluster: PgCluster;
let dbCount = 0;
before(async () => void (cluster = await startPostgres()));
after(() => cluster?.destroy());
const newDb = () => cluster.createDatabase(`fh_trust${dbCount++}`);

const OBJECTIVE = `export function objective(config, { epoch }) { return { valAcc: 0.5 + 0.01 * epoch, testAcc: 0.5 }; }\n`;
const evil = (marker: string) =>
  `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "ran");\n` +
  `export function objective() { return 0.99; }\n`;

/** A code folder with the study's objective, and outside it an attacker's module that leaves a marker. */
function codeFolder() {
  const { dir, cleanup } = tempDir("fh-trust-");
  const code = join(dir, "code");
  mkdirSync(code);
  writeFileSync(join(code, "objective.mjs"), OBJECTIVE);
  const marker = join(dir, "attacker-ran");
  const outside = join(dir, "evil.mjs");
  writeFileSync(outside, evil(marker));
  return { dir, code, marker, outside, cleanup };
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

test("code references: only plain relative paths under the worker's roots, at the scheduler's hash", async () => {
  const f = codeFolder();
  try {
    const ref = codeRefOf({ module: join(f.code, "objective.mjs"), exportName: "objective" }, [f.code], "options");
    assert.equal(ref.module, "objective.mjs");
    assert.match(ref.sha256, /^[0-9a-f]{64}$/);
    assert.match(resolveCodeRef(ref, [f.code], "job"), /^file:\/\/.*\/code\/objective\.mjs$/);
    symlinkSync(f.outside, join(f.code, "link.mjs"));
    const refused = (module: string, rule: RegExp, sha256 = ref.sha256) =>
      assert.throws(
        () => resolveCodeRef({ module, exportName: "objective", sha256 }, [f.code], "job.spec.model"),
        (e: unknown) =>
          e instanceof FeatureHistoriesError && rule.test(e.message) && /job\.spec\.model/.test(e.message),
        module,
      );
    for (const m of [
      f.outside,
      `file://${f.outside}`,
      "data:text/javascript,export const objective = () => 1",
      "node:fs",
      "http://127.0.0.1/evil.mjs",
      "../evil.mjs",
      "sub/../../evil.mjs",
      "./objective.mjs",
      "objective.mjs\0.js",
      "objective.ts",
      "a\\..\\evil.mjs",
    ])
      refused(m, /plain relative path/);
    refused("link.mjs", /must resolve inside the worker's code root/);
    refused("missing.mjs", /under one of this worker's code roots/);
    refused("objective.mjs", /hashes to sha256 [0-9a-f]{64}, the job names 0{64}/, "0".repeat(64));
    assert.throws(() =>
      resolveCodeRef({ module: "objective.mjs", exportName: "x;y", sha256: ref.sha256 }, [f.code], "job"),
    );
    assert.throws(() => resolveCodeRef(null, [f.code], "job"), FeatureHistoriesError);
    // The scheduler refuses what its workers could not resolve.
    assert.throws(
      () => codeRefOf({ module: f.outside, exportName: "objective" }, [f.code], "options.objective"),
      /must lie inside one of the study's code roots/,
    );
    assert.throws(
      () => codeRefOf({ module: "pg", exportName: "Client" }, undefined, "options.model"),
      /must be a file/,
    );
  } finally {
    f.cleanup();
  }
});

/**
 * A pending job rewritten by whoever can write the database: the worker refuses it before
 * importing anything, hands it back (retry, not completed) and stops with an error naming the module.
 */
async function attack(
  name: string,
  mutate: (url: string, f: ReturnType<typeof codeFolder>) => Promise<void>,
  message: RegExp,
): Promise<void> {
  const f = codeFolder();
  const url = await newDb();
  const study = await createStudy({ name, storage: url, space: syntheticSpace(), budget: 2, seed: 3 });
  const stop = new AbortController();
  try {
    const running = study.optimize({
      objective: { module: join(f.code, "objective.mjs"), exportName: "objective" },
      code: f.code,
      trials: 1,
      workers: 0,
      concurrency: 1,
      stopOnSigint: false,
      signal: stop.signal,
    });
    for (let i = 0; i < 200; i++) {
      const jobs = await sql(url, "SELECT id FROM feature_histories_queue.job WHERE state = 'created'").catch(() => []);
      if (jobs.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await mutate(url, f);
    await assertFails(
      () => worker({ storage: url, study: name, code: [f.code], idleSeconds: 5 }),
      "invalid-argument",
      message,
    );
    assert.ok(!existsSync(f.marker), "the attacker's module ran");
    const states = await sql<{ state: string }>(url, "SELECT state FROM feature_histories_queue.job");
    assert.deepEqual(
      states.map((r) => r.state),
      ["retry"],
    );
    stop.abort();
    const r = await running;
    assert.equal(r.complete, 0);
  } finally {
    stop.abort();
    await study.close();
    f.cleanup();
  }
}

const setModule = (module: string) => (url: string) =>
  sql(url, "UPDATE feature_histories_queue.job SET data = jsonb_set(data, '{spec,model,module}', to_jsonb($1::text))", [
    module,
  ]).then(() => undefined);

test(
  "job-row attack: a file outside the roots by absolute path is refused, nothing imported",
  { timeout: 120_000 },
  () => attack("abs", (url, f) => setModule(f.outside)(url), /plain relative path/),
);

test("job-row attack: a data: URL (code in the row alone) is refused", { timeout: 120_000 }, () =>
  attack(
    "dataurl",
    (url, f) => setModule(`data:text/javascript,${encodeURIComponent(evil(f.marker))}`)(url),
    /plain relative path.*data:/s,
  ),
);

test(
  "job-row attack: a path that leaves the roots, and a symlink out of them, are refused",
  { timeout: 120_000 },
  async () => {
    await attack("dotdot", setModule("../evil.mjs"), /plain relative path/);
    await attack(
      "symlink",
      async (url, f) => {
        symlinkSync(f.outside, join(f.code, "helper.mjs"));
        await setModule("helper.mjs")(url);
      },
      /must resolve inside the worker's code root/,
    );
  },
);

test("job-row attack: changed file contents fail the hash check, naming both hashes", { timeout: 120_000 }, () =>
  attack(
    "changed",
    async (_url, f) => writeFileSync(join(f.code, "objective.mjs"), evil(f.marker)),
    /objective\.mjs hashes to sha256 [0-9a-f]{64}, the job names [0-9a-f]{64}/,
  ),
);

test("the same job, untouched, runs on a worker given the code folder", { timeout: 120_000 }, async () => {
  const f = codeFolder();
  const url = await newDb();
  const study = await createStudy({ name: "honest", storage: url, space: syntheticSpace(), budget: 2, seed: 3 });
  try {
    const running = study.optimize({
      objective: { module: join(f.code, "objective.mjs"), exportName: "objective" },
      code: f.code,
      trials: 2,
      workers: 0,
      concurrency: 1,
      stopOnSigint: false,
    });
    const w = worker({ storage: url, study: "honest", code: f.code, idleSeconds: 3 });
    const r = await running;
    assert.deepEqual([r.complete, r.failed], [2, 0]);
    assert.equal((await w).jobs, 2);
  } finally {
    await study.close();
    f.cleanup();
  }
});

test(
  "secrets: a printed or serialised study, errors and the CLI never show the password",
  { timeout: 120_000 },
  async () => {
    const url = await newDb();
    const study = await createStudy({ name: "secret", storage: url, space: syntheticSpace(), budget: 2, seed: 1 });
    try {
      const enc = encodeURIComponent(PG_PASSWORD);
      for (const text of [inspect(study, { depth: 10 }), JSON.stringify(study), inspect(study.storage, { depth: 10 })])
        assert.ok(!text.includes(PG_PASSWORD) && !text.includes(enc), text.slice(0, 400));
      assert.match(inspect(study.storage), /postgres:\/\/fh:\*\*\*@127\.0\.0\.1/);
    } finally {
      await study.close();
    }
    assert.equal(redact("postgres://fh:p@ss@word@db.lab/x"), "postgres://fh:***@db.lab/x");
    assert.equal(
      redact("postgres://fh@db/x?password=SECRET&sslmode=off"),
      "postgres://fh@db/x?password=***&sslmode=off",
    );
    assert.equal(redact("host=db password='a b' user=fh"), "host=db password=*** user=fh");
    assert.equal(
      redact("see postgres://u:x@h/d and postgresql://v:y@h/d"),
      "see postgres://u:***@h/d and postgresql://v:***@h/d",
    );
    // Strings that start like a URL are refused, never taken as a directory named after the password.
    const { dir, cleanup } = tempDir("fh-near-url-");
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      for (const storage of [` postgres://fh:SECRET@h/db`, "postgres:/fh:SECRET@h/db", "postgresql:fh:SECRET@h"]) {
        const e = await assertFails(
          async () => await createStudy({ name: "x", storage, space: syntheticSpace(), budget: 2 }),
          "invalid-argument",
          /starts like a URL/,
        );
        assert.ok(!e.message.includes("SECRET"), e.message);
      }
      assert.equal(spawnSync("find", [dir, "-name", "*SECRET*"], { encoding: "utf8" }).stdout, "");
    } finally {
      process.chdir(cwd);
      cleanup();
    }
    // The CLI refuses a password in --storage (it shows in ps) unless told to accept it.
    const bin = fileURLToPath(new URL("../../../bin/feature-histories.mjs", import.meta.url));
    const r = spawnSync(
      process.execPath,
      [bin, "worker", "--storage", cluster.url("x", "ARGV-SECRET"), "--study", "s"],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /PGPASSWORD/);
    assert.ok(!(r.stdout + r.stderr).includes("ARGV-SECRET"));
  },
);

test(
  "PostgreSQL restarted immediately 20 times under 3 workers: no worker exits, no epoch trained twice",
  { timeout: 300_000 },
  async () => {
    const url = await newDb();
    const { dir, cleanup } = tempDir("fh-restarts-");
    const log = join(dir, "epochs.log");
    const study = await createStudy({ name: "storm", storage: url, space: syntheticSpace(), budget: 4, seed: 20 });
    const exits: (number | null)[] = [];
    const workers = startQueueWorkers({
      workers: 3,
      url,
      study: "storm",
      code: [join(objectiveModule, "..")],
      env: { FH_OBJECTIVE_LOG: log, FH_OBJECTIVE_SLEEP_MS: "250" },
    });
    try {
      const running = study.optimize({
        objective: { module: objectiveModule, exportName: "synthetic" },
        code: join(objectiveModule, ".."),
        trials: 24,
        workers: 0,
        concurrency: 3,
        stopOnSigint: false,
      });
      const rng = createRng(2026);
      let restarts = 0;
      const storm = (async () => {
        for (; restarts < 20; restarts++) {
          await new Promise((r) => setTimeout(r, 100 + rng.int(500)));
          await cluster.outage(0);
        }
      })();
      const [r] = await Promise.all([running, storm]);
      assert.equal(restarts, 20);
      assert.deepEqual([r.complete, r.failed, r.interrupted], [24, 0, 0]);
      assert.equal(workers.pids().length, 3, "a worker process exited during the restarts");
      const counts = new Map<string, number>();
      for (const line of readFileSync(log, "utf8").split("\n").filter(Boolean)) {
        const [id, epoch] = line.split(" ");
        counts.set(`${id}@${epoch}`, (counts.get(`${id}@${epoch}`) ?? 0) + 1);
      }
      assert.equal(counts.size, 24 * 4);
      const twice = [...counts.entries()].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], "epochs trained twice");
    } finally {
      await workers.close();
      exits.push(...workers.pids());
      await study.close();
      cleanup();
    }
  },
);
