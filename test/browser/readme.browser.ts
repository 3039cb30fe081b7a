// The README's ten-line cell is real: extracted from README.md, run against the toolkit (with the
// notebook display functions recording what they were given) in a folder whose data/ is the
// committed notebooks/data, it shows one figure and one table and saves the figure as a PNG.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./browser-helpers.js";
import * as fh from "../../src/index.js";

test("the README's ten-line cell runs: a figure with a slider over t, the summary table, a saved PNG", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## A ten-line cell"));
  const cell = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(cell, "the README has a ts cell under its ten-line heading");
  assert.ok(cell.trim().split("\n").length <= 10, "ten lines at most");
  const dir = mkdtempSync(join(tmpdir(), "fh-readme-"));
  const cwd = process.cwd();
  try {
    symlinkSync(join(root, "notebooks", "data"), join(dir, "data"));
    process.chdir(dir);
    const shown: { figures: fh.plot.PlotlyFigure[]; tables: fh.table.Table[] } = { figures: [], tables: [] };
    const notebook = {
      ...fh.notebook,
      showFigure: (f: fh.plot.PlotlyFigure) => void shown.figures.push(f),
      showTable: (t: fh.table.Table) => void shown.tables.push(t),
    };
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (fh: unknown) => Promise<void>;
    await new AsyncFunction("fh", cell)({ ...fh, notebook });
    assert.equal(shown.figures.length, 1);
    const sliders = shown.figures[0]!.layout.sliders as { steps: unknown[] }[];
    assert.equal(sliders[0]!.steps.length, 3, "t = 1, 2, 3");
    assert.equal(shown.tables.length, 1);
    assert.equal(shown.tables[0]!.numRows(), 9, "3 estimators x 3 budgets");
    const png = readFileSync(join(dir, "estimate-vs-truth.png"));
    assert.equal(png.subarray(1, 4).toString(), "PNG");
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});
