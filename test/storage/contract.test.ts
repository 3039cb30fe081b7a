// The StudyStorage contract (src/storage/contract.ts), the same checks against both storages:
// commit stores a checkpoint, the record naming it and removes the others; a record without a
// checkpoint removes them all; the trial state machine is enforced; read-only and closed storages
// refuse writes; what is committed is read back as it was written.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { directoryStorage } from "../../src/storage/directory.js";
import { postgresStorage } from "../../src/storage/postgres/storage.js";
import type { StudyMeta, StudyStorage } from "../../src/storage/contract.js";
import type { Trial } from "../../src/history/trial.js";
import { epochCount } from "../../src/history/feature-history.js";
import { fakeTrial } from "../helpers/study-trials.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";
import { assertFails, tempDir } from "../helpers/fixtures.js";
import { startPostgres, type PgCluster } from "../helpers/postgres.js";

let cluster: PgCluster;
let dbCount = 0;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.destroy());

const meta: StudyMeta = {
  format: "feature-histories/study",
  version: 1,
  name: "contract",
  budget: 4,
  seed: 1,
  space: { params: [] },
  created: "2026-12-04T00:00:00.000Z",
};

/** A running trial at `epochs` epochs with histories. */
function trialAt(number: number, epochs: number, extra: Partial<Trial> = {}): Trial {
  const c = syntheticCandidate(0.5, epochs, number);
  return {
    ...fakeTrial(number, { x: number }, 0.5, "running", epochs),
    id: `t${String(number).padStart(4, "0")}`,
    probeTrain: c.probeTrain!,
    probeValidation: c.probeValidation!,
    ...extra,
  };
}

const kinds: [string, () => Promise<{ open: (readOnly: boolean) => Promise<StudyStorage>; cleanup: () => void }>][] = [
  [
    "directory",
    async () => {
      const { dir, cleanup } = tempDir("fh-contract-");
      const path = join(dir, "study");
      return { open: async (readOnly) => directoryStorage(path, { readOnly }), cleanup };
    },
  ],
  [
    "PostgreSQL",
    async () => {
      const url = await cluster.createDatabase(`fh_c${dbCount++}`);
      return { open: (readOnly) => postgresStorage(url, { study: "contract", readOnly }), cleanup: () => {} };
    },
  ],
];

for (const [kind, make] of kinds) {
  test(`${kind}: commit writes checkpoint, record and drops older checkpoints; the state machine holds`, async () => {
    const { open, cleanup } = await make();
    try {
      const s = await open(false);
      await s.writeMeta(meta);
      assert.deepEqual((await s.readMeta())?.name, "contract");
      // Epoch 1 with its checkpoint, then epoch 2 with its own: the first is gone.
      await s.commit(trialAt(0, 1, { checkpointEpoch: 1 }), new Uint8Array([1, 1]));
      assert.deepEqual(Array.from((await s.loadCheckpoint("t0000", 1))!), [1, 1]);
      await s.commit(trialAt(0, 2, { checkpointEpoch: 2 }), new Uint8Array([2, 2]));
      assert.equal(await s.loadCheckpoint("t0000", 1), undefined);
      assert.deepEqual(Array.from((await s.loadCheckpoint("t0000", 2))!), [2, 2]);
      // A record that still names its checkpoint, with none given, keeps it (a pruned trial).
      await s.commit({ ...trialAt(0, 2, { checkpointEpoch: 2 }), state: "pruned" });
      assert.deepEqual(Array.from((await s.loadCheckpoint("t0000", 2))!), [2, 2]);
      // Pruned -> pruned (scores recorded) is allowed; pruned -> complete is not; running (a promotion) is.
      await s.commit({ ...trialAt(0, 2, { checkpointEpoch: 2 }), state: "pruned", scores: { "ES@2": 0.4 } });
      await assertFails(
        () => s.commit({ ...trialAt(0, 4), state: "complete" }),
        "state",
        /is pruned: only a resume or a promotion/,
      );
      await s.commit(trialAt(0, 2, { checkpointEpoch: 2 }));
      // Complete without a checkpoint: every checkpoint of the trial is removed.
      await s.commit({ ...trialAt(0, 4), state: "complete" });
      assert.equal(await s.loadCheckpoint("t0000", 2), undefined);
      await assertFails(() => s.commit({ ...trialAt(0, 3), state: "complete" }), "state", /its 4 epochs never change/);
      await assertFails(() => s.commit({ ...trialAt(0, 4), state: "failed" }), "state", /is complete/);
      await assertFails(() => s.commit({ ...trialAt(1, 1), id: "t0000" }), "state", /keeps its number/);
      // A checkpoint without the epoch it belongs to is refused before anything is written.
      await assertFails(() => s.commit(trialAt(1, 1), new Uint8Array([3])), "invalid-argument", /checkpointEpoch/);
      // Read back as written, histories included; without histories the records only.
      const { trials, problems } = await s.loadTrials();
      assert.deepEqual(problems, []);
      assert.deepEqual(
        trials.map((t) => [t.id, t.state, t.epochs, t.checkpointEpoch]),
        [["t0000", "complete", 4, undefined]],
      );
      assert.equal(epochCount(trials[0]!.probeValidation!), 4);
      assert.equal((await s.loadTrial("t0000", { histories: false }))?.probeTrain, undefined);
      assert.equal(await s.loadTrial("t0009"), undefined);
      // A reader sees it all and writes nothing; a closed storage writes nothing either.
      const reader = await open(true);
      assert.equal((await reader.loadTrials()).trials.length, 1);
      await assertFails(() => reader.commit(trialAt(2, 1)), "state", /read-only/);
      await reader.close();
      await s.close();
      await assertFails(() => s.commit(trialAt(2, 1)), "state", /closed/);
      await s.close(); // twice is fine
    } finally {
      cleanup();
    }
  });
}
