import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { FeatureHistoriesError } from "../../src/core/errors.js";
import assert from "node:assert/strict";

export function tempDir(prefix = "fh-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bytes of an IDX unsigned-byte file with the given dimensions and data. */
export function idxBytes(dims: number[], data: Uint8Array, magicDims = dims.length): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE((0x08 << 8) | magicDims, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return new Uint8Array(Buffer.concat([header, Buffer.from(data)]));
}

/** A tiny MNIST-layout folder: n train and m test images of size s, gzipped unless raw. */
export function writeIdxFolder(dir: string, opts: { n?: number; m?: number; size?: number; raw?: boolean } = {}): void {
  const { n = 12, m = 5, size = 4, raw = false } = opts;
  const write = (name: string, bytes: Uint8Array) =>
    writeFileSync(join(dir, raw ? name : `${name}.gz`), raw ? bytes : gzipSync(bytes));
  for (const [prefix, count] of [
    ["train", n],
    ["t10k", m],
  ] as const) {
    const images = new Uint8Array(count * size * size).map((_, i) => (i * 7) % 256);
    const labels = new Uint8Array(count).map((_, i) => i % 10);
    write(`${prefix}-images-idx3-ubyte`, idxBytes([count, size, size], images));
    write(`${prefix}-labels-idx1-ubyte`, idxBytes([count], labels));
  }
}

/** Assert that `fn` throws (or rejects with) a FeatureHistoriesError whose message matches every pattern. */
export async function assertFails(
  fn: () => unknown,
  code: FeatureHistoriesError["code"],
  ...patterns: RegExp[]
): Promise<FeatureHistoriesError> {
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof FeatureHistoriesError, `expected a FeatureHistoriesError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  for (const p of patterns) assert.match(error.message, p);
  return error;
}
