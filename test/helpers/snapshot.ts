import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { roundFigure } from "../../src/plot/theme.js";

const dir = resolve(import.meta.dirname, "..", "..", "..", "test", "snapshots");

/**
 * Compare `value` (numbers rounded to 4 significant digits, display ids normalised) with
 * test/snapshots/<name>.json. UPDATE_SNAPSHOTS=1 writes it; a missing snapshot fails otherwise
 * (never written silently, so a deleted or renamed snapshot cannot pass unnoticed).
 */
export function matchSnapshot(name: string, value: unknown): void {
  const normal = JSON.stringify(roundFigure(value), null, 1).replace(/fh-[0-9a-z]+-[0-9a-z]+-\d+/g, "fh-ID");
  const file = join(dir, `${name}.json`);
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, normal + "\n");
    return;
  }
  assert.ok(existsSync(file), `snapshot ${name} is missing: run the tests with UPDATE_SNAPSHOTS=1 and commit it`);
  assert.equal(normal + "\n", readFileSync(file, "utf8"), `snapshot ${name} changed (UPDATE_SNAPSHOTS=1 to accept)`);
}
