/**
 * The queue's columns of a trial's row: the job the scheduler assigned to it, the lease (token)
 * of the worker training it and its heartbeat. A worker writes progress only under its lease, so
 * a worker that lost its job (expired, taken over) never overwrites the one that took it over.
 */
import type pg from "pg";
import type { FeatureHistory } from "../../history/feature-history.js";
import type { Trial } from "../../history/trial.js";
import { PG_SCHEMA, bytesOf, trialOf, type RawRow } from "./schema.js";
import type { PgStudyDb, ProgressPatch } from "./db.js";

/** The scheduler assigns job `job` to a trial (before sending it: a restart finds it by name). */
export async function assignJob(
  db: PgStudyDb,
  study: string,
  id: string,
  job: string | null,
  to: number | null = null,
): Promise<void> {
  await db.query(
    `UPDATE ${PG_SCHEMA}.trials SET job = $3, job_to = $4, lease = NULL, heartbeat = NULL, updated = now() WHERE study = $1 AND id = $2`,
    [study, id, job, to],
  );
}

/** Trials with a job assigned (in flight, or ended and not yet taken in by the scheduler). */
export async function assignedJobs(db: PgStudyDb, study: string): Promise<{ id: string; job: string; to: number }[]> {
  const r = await db.query<{ id: string; job: string; to: number }>(
    `SELECT id, job, job_to AS to FROM ${PG_SCHEMA}.trials WHERE study = $1 AND job IS NOT NULL ORDER BY number`,
    [study],
  );
  return r.rows;
}

/** Epochs of the trials with a job assigned (the scheduler's live progress). */
export async function assignedEpochs(db: PgStudyDb, study: string): Promise<Map<string, number>> {
  const r = await db.query<{ id: string; epochs: number }>(
    `SELECT id, (record->>'epochs')::int AS epochs FROM ${PG_SCHEMA}.trials WHERE study = $1 AND job IS NOT NULL`,
    [study],
  );
  return new Map(r.rows.map((x) => [x.id, x.epochs]));
}

/**
 * A worker takes the lease of the trial its job names: the trial (with histories) when the
 * job is still the trial's job, undefined when the scheduler has moved on (a stale job).
 */
export async function takeLease(
  db: PgStudyDb,
  study: string,
  id: string,
  job: string,
  lease: string,
): Promise<Trial | undefined> {
  const r = await db.query<RawRow>(
    `UPDATE ${PG_SCHEMA}.trials SET lease = $4, heartbeat = now(), updated = now()
     WHERE study = $1 AND id = $2 AND job = $3
     RETURNING id, record, job, probe_train, probe_validation`,
    [study, id, job, lease],
  );
  const row = r.rows[0];
  return row ? trialOf(row, `${db.target.database}/${study}/${id}`) : undefined;
}

/** Under a lease: forget the trial's epochs (its checkpoint is gone or damaged); it trains from epoch 1. */
export async function resetProgress(
  db: PgStudyDb,
  study: string,
  id: string,
  lease: string,
  empty: ProgressPatch,
): Promise<boolean> {
  return db.tx("reset", async (c) => {
    const r = await c.query(
      `UPDATE ${PG_SCHEMA}.trials SET record = (record - 'checkpointEpoch' - 'testAcc') || $4::jsonb,
         probe_train = NULL, probe_validation = NULL, heartbeat = now(), updated = now()
       WHERE study = $1 AND id = $2 AND lease = $3`,
      [study, id, lease, JSON.stringify({ ...empty, scores: {}, fitted: {} })],
    );
    if (r.rowCount !== 1) return false;
    await c.query(`DELETE FROM ${PG_SCHEMA}.checkpoints WHERE study = $1 AND id = $2`, [study, id]);
    return true;
  });
}

/** The worker is alive; false when its lease was taken over (stop training). */
export async function heartbeat(db: PgStudyDb, study: string, id: string, lease: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE ${PG_SCHEMA}.trials SET heartbeat = now() WHERE study = $1 AND id = $2 AND lease = $3`,
    [study, id, lease],
  );
  return r.rowCount === 1;
}

/**
 * Progress under a lease, in one transaction: the checkpoint first, then the record and
 * histories, then older checkpoints removed. False (nothing written) when the lease is lost.
 * With `finish`, the same transaction also gives the lease up and runs `finish` (the job's
 * completion): a trial's last epoch and its job commit together or not at all.
 */
export async function writeProgress(
  db: PgStudyDb,
  study: string,
  id: string,
  lease: string,
  patch: ProgressPatch,
  histories: { probeTrain?: FeatureHistory; probeValidation?: FeatureHistory },
  checkpoint?: { epoch: number; bytes: Uint8Array },
  finish?: (c: pg.PoolClient) => Promise<void>,
): Promise<boolean> {
  return db.tx(finish ? "finish" : "progress", async (c) => {
    const r = await c.query(
      `UPDATE ${PG_SCHEMA}.trials SET record = record || $4::jsonb,
         probe_train = COALESCE($5, probe_train), probe_validation = COALESCE($6, probe_validation),
         lease = CASE WHEN $7 THEN NULL ELSE lease END,
         heartbeat = CASE WHEN $7 THEN NULL ELSE now() END, updated = now()
       WHERE study = $1 AND id = $2 AND lease = $3`,
      [
        study,
        id,
        lease,
        JSON.stringify(patch),
        bytesOf(histories.probeTrain) ?? null,
        bytesOf(histories.probeValidation) ?? null,
        !!finish,
      ],
    );
    if (r.rowCount !== 1) return false;
    if (checkpoint) {
      await c.query(
        `INSERT INTO ${PG_SCHEMA}.checkpoints (study, id, epoch, bytes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (study, id, epoch) DO UPDATE SET bytes = EXCLUDED.bytes`,
        [study, id, checkpoint.epoch, Buffer.from(checkpoint.bytes)],
      );
      await c.query(`DELETE FROM ${PG_SCHEMA}.checkpoints WHERE study = $1 AND id = $2 AND epoch <> $3`, [
        study,
        id,
        checkpoint.epoch,
      ]);
    }
    if (finish) await finish(c);
    return true;
  });
}

/**
 * Jobs whose worker stopped heart-beating for `seconds`: each is claimed (heartbeat cleared)
 * by exactly one caller, which hands it back to the queue.
 */
export async function claimStale(
  db: PgStudyDb,
  study: string,
  seconds: number,
): Promise<{ id: string; job: string }[]> {
  const r = await db.query<{ id: string; job: string }>(
    `UPDATE ${PG_SCHEMA}.trials SET heartbeat = NULL, lease = NULL
     WHERE study = $1 AND job IS NOT NULL AND lease IS NOT NULL AND heartbeat < now() - make_interval(secs => $2)
     RETURNING id, job`,
    [study, seconds],
  );
  return r.rows;
}
