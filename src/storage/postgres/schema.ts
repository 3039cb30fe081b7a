/**
 * The toolkit's tables in PostgreSQL: the schema, its migrations, and how a trial's row is
 * encoded (histories as .fhh bytes) and decoded (checked, cut back to the record's epochs).
 */
import { fail, show } from "../../core/errors.js";
import { decodeHistory, encodeHistory } from "../../history/storage.js";
import { epochCount, truncate, type FeatureHistory } from "../../history/feature-history.js";
import type { Trial } from "../../history/trial.js";

export const PG_SCHEMA = "feature_histories";
/** The schema version this toolkit writes; a database with a newer one is refused. */
export const PG_SCHEMA_VERSION = 1;

/** One list of statements per schema version, applied in order. */
export const MIGRATIONS: readonly (readonly string[])[] = [
  // version 1
  [
    `CREATE TABLE ${PG_SCHEMA}.studies (name text PRIMARY KEY, meta jsonb NOT NULL, created timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${PG_SCHEMA}.trials (
       study text NOT NULL REFERENCES ${PG_SCHEMA}.studies(name) ON DELETE CASCADE,
       id text NOT NULL,
       number integer NOT NULL,
       record jsonb NOT NULL,
       probe_train bytea,
       probe_validation bytea,
       job text,
       job_to integer,
       lease text,
       heartbeat timestamptz,
       updated timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (study, id))`,
    `CREATE TABLE ${PG_SCHEMA}.checkpoints (
       study text NOT NULL, id text NOT NULL, epoch integer NOT NULL, bytes bytea NOT NULL,
       PRIMARY KEY (study, id, epoch),
       FOREIGN KEY (study, id) REFERENCES ${PG_SCHEMA}.trials(study, id) ON DELETE CASCADE)`,
    // Who holds a study's write lock (for the message a second writer gets).
    `CREATE TABLE ${PG_SCHEMA}.writers (study text PRIMARY KEY, holder text NOT NULL, since timestamptz NOT NULL)`,
  ],
];

/** A row of the trials table as read. */
export interface RawRow {
  id: string;
  record: Record<string, unknown>;
  job: string | null;
  probe_train?: Buffer | null;
  probe_validation?: Buffer | null;
}

export function bytesOf(h: FeatureHistory | undefined): Buffer | undefined {
  if (!h) return undefined;
  const b = encodeHistory(h);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The trial of a row: its record checked, its histories decoded and cut back to its epochs. */
export function trialOf(row: RawRow, where: string): Trial {
  const t = row.record as unknown as Trial;
  if (typeof t?.id !== "string" || !t.curves || typeof t.epochs !== "number")
    fail("data-corrupt", {
      parameter: where,
      rule: "must have id, epochs and curves",
      received: show(Object.keys(t ?? {})),
    });
  if (!row.probe_train || !row.probe_validation) return t;
  const read = (b: Buffer, kind: string) => {
    const h = decodeHistory(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), `${where} ${kind}`);
    const n = epochCount(h);
    if (n < t.epochs)
      fail("data-corrupt", {
        parameter: `${where} ${kind}`,
        rule: `must hold the trial's ${t.epochs} epochs`,
        received: `${n}`,
      });
    return n > t.epochs ? truncate(h, t.epochs) : h;
  };
  return {
    ...t,
    probeTrain: read(row.probe_train, "probeTrain"),
    probeValidation: read(row.probe_validation, "probeValidation"),
  };
}
