import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng, permutation } from "../../src/core/random.js";
import { checkKeys, checkNumber, checkOneOf } from "../../src/core/validate.js";
import { captureWarnings, warn } from "../../src/core/warn.js";
import { assertFails } from "../helpers/fixtures.js";

test("rng: same seed, same stream; different seed, different stream", () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const xa = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    xa,
    Array.from({ length: 5 }, () => b.next()),
  );
  assert.notDeepEqual(
    xa,
    Array.from({ length: 5 }, () => c.next()),
  );
  for (const x of xa) assert.ok(x >= 0 && x < 1);
});

test("rng: uniform mean and normal moments are right", () => {
  const r = createRng(7);
  let s = 0;
  let s1 = 0;
  let s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    s += r.next();
    const z = r.normal();
    s1 += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / n - 0.5) < 0.01);
  assert.ok(Math.abs(s1 / n) < 0.03);
  assert.ok(Math.abs(s2 / n - 1) < 0.05);
});

test("permutation holds every index once", () => {
  const p = permutation(100, createRng(1));
  assert.deepEqual(
    Array.from(p).sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i),
  );
});

test("checkKeys rejects unknown options and suggests the nearest", async () => {
  await assertFails(
    () => checkKeys("options", { sed: 1 }, ["seed", "count"]),
    "unknown-option",
    /options\.sed/,
    /"seed"/,
  );
  await assertFails(
    () => checkKeys("options", [] as unknown as object, ["seed"]),
    "invalid-argument",
    /options object/,
  );
  checkKeys("options", { seed: 1 }, ["seed"]);
});

test("checkNumber names parameter, rule, value and fix", async () => {
  const e = await assertFails(
    () => checkNumber("options.count", 2.5, { integer: true, min: 1 }),
    "invalid-argument",
    /options\.count/,
    /integer/,
    /2\.5/,
    /Fix:/,
  );
  assert.equal(e.parameter, "options.count");
  await assertFails(() => checkNumber("x", Number.NaN), "invalid-argument", /NaN/);
  await assertFails(() => checkNumber("x", 0, { above: 0 }), "invalid-argument", /> 0/);
  await assertFails(() => checkNumber("x", 5, { max: 4 }), "invalid-argument", /<= 4/);
  assert.equal(checkNumber("x", 3, { integer: true, min: 0, max: 3 }), 3);
});

test("checkOneOf lists the choices", async () => {
  await assertFails(
    () => checkOneOf("kind", "cifar", ["mnist", "fashion-mnist"]),
    "invalid-argument",
    /"mnist", "fashion-mnist"/,
  );
});

test("warnings go to the sink once per message", () => {
  const { warnings } = captureWarnings(() => {
    warn("a");
    warn("a");
    warn("b");
  });
  assert.deepEqual(warnings, ["a", "b"]);
});
