import { FeatureHistoriesError, fail, show } from "../core/errors.js";
import type { Rng } from "../core/random.js";
import { checkRng } from "../core/random.js";
import { checkArray, checkString } from "../core/validate.js";

/**
 * NAS-Bench-201-style cells: a DAG of 4 nodes (0 = input, 3 = output) and 6 edges i -> j (i < j),
 * each edge one operation. A cell is written as NAS-Bench-201 writes it:
 * "|conv3x3~0|+|skip~0|conv1x1~1|+|none~0|avgpool3x3~1|conv3x3~2|".
 */
export const CELL_OPS = ["none", "skip", "conv1x1", "conv3x3", "avgpool3x3"] as const;
/** An operation on an edge of a NAS cell (one of fh.space.CELL_OPS). */
export type CellOp = (typeof CELL_OPS)[number];

/** Edges in NAS-Bench-201 order: (to, from). */
export const CELL_EDGES: readonly (readonly [number, number])[] = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
];

/** `value` must be a cell: an array of operation names, one per edge. */
export function checkCellOps(name: string, value: unknown): void {
  checkArray(name, value, {
    min: 1,
    item: (n, v) => checkString(n, v),
    what: "operation names",
    fix: "pass a cell from sampleCell or parseCell.",
  });
}

/** A cell as its canonical string, e.g. "|conv3x3~0|+|skip~0|conv1x1~1|+|...". */
export function cellToString(ops: readonly CellOp[]): string {
  checkCellOps("ops", ops);
  return `|${ops[0]}~0|+|${ops[1]}~0|${ops[2]}~1|+|${ops[3]}~0|${ops[4]}~1|${ops[5]}~2|`;
}

/** Parse a cell string; `parameter` names the value in errors. */
export function parseCell(text: unknown, parameter = "cell", ops: readonly string[] = CELL_OPS): CellOp[] {
  if (typeof parameter !== "string" || parameter === "") parameter = "cell";
  checkArray("ops", ops, {
    min: 1,
    item: (n, v) => checkString(n, v),
    fix: "pass operation names, e.g. fh.space.CELL_OPS.",
  });
  const fix = 'write it as "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|" with ops from ' + ops.join(", ") + ".";
  if (typeof text !== "string")
    fail("invalid-argument", { parameter, rule: "must be a cell string", received: show(text), fix });
  const nodes = text.split("+");
  if (nodes.length !== 3)
    fail("invalid-argument", { parameter, rule: "must have 3 node groups separated by +", received: show(text), fix });
  const out: CellOp[] = [];
  nodes.forEach((group, j) => {
    const parts = group.split("|").filter((p) => p.length > 0);
    if (parts.length !== j + 1) {
      fail("invalid-argument", {
        parameter,
        rule: `must have ${j + 1} edge(s) into node ${j + 1}`,
        received: show(text),
        fix,
      });
    }
    parts.forEach((p, i) => {
      const [op, from] = p.split("~");
      if (from !== String(i) || op === undefined || !ops.includes(op)) {
        fail("invalid-argument", {
          parameter,
          rule: `edge ${i} -> ${j + 1} must be "<op>~${i}" with a known op`,
          received: show(p),
          fix,
        });
      }
      out.push(op as CellOp);
    });
  });
  return out;
}

const ZERO = "0";

/**
 * A key shared by isomorphic cells: each node is the sorted sum of its inputs' expressions,
 * edges that reach no output or come from a zero node drop out, skips splice their input's terms.
 * Two cells with the same key compute the same function (up to weights).
 */
export function canonicalCellKey(ops: readonly CellOp[]): string {
  checkCellOps("ops", ops);
  const expr: string[][] = [["x"]];
  for (let j = 1; j <= 3; j++) {
    const terms: string[] = [];
    CELL_EDGES.forEach(([to, from], e) => {
      if (to !== j) return;
      const op = ops[e]!;
      const input = expr[from]!;
      if (op === "none" || (input.length === 1 && input[0] === ZERO)) return;
      if (op === "skip") terms.push(...input);
      else terms.push(`${op}(${input.join("+")})`);
    });
    expr.push(terms.length === 0 ? [ZERO] : terms.sort());
  }
  return expr[3]!.join("+");
}

/** A random NAS-Bench-201-style cell (one operation per edge). */
export function sampleCell(rng: Rng, ops: readonly CellOp[] = CELL_OPS): CellOp[] {
  checkRng("rng", rng);
  checkArray("ops", ops, {
    min: 1,
    item: (n, v) => checkString(n, v),
    fix: "pass operation names, e.g. fh.space.CELL_OPS.",
  });
  return CELL_EDGES.map(() => ops[rng.int(ops.length)]!);
}

/** Change one edge to a different op. */
export function mutateCell(cell: readonly CellOp[], rng: Rng, ops: readonly CellOp[] = CELL_OPS): CellOp[] {
  checkCellOps("cell", cell);
  checkRng("rng", rng);
  const out = [...cell];
  const e = rng.int(out.length);
  const others = ops.filter((o) => o !== out[e]);
  out[e] = others[rng.int(others.length)]!;
  return out;
}

/** One-hot per edge: 6 x ops.length numbers. */
export function encodeCell(cell: readonly CellOp[], ops: readonly CellOp[] = CELL_OPS): number[] {
  checkCellOps("cell", cell);
  checkCellOps("ops", ops);
  return cell.flatMap((op) => ops.map((o) => (o === op ? 1 : 0)));
}

/** A cell's ops from a trial's value, or undefined when it is no cell of these ops (a cell of an earlier space's op set). */
export function readCell(v: unknown, ops: readonly CellOp[]): CellOp[] | undefined {
  try {
    return parseCell(v, "cell", ops);
  } catch (err) {
    if (err instanceof FeatureHistoriesError) return undefined;
    throw err;
  }
}
