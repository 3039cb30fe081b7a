// A directory study reads and writes only what it wrote itself, inside its own directory: ids and
// checkpoint epochs read back from records are checked as on writing, symbolic links are refused,
// temporary files are created exclusively under random names, a file the storage cannot read is
// never overwritten, and a bad path is a toolkit error, not a raw one. Also: an IDX "file" that is
// a folder is named in a toolkit error.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import { mkdirSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createStudy, loadStudy } from "../../src/study/study-open.js";
import { directoryStorage } from "../../src/storage/directory.js";
import { readMaybeGzip } from "../../src/data/idx.js";
import { loadIdxDataset } from "../../src/data/mnist.js";
import { jointSpace } from "../../src/space/presets.js";
import { captureWarnings } from "../../src/core/warn.js";
import { FeatureHistoriesError } from "../../src/core/errors.js";
import { fakeTrial } from "../helpers/study-trials.js";
import { tempDir, assertFails, writeIdxFolder } from "../helpers/fixtures.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";

const space = jointSpace();

/** A closed study at <base>/study with `n` trials of 2 epochs (histories and a checkpoint each). */
async function makeStudy(base: string, n = 2): Promise<string> {
  const dir = join(base, "study");
  const s = await createStudy({ name: "s", storage: dir, space, budget: 4 });
  for (let i = 0; i < n; i++)
    await s.report(await s.ask(), syntheticCandidate(0.5, 2, i), { checkpoint: new Uint8Array([i, 1, 2]) });
  await s.close();
  return dir;
}

const record = (dir: string, id: string) =>
  JSON.parse(readFileSync(join(dir, "trials", `${id}.json`), "utf8")) as Record<string, unknown>;

/** Every detail of a toolkit error is there: parameter, rule, value received and fix. */
function complete(err: FeatureHistoriesError): void {
  assert.ok(err.parameter.length > 0);
  assert.ok(err.rule.length > 0);
  assert.ok(err.received !== undefined && err.received.length > 0, err.message);
  assert.ok(err.fix !== undefined && err.fix.length > 0, err.message);
}

test("a record whose id leaves the study is refused by name; no history outside the study is read", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const dir = await makeStudy(base);
    // Valid histories planted where "../../outside" points from trials/.
    copy(join(dir, "trials", "t0000.train.fhh"), join(base, "outside.train.fhh"));
    copy(join(dir, "trials", "t0000.val.fhh"), join(base, "outside.val.fhh"));
    writeFileSync(
      join(dir, "trials", "t0002.json"),
      JSON.stringify({ ...record(dir, "t0001"), id: "../../outside", number: 2 }),
    );
    // A well-formed id that is not the file's own name would read another trial's histories.
    writeFileSync(join(dir, "trials", "t0003.json"), JSON.stringify({ ...record(dir, "t0001"), number: 3 }));
    const { result, warnings } = await captureWarnings(async () => await loadStudy({ storage: dir, readOnly: true }));
    assert.deepEqual(
      result.trials().map((t) => t.id),
      ["t0000", "t0001"],
    );
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0]!.file, /t0002\.json$/);
    assert.match(result.problems[0]!.message, /t0002\.json/);
    assert.match(result.problems[0]!.message, /letters, digits/);
    assert.match(result.problems[0]!.message, /\.\.\/\.\.\/outside/);
    assert.match(result.problems[1]!.file, /t0003\.json$/);
    assert.match(result.problems[1]!.message, /its file name/);
    assert.equal(warnings.length, 2);
  } finally {
    cleanup();
  }
});

test("a checkpoint epoch read back from a record must be a positive integer: nothing outside is read", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const dir = await makeStudy(base, 1);
    writeFileSync(join(base, "stolen.ckpt"), "secret");
    writeFileSync(
      join(dir, "trials", "t0000.json"),
      JSON.stringify({ ...record(dir, "t0000"), checkpointEpoch: "/../../../stolen" }),
    );
    const { result } = await captureWarnings(async () => await loadStudy({ storage: dir, readOnly: true }));
    assert.deepEqual(result.trials(), []);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0]!.message, /t0000\.json/);
    assert.match(result.problems[0]!.message, /checkpointEpoch/);
    assert.match(result.problems[0]!.message, /positive integer/);
    // The storage itself refuses such an epoch, on reading as on writing.
    const storage = directoryStorage(dir, { readOnly: true });
    const err = await assertFails(
      () => storage.loadCheckpoint("t0000", "/../../../stolen" as never),
      "invalid-argument",
      /epoch/,
      /positive integer/,
      /stolen/,
    );
    complete(err);
    await assertFails(() => storage.loadCheckpoint("t0000", 1.5), "invalid-argument", /positive integer/);
    await assertFails(() => storage.loadCheckpoint("t0000", 0), "invalid-argument", /positive integer/);
    await assertFails(() => storage.loadCheckpoint("../t0000", 2), "invalid-argument", /trial id/);
    assert.deepEqual(Array.from((await storage.loadCheckpoint("t0000", 2))!), [0, 1, 2]);
    await storage.close();
  } finally {
    cleanup();
  }
});

test("a trials or checkpoints folder that is a symbolic link to elsewhere is refused", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const dir = await makeStudy(base, 1);
    // The study's trials moved elsewhere and linked back: the study would read and write outside itself.
    renameSync(join(dir, "trials"), join(base, "elsewhere"));
    symlinkSync(join(base, "elsewhere"), join(dir, "trials"), "dir");
    for (const readOnly of [true, false]) {
      const err = await assertFails(
        async () => await loadStudy({ storage: dir, readOnly }),
        "data-corrupt",
        /trials/,
        /symbolic link/,
      );
      complete(err);
    }
    const { dir: base2, cleanup: cleanup2 } = tempDir("fh-safety-");
    try {
      const dir2 = await makeStudy(base2, 1);
      renameSync(join(dir2, "checkpoints"), join(base2, "elsewhere"));
      symlinkSync(join(base2, "elsewhere"), join(dir2, "checkpoints"), "dir");
      await assertFails(async () => await loadStudy({ storage: dir2 }), "data-corrupt", /checkpoints/, /symbolic link/);
    } finally {
      cleanup2();
    }
  } finally {
    cleanup();
  }
});

test("a study whose own path is a symbolic link still opens (the link is resolved once)", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const dir = await makeStudy(base, 2);
    symlinkSync(dir, join(base, "alias"), "dir");
    const s = await loadStudy({ storage: join(base, "alias") });
    assert.deepEqual(
      s.trials().map((t) => t.id),
      ["t0000", "t0001"],
    );
    assert.deepEqual(s.problems, []);
    assert.equal((await s.ask()).id, "t0002");
    await s.close();
  } finally {
    cleanup();
  }
});

test("symbolic links to a record, a history or a checkpoint are refused by name", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const dir = await makeStudy(base, 3);
    const trials = join(dir, "trials");
    // Each link points at a valid copy outside the study, so following it would load fine.
    const link = (from: string, name: string) => {
      copy(join(from, name), join(base, name));
      renameSync(join(from, name), join(base, `${name}.orig`));
      symlinkSync(join(base, name), join(from, name));
    };
    link(trials, "t0000.json");
    link(trials, "t0001.val.fhh");
    const { result } = await captureWarnings(async () => await loadStudy({ storage: dir, readOnly: true }));
    assert.deepEqual(
      result.trials().map((t) => t.id),
      ["t0002"],
    );
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0]!.message, /t0000\.json/);
    assert.match(result.problems[0]!.message, /symbolic link/);
    assert.match(result.problems[1]!.message, /t0001\.val\.fhh/);
    assert.match(result.problems[1]!.message, /symbolic link/);
    const storage = directoryStorage(dir, { readOnly: true });
    await assertFails(() => storage.loadTrial("t0000"), "data-corrupt", /t0000\.json/, /symbolic link/);
    link(join(dir, "checkpoints"), "t0002.2.ckpt");
    const err = await assertFails(
      () => storage.loadCheckpoint("t0002", 2),
      "data-corrupt",
      /t0002\.2\.ckpt/,
      /symbolic link/,
    );
    complete(err);
    await storage.close();
    link(dir, "study.json");
    await assertFails(
      async () => await loadStudy({ storage: dir, readOnly: true }),
      "data-corrupt",
      /study\.json/,
      /symbolic link/,
    );
  } finally {
    cleanup();
  }
});

test("a symbolic link planted at a temporary name is never written through", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const dir = join(base, "study");
    const s = await createStudy({ name: "s", storage: dir, space, budget: 4 });
    const outside = join(base, "precious");
    writeFileSync(outside, "precious");
    // The name the storage wrote temporary files under: <file>.tmp-<pid>.
    symlinkSync(outside, join(dir, "trials", `t0000.json.tmp-${process.pid}`));
    const t = await s.ask();
    await s.report(t, syntheticCandidate(0.5, 1, 0));
    assert.equal(readFileSync(outside, "utf8"), "precious");
    await s.close();
    assert.equal((await loadStudy({ storage: dir, readOnly: true })).trial("t0000").epochs, 1);

    // Even a link at the very name the storage picks is not followed: it is created exclusively.
    const s2 = await loadStudy({ storage: dir });
    const original = crypto.randomBytes;
    crypto.randomBytes = ((n: number) => Buffer.alloc(n, 0xab)) as typeof crypto.randomBytes;
    syncBuiltinESMExports();
    try {
      const tmp = join(dir, "trials", `t0001.json.tmp-${"ab".repeat(12)}`);
      symlinkSync(outside, tmp);
      const err = await assertFails(() => s2.ask(), "state", /t0001\.json\.tmp-/, /exist/);
      complete(err);
    } finally {
      crypto.randomBytes = original;
      syncBuiltinESMExports();
    }
    assert.equal(readFileSync(outside, "utf8"), "precious");
    await s2.close();
  } finally {
    cleanup();
  }
});

test("a damaged newest trial is never overwritten by the next one", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const dir = await makeStudy(base, 3);
    const damaged = join(dir, "trials", "t0002.json");
    writeFileSync(damaged, "{ not json");
    const s = (await captureWarnings(async () => await loadStudy({ storage: dir }))).result;
    assert.equal(s.problems.length, 1);
    // The next trial skips the damaged one's id.
    assert.equal((await s.ask()).id, "t0003");
    assert.equal(readFileSync(damaged, "utf8"), "{ not json");
    // The storage itself refuses to write over a file it cannot read, whatever asks it to.
    const trial = s.trial("t0001");
    const err = await assertFails(
      () => s.storage.commit({ ...trial, id: "t0002", number: 2 }),
      "state",
      /t0002\.json/,
      /cannot read/,
    );
    complete(err);
    await assertFails(
      () => s.storage.commit({ ...trial, id: "t0002", number: 2, checkpointEpoch: 1 }, new Uint8Array([9])),
      "state",
      /t0002\.json/,
      /cannot read/,
    );
    assert.equal(readFileSync(damaged, "utf8"), "{ not json");
    await s.close();
    // Histories without a record (the record lost): not overwritten either, by a fresh storage too.
    writeFileSync(damaged, JSON.stringify({ ...record(dir, "t0001"), id: "t0002", number: 2 }));
    const lost = join(dir, "trials", "t0001.json");
    renameSync(lost, join(base, "t0001.json"));
    const fresh = directoryStorage(dir);
    const before = readFileSync(join(dir, "trials", "t0001.val.fhh"));
    await assertFails(() => fresh.commit({ ...trial }), "state", /t0001/, /cannot read/);
    assert.deepEqual(readFileSync(join(dir, "trials", "t0001.val.fhh")), before);
    // A trial it can read is updated as always.
    await fresh.commit({ ...(await fresh.loadTrial("t0000"))!, seconds: 99 });
    assert.equal((await fresh.loadTrial("t0000", { histories: false }))!.seconds, 99);
    await fresh.close();
  } finally {
    cleanup();
  }
});

test("deleting a trial's checkpoints leaves those of a trial whose id extends it", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const storage = directoryStorage(join(base, "study"));
    // Each commit with a checkpoint removes the trial's other checkpoints: a's epoch 1 goes, a.1's stays.
    const a = { ...fakeTrial(0, { x: 1 }, 0.5, "running", 1), id: "a" };
    await storage.commit({ ...a, checkpointEpoch: 1 }, new Uint8Array([1]));
    await storage.commit(
      { ...fakeTrial(1, { x: 1 }, 0.5, "running", 3), id: "a.1", checkpointEpoch: 3 },
      new Uint8Array([3]),
    );
    await storage.commit({ ...a, epochs: 2, checkpointEpoch: 2 }, new Uint8Array([2]));
    assert.deepEqual(readdirSync(join(base, "study", "checkpoints")).sort(), ["a.1.3.ckpt", "a.2.ckpt"]);
    await storage.close();
  } finally {
    cleanup();
  }
});

test("a storage path that is a file, holds a NUL or is too long is a toolkit error", async () => {
  const { dir: base, cleanup } = tempDir("fh-safety-");
  try {
    const file = join(base, "a-file");
    writeFileSync(file, "x");
    const calls: [string, () => unknown][] = [
      ["directoryStorage", () => directoryStorage(file)],
      ["directoryStorage read-only", () => directoryStorage(file, { readOnly: true })],
      ["create", async () => await createStudy({ name: "s", storage: file, space, budget: 2 })],
      ["load", async () => await loadStudy({ storage: file })],
      ["load read-only", async () => await loadStudy({ storage: file, readOnly: true })],
      ["below a file", async () => await createStudy({ name: "s", storage: join(file, "study"), space, budget: 2 })],
    ];
    for (const [what, fn] of calls) {
      const err = await assertFails(fn, "invalid-argument", /storage/, /directory/, /a-file/);
      complete(err);
      assert.equal(err.parameter, "storage", what);
    }
    for (const bad of [`${base}/a\0b`, "\0"]) {
      for (const fn of [
        () => directoryStorage(bad),
        async () => await createStudy({ name: "s", storage: bad, space, budget: 2 }),
        async () => await loadStudy({ storage: bad, readOnly: true }),
      ]) {
        const err = await assertFails(fn, "invalid-argument", /storage/, /NUL/, /\\u0000/);
        complete(err);
      }
    }
    const long = join(base, "x".repeat(5000));
    for (const fn of [
      () => directoryStorage(long),
      async () => await createStudy({ name: "s", storage: long, space, budget: 2 }),
      async () => await loadStudy({ storage: long }),
      async () => await loadStudy({ storage: long, readOnly: true }),
    ]) {
      const err = await assertFails(fn, "invalid-argument", /storage/, /too long/, /5\d\d\d characters/);
      complete(err);
      assert.ok(err.message.length < 1000, "the message does not repeat the whole path");
    }
    const longName = join(base, "y".repeat(300), "study");
    await assertFails(() => directoryStorage(longName), "invalid-argument", /storage/, /too long/);
    // What worked keeps working: a missing read-only study is still data-missing.
    await assertFails(
      async () => await loadStudy({ storage: join(base, "none"), readOnly: true }),
      "data-missing",
      /study\.json/,
    );
  } finally {
    cleanup();
  }
});

test("an IDX file that is a folder is a toolkit error naming it", async () => {
  const { dir, cleanup } = tempDir("fh-idx-");
  try {
    const folder = join(dir, "train-images-idx3-ubyte.gz");
    mkdirSync(folder);
    const err = await assertFails(() => readMaybeGzip(folder), "data-missing", /train-images-idx3-ubyte\.gz/, /folder/);
    complete(err);
    assert.equal(err.parameter, folder);
    writeIdxFolder(dir, { raw: true });
    await assertFails(() => loadIdxDataset({ dir }), "data-missing", /train-images-idx3-ubyte\.gz/, /folder/);
  } finally {
    cleanup();
  }
});

function copy(from: string, to: string): void {
  writeFileSync(to, readFileSync(from));
}
