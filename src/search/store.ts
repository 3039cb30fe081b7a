import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fail } from "../core/errors.js";
import { decodeHistory, encodeHistory } from "../history/storage.js";
import type { FeatureHistory } from "../history/feature-history.js";
import type { Curves } from "../history/curves.js";

/** A finished trial as persisted: everything a study needs later, without retraining. */
export interface TrialRecord {
  readonly id: string;
  readonly config: Readonly<Record<string, string | number | boolean>>;
  readonly status: "complete" | "failed";
  readonly error?: { readonly name: string; readonly message: string; readonly epoch: number };
  readonly curves: Curves;
  readonly probeTrain?: FeatureHistory;
  readonly probeValidation?: FeatureHistory;
  readonly testAcc?: number;
  readonly parameters?: number;
  readonly seconds: number;
  readonly worker?: number;
}

function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const safe = (id: string) => {
  if (!/^[A-Za-z0-9_.-]+$/.test(id))
    fail("invalid-argument", {
      parameter: "trial id",
      rule: "must hold only letters, digits, _ . -",
      received: JSON.stringify(id),
      fix: "use ids like c0007.",
    });
  return id;
};

/**
 * A study folder: one JSON file per finished trial plus its two histories (binary, versioned).
 * Each write is atomic (temporary file, then rename) and the JSON is written last, so a trial
 * counts as finished only when all its files are complete: a crash never leaves half a trial.
 */
export function saveTrial(dir: string, record: TrialRecord): void {
  mkdirSync(dir, { recursive: true });
  const id = safe(record.id);
  if (record.probeTrain) writeAtomic(join(dir, `${id}.train.fhh`), encodeHistory(record.probeTrain));
  if (record.probeValidation) writeAtomic(join(dir, `${id}.val.fhh`), encodeHistory(record.probeValidation));
  const { probeTrain: _t, probeValidation: _v, ...meta } = record;
  writeAtomic(
    join(dir, `${id}.json`),
    JSON.stringify({ format: "feature-histories/trial", version: 1, ...meta, histories: !!record.probeTrain }),
  );
}

/** Ids of the finished trials in a study folder. */
export function finishedTrialIds(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  return new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5)),
  );
}

/** Every finished trial, histories included unless `histories: false`. */
export function loadTrials(dir: string, options: { histories?: boolean } = {}): TrialRecord[] {
  return [...finishedTrialIds(dir)].sort().map((id) => {
    const path = join(dir, `${id}.json`);
    const meta = JSON.parse(readFileSync(path, "utf8")) as TrialRecord & {
      format?: string;
      version?: number;
      histories?: boolean;
    };
    if (meta.format !== "feature-histories/trial" || meta.version !== 1) {
      fail("data-corrupt", {
        parameter: path,
        rule: 'must be a trial record (format "feature-histories/trial", version 1)',
        received: JSON.stringify({ format: meta.format, version: meta.version }),
        fix: "remove the file to retrain that trial.",
      });
    }
    const { format: _f, version: _v, histories, ...record } = meta;
    if (!histories || options.histories === false) return record;
    const read = (kind: string) => {
      const p = join(dir, `${id}.${kind}.fhh`);
      return decodeHistory(new Uint8Array(readFileSync(p)), p);
    };
    return { ...record, probeTrain: read("train"), probeValidation: read("val") };
  });
}
