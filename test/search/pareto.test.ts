// Pareto helpers: the non-dominated set of a known set in each direction, and the 2-D hypervolume
// of a known front, checked against counting the unit squares it dominates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hypervolume2d, nonDominated, type ParetoPoint } from "../../src/search/pareto.js";
import { createRng } from "../../src/core/random.js";
import { assertFails } from "../helpers/fixtures.js";

const pts = (rows: readonly (readonly [string, number, number])[]): ParetoPoint[] =>
  rows.map(([id, a, b]) => ({ id, values: [a, b] }));
const ids = (ps: readonly ParetoPoint[]) => ps.map((p) => p.id);

const set = pts([
  ["A", 1, 5],
  ["B", 2, 4],
  ["C", 3, 3],
  ["D", 2, 2],
  ["E", 3, 3],
  ["F", 0, 6],
]);

test("nonDominated: the front of a known set in each direction; equal points both stay; input order kept", async () => {
  assert.deepEqual(ids(nonDominated(set, ["maximize", "maximize"])), ["A", "B", "C", "E", "F"]);
  assert.deepEqual(ids(nonDominated(set, ["minimize", "minimize"])), ["A", "D", "F"]);
  assert.deepEqual(ids(nonDominated(set, ["maximize", "minimize"])), ["C", "D", "E"]);
  assert.deepEqual(ids(nonDominated(set, ["minimize", "maximize"])), ["F"]);
  // One objective: the best value(s) only; three objectives work the same way.
  assert.deepEqual(
    ids(
      nonDominated(
        pts([
          ["a", 1, 0],
          ["b", 3, 0],
          ["c", 3, 9],
        ]).map((p) => ({ id: p.id, values: [p.values[0]!] })),
        ["maximize"],
      ),
    ),
    ["b", "c"],
  );
  const three = [
    { id: "x", values: [1, 1, 1] },
    { id: "y", values: [1, 1, 0] },
    { id: "z", values: [0, 2, 0] },
  ];
  assert.deepEqual(ids(nonDominated(three, ["maximize", "maximize", "maximize"])), ["x", "z"]);
  assert.deepEqual(nonDominated([], ["maximize"]), []);
});

test("hypervolume2d: a known staircase, dominated and out-of-reference points add nothing, directions mirror", async () => {
  const front = pts([
    ["a", 1, 3],
    ["b", 2, 2],
    ["c", 3, 1],
  ]);
  assert.equal(hypervolume2d(front, [4, 4], ["minimize", "minimize"]), 6);
  const extra = [
    ...front,
    ...pts([
      ["dominated", 3, 3],
      ["beyond", 5, 0],
      ["on-edge", 4, 0],
    ]),
  ];
  assert.equal(hypervolume2d(extra, [4, 4], ["minimize", "minimize"]), 6);
  const neg = front.map((p) => ({ id: p.id, values: [-p.values[0]!, -p.values[1]!] }));
  assert.equal(hypervolume2d(neg, [-4, -4], ["maximize", "maximize"]), 6);
  const mixed = front.map((p) => ({ id: p.id, values: [-p.values[0]!, p.values[1]!] }));
  assert.equal(hypervolume2d(mixed, [-4, 4], ["maximize", "minimize"]), 6);
  assert.equal(hypervolume2d([], [4, 4], ["minimize", "minimize"]), 0);
  assert.equal(hypervolume2d(pts([["one", 1, 1]]), [3, 5], ["minimize", "minimize"]), 8);
});

test("hypervolume2d equals the count of unit squares the points dominate (random integer sets)", async () => {
  const rng = createRng(3);
  for (let trial = 0; trial < 20; trial++) {
    const ps = Array.from({ length: 1 + rng.int(8) }, (_, i) => ({ id: `p${i}`, values: [rng.int(10), rng.int(10)] }));
    let count = 0;
    for (let i = 0; i < 10; i++)
      for (let j = 0; j < 10; j++) if (ps.some((p) => p.values[0]! <= i && p.values[1]! <= j)) count++;
    assert.equal(hypervolume2d(ps, [10, 10], ["minimize", "minimize"]), count, JSON.stringify(ps));
    // Maximising both: the mirror image against the mirrored reference.
    const mirror = ps.map((p) => ({ id: p.id, values: [10 - p.values[0]!, 10 - p.values[1]!] }));
    assert.equal(hypervolume2d(mirror, [0, 0], ["maximize", "maximize"]), count);
  }
});

test("Pareto helpers reject bad input with the parameter named", async () => {
  await assertFails(
    () => nonDominated(set, ["maximize"]),
    "invalid-argument",
    /points\[0\]\.values must hold one value per direction/,
  );
  await assertFails(() => nonDominated(set, ["max", "min"] as never), "invalid-argument", /directions\[0\]/);
  await assertFails(() => nonDominated(set, []), "invalid-argument", /directions/);
  await assertFails(
    () => nonDominated([{ id: "a", values: [NaN, 1] }], ["maximize", "maximize"]),
    "invalid-argument",
    /points\[0\]\.values\[0\]/,
  );
  await assertFails(
    () => nonDominated([{ values: [1, 1] }] as never, ["maximize", "maximize"]),
    "invalid-argument",
    /points\[0\]/,
  );
  await assertFails(() => hypervolume2d(set, [4] as never, ["minimize", "minimize"]), "invalid-argument", /reference/);
  await assertFails(
    () => hypervolume2d([{ id: "a", values: [1, 2, 3] }], [4, 4], ["minimize", "minimize", "minimize"] as never),
    "invalid-argument",
    /two directions/,
  );
});
