import { test } from "node:test";
import assert from "node:assert/strict";
import * as S from "../../src/space/index.js";
import { createRng } from "../../src/core/random.js";
import { assertFails } from "../helpers/fixtures.js";

test("sampling is seeded, in range and log-uniform where asked", () => {
  const space = S.defineSpace([
    S.float("lr", 1e-4, 1, { log: true }),
    S.int("depth", 1, 8),
    S.categorical("opt", ["sgd", "adam"]),
    S.fixed("epochs", 10),
  ]);
  assert.deepEqual(S.sample(space, 3), S.sample(space, 3));
  assert.notDeepEqual(S.sample(space, 3), S.sample(space, 4));
  const rng = createRng(1);
  let belowMilli = 0;
  const depths = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const c = S.sample(space, rng);
    const lr = c.lr as number;
    assert.ok(lr >= 1e-4 && lr <= 1);
    if (lr < 1e-2) belowMilli++;
    depths.add(c.depth as number);
    assert.equal(c.epochs, 10);
  }
  // Log-uniform: half the mass below 1e-2 (uniform would put 1 % there).
  assert.ok(belowMilli > 850 && belowMilli < 1150, String(belowMilli));
  assert.deepEqual([...depths].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
  const logInt = S.defineSpace([S.int("w", 1, 1000, { log: true })]);
  const ws = Array.from({ length: 2000 }, (_, i) => S.sample(logInt, i).w as number);
  assert.ok(ws.every((w) => Number.isInteger(w) && w >= 1 && w <= 1000));
  assert.ok(ws.filter((w) => w < 32).length > 800);
});

test("conditional parameters appear only when the parent allows them", () => {
  const space = S.jointSpace();
  for (let s = 0; s < 50; s++) {
    const c = S.sample(space, s);
    if (c.family === "cnn") {
      assert.ok("depth" in c && !("cell" in c));
    } else {
      assert.ok("cell" in c && !("depth" in c));
    }
    assert.equal("lr" in c, c.optimizer === "sgd");
    assert.equal("adamLr" in c, c.optimizer === "adam");
    S.validateConfig(space, c);
  }
});

test("mutation changes exactly one parameter or one cell edge and stays valid", () => {
  const space = S.nasCellSpace();
  const rng = createRng(5);
  for (let i = 0; i < 100; i++) {
    const c = S.sample(space, rng);
    const m = S.mutate(space, c, rng);
    S.validateConfig(space, m);
    const changed = Object.keys({ ...c, ...m }).filter((k) => c[k] !== m[k]);
    // Switching the optimiser swaps lr for adamLr: that counts as one change of "optimizer".
    const core = changed.filter((k) => k !== "lr" && k !== "adamLr");
    assert.ok(core.length === 1 || (core.length === 0 && changed.length >= 1), JSON.stringify(changed));
    if (core[0] === "cell") {
      const a = S.parseCell(c.cell);
      const b = S.parseCell(m.cell);
      assert.equal(a.filter((op, e) => op !== b[e]).length, 1);
    }
  }
});

test("encoding has a fixed length and respects scales", () => {
  const space = S.jointSpace();
  const n = S.encodingLength(space);
  for (let s = 0; s < 20; s++) {
    const e = S.encode(space, S.sample(space, s));
    assert.equal(e.length, n);
    assert.ok(e.every((x) => x >= 0 && x <= 1));
  }
  const lr = S.defineSpace([S.float("lr", 1e-4, 1, { log: true })]);
  assert.ok(Math.abs(S.encode(lr, { lr: 1e-2 })[0]! - 0.5) < 1e-12);
});

test("isomorphic cells share a key; different functions do not", () => {
  const key = (s: string) => S.canonicalCellKey(S.parseCell(s));
  // Node 1 feeds nothing downstream (edges 1->2 and 1->3 are none): its input op is irrelevant.
  assert.equal(
    key("|conv3x3~0|+|conv1x1~0|none~1|+|skip~0|none~1|conv3x3~2|"),
    key("|avgpool3x3~0|+|conv1x1~0|none~1|+|skip~0|none~1|conv3x3~2|"),
  );
  // Nodes 1 and 2 swapped.
  assert.equal(
    key("|conv3x3~0|+|conv1x1~0|none~1|+|none~0|skip~1|skip~2|"),
    key("|conv1x1~0|+|conv3x3~0|none~1|+|none~0|skip~1|skip~2|"),
  );
  // A skip chain equals a direct skip.
  assert.equal(
    key("|skip~0|+|none~0|none~1|+|none~0|conv3x3~1|none~2|"),
    key("|none~0|+|none~0|none~1|+|conv3x3~0|none~1|none~2|"),
  );
  assert.notEqual(
    key("|conv3x3~0|+|none~0|none~1|+|none~0|skip~1|none~2|"),
    key("|conv1x1~0|+|none~0|none~1|+|none~0|skip~1|none~2|"),
  );
  // All-none output: the zero cell.
  assert.equal(key("|conv3x3~0|+|conv3x3~0|conv3x3~1|+|none~0|none~1|none~2|"), "0");
  const space = S.nasCellSpace();
  const c = S.sample(space, 1);
  assert.equal(S.configKey(space, c), S.configKey(space, { ...c }));
});

test("cell strings round-trip and bad ones are named", async () => {
  const ops = S.sampleCell(createRng(2));
  assert.deepEqual(S.parseCell(S.cellToString(ops)), ops);
  await assertFails(
    () => S.parseCell("|conv3x3~0|+|skip~0|", "config.cell"),
    "invalid-argument",
    /config\.cell/,
    /3 node groups/,
  );
  await assertFails(
    () => S.parseCell("|conv7x7~0|+|skip~0|skip~1|+|skip~0|skip~1|skip~2|"),
    "invalid-argument",
    /edge 0 -> 1/,
    /conv7x7/,
  );
});

test("spaces round-trip through JSON", () => {
  const space = S.jointSpace();
  const back = S.spaceFromJSON(S.spaceToJSON(space));
  assert.deepEqual(back, space);
  assert.deepEqual(S.sample(back, 9), S.sample(space, 9));
  const c = S.sample(space, 9);
  assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
});

test("every definition and configuration error names parameter, rule and value", async () => {
  await assertFails(() => S.float("lr", 1, 0.1), "invalid-argument", /lr\.high/, /greater than low/);
  await assertFails(() => S.float("lr", 0, 1, { log: true }), "invalid-argument", /lr\.low/, /> 0 on a log scale/);
  await assertFails(() => S.int("d", 1.5, 4), "invalid-argument", /d\.low/, /integer/);
  await assertFails(() => S.float("lr", 0, 1, { lg: true } as never), "unknown-option", /lr options\.lg/, /"log"/);
  await assertFails(() => S.categorical("c", []), "invalid-argument", /c\.choices/, /non-empty/);
  await assertFails(() => S.categorical("c", ["a", "a"]), "invalid-argument", /repeat/);
  await assertFails(() => S.cell("c", { ops: ["conv9x9" as "skip"] }), "invalid-argument", /c\.ops/);
  await assertFails(
    () => S.defineSpace([S.float("x", 0, 1, { when: { parent: "y", values: ["a"] } })]),
    "invalid-argument",
    /x\.when\.parent/,
    /defined before/,
  );
  await assertFails(
    () => S.defineSpace([S.categorical("y", ["a"]), S.float("x", 0, 1, { when: { parent: "y", values: ["b"] } })]),
    "invalid-argument",
    /x\.when\.values/,
  );
  await assertFails(() => S.defineSpace([S.int("a", 0, 1), S.int("a", 0, 2)]), "invalid-argument", /defined once/);
  const space = S.hpoCnnSpace();
  const c = S.sample(space, 0);
  await assertFails(
    () => S.validateConfig(space, { ...c, depth: 9 }),
    "invalid-argument",
    /config\.depth/,
    /\[2, 4\]/,
    /9/,
  );
  await assertFails(() => S.validateConfig(space, { ...c, colour: 1 }), "unknown-option", /config\.colour/);
  const { depth: _d, ...missing } = c;
  await assertFails(() => S.validateConfig(space, missing), "invalid-argument", /config\.depth/, /must be set/);
  await assertFails(
    () => S.validateConfig(space, { ...c, optimizer: "sgd", lr: 0.1, adamLr: 0.001 }),
    "invalid-argument",
    /config\.adamLr/,
    /absent/,
  );
  await assertFails(
    () => S.sampleMany(S.defineSpace([S.categorical("a", [1, 2])]), 3, 0),
    "invalid-argument",
    /distinct configurations/,
  );
});
