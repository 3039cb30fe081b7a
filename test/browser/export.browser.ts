import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { drawnPlots, launch, root, screenshots, watch } from "./browser-helpers.js";

const executed = join(root, "test-output", "notebooks", "01-estimate-vs-truth.ipynb");
const htmlDir = join(root, "test-output", "html");

test("the exported notebook renders every plot offline, with no errors", async () => {
  assert.ok(existsSync(executed), `${executed} is missing: run FH_CI_SIZE=1 npm run notebooks first (npm test does)`);
  const nb = JSON.parse(readFileSync(executed, "utf8")) as {
    cells: { cell_type: string; execution_count?: number | null; outputs?: { data?: Record<string, unknown> }[] }[];
  };
  const counts = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.execution_count);
  assert.deepEqual(
    counts,
    counts.map((_, i) => i + 1),
    "every executed cell is numbered in order (In [1], In [2], ...), not In [ ]",
  );
  const figures = nb.cells
    .flatMap((c) => c.outputs ?? [])
    .filter((o) => o.data && "application/vnd.plotly.v1+json" in o.data).length;
  assert.ok(figures >= 4, `the notebook shows ${figures} figures`);
  const r = spawnSync(process.execPath, [join(root, "scripts", "export-html.mjs"), executed], {
    cwd: root,
    env: { ...process.env, FH_EXPORT_DIR: htmlDir },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const file = join(htmlDir, "01-estimate-vs-truth.html");
  const html = readFileSync(file, "utf8");
  assert.equal((html.match(/__fhDefine = window.define/g) ?? []).length, 1, "plotly.js is on the page exactly once");
  assert.doesNotMatch(html, /<script[^>]+src="https?:/, "no CDN script");

  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const seen = watch(page);
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => document.querySelectorAll(".fh-plot .main-svg").length >= 4, undefined, {
      timeout: 30000,
    });
    await page.waitForTimeout(500);
    const plots = await drawnPlots(page, ".fh-plot");
    assert.equal(plots.length, figures, "one drawn plot per figure output");
    plots.forEach((p, i) => {
      assert.ok(p.svgMarks > 0 || p.glCanvases > 0, `plot ${i} drew nothing: ${JSON.stringify(p)}`);
      assert.ok(p.width > 300, `plot ${i} has width ${p.width}`);
    });
    const handles = await page.$$(".fh-plot");
    for (let i = 0; i < handles.length; i++)
      await handles[i]!.screenshot({ path: join(screenshots, `export-plot-${i}.png`) });
    await page.screenshot({ path: join(screenshots, "export-page.png"), fullPage: false });
    assert.deepEqual(seen.blocked, [], "the page tried to reach the network");
    assert.deepEqual(seen.errors, [], "the page logged errors");
  } finally {
    await browser.close();
  }
});
