// Shareable notebooks: every figure gets a static PNG rendered from its Plotly JSON in headless
// Chromium, the plotly.js loader and the script fallback go, cells are numbered; four figures of
// 1,000 points stay under 1 MB, nbconvert's markdown shows four images, and the exported HTML
// is interactive again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./browser-helpers.js";
import { figureBundle, plotlyLoaderHtml, LOADER_METADATA, PLOTLY_MIME } from "../../src/notebook/figures.js";
import { createRng } from "../../src/core/random.js";

const python = join(root, ".venv", "bin", "python");

function figure(k: number) {
  const rng = createRng(k);
  const x = Array.from({ length: 1000 }, () => rng.next());
  return {
    data: [
      { type: "scatter" as const, mode: "markers", x, y: x.map((v) => v + 0.1 * rng.normal()), name: `series ${k}` },
    ],
    layout: { title: { text: `figure ${k}` } },
  };
}

test("npm run share: static PNGs, no loader, numbered cells, < 1 MB for four 1,000-point figures", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fh-share-"));
  try {
    const cells = [0, 1, 2, 3].map((k) => ({
      cell_type: "code",
      metadata: {},
      source: `fh.notebook.showFigure(fig${k})`,
      execution_count: null,
      outputs: [
        ...(k === 0
          ? [
              {
                output_type: "display_data",
                data: { "text/html": plotlyLoaderHtml() },
                metadata: { ...LOADER_METADATA },
              },
            ]
          : []),
        { output_type: "display_data", data: figureBundle(figure(k)), metadata: {} },
      ],
    }));
    const path = join(dir, "shared.ipynb");
    const nb = {
      cells,
      metadata: { kernelspec: { name: "feature-histories", display_name: "TypeScript", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    writeFileSync(path, JSON.stringify(nb));
    assert.ok(readFileSync(path).length > 4_000_000, "the loader makes it big before");
    const r = spawnSync(process.execPath, [join(root, "scripts", "share-notebook.mjs"), path], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /4 figure\(s\) with a static PNG, 1 plotly\.js loader\(s\) dropped, 4 cell\(s\) numbered/);
    const size = readFileSync(path).length;
    assert.ok(size < 1_000_000, `shared notebook is ${size} bytes`);
    const shared = JSON.parse(readFileSync(path, "utf8")) as typeof nb;
    assert.deepEqual(
      shared.cells.map((c) => c.execution_count),
      [1, 2, 3, 4],
    );
    for (const c of shared.cells) {
      assert.equal(c.outputs.length, 1);
      const data = c.outputs[0]!.data as Record<string, unknown>;
      assert.ok(data[PLOTLY_MIME], "the interactive figure stays for JupyterLab");
      assert.equal(data["text/html"], undefined, "no script fallback that static viewers cannot run");
      const png = Buffer.from(data["image/png"] as string, "base64");
      assert.equal(png.subarray(1, 4).toString(), "PNG");
      assert.equal(png.readUInt32BE(16), 900, "rendered 900 px wide");
      assert.ok(png.length > 5_000, "a real picture, not a blank");
    }
    // nbconvert --to markdown (what GitHub-like static views and pdf use) shows every figure as an image.
    const md = spawnSync(python, ["-m", "nbconvert", "--to", "markdown", "--output-dir", dir, path], {
      encoding: "utf8",
    });
    assert.equal(md.status, 0, md.stderr);
    const text = readFileSync(join(dir, "shared.md"), "utf8");
    assert.equal((text.match(/!\[png\]\(shared_files\/[^)]+\.png\)/g) ?? []).length, 4, text.slice(0, 500));
    assert.equal(readdirSync(join(dir, "shared_files")).filter((f) => f.endsWith(".png")).length, 4);
    // Exported HTML gets its interactive figures back from the Plotly JSON.
    const html = spawnSync(process.execPath, [join(root, "scripts", "export-html.mjs"), path], {
      cwd: root,
      env: { ...process.env, FH_EXPORT_DIR: dir },
      encoding: "utf8",
    });
    assert.equal(html.status, 0, html.stderr);
    const page = readFileSync(join(dir, "shared.html"), "utf8");
    assert.equal((page.match(/class="fh-plot"/g) ?? []).length, 4);
    assert.equal((page.match(/__fhDefine = window.define/g) ?? []).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the committed notebooks are shared: every figure carries a static PNG, no loader, numbered cells", () => {
  const dir = join(root, "notebooks");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ipynb"));
  let figures = 0;
  for (const f of files) {
    const nb = JSON.parse(readFileSync(join(dir, f), "utf8")) as {
      cells: {
        cell_type: string;
        execution_count?: number | null;
        outputs?: { data?: Record<string, unknown>; metadata?: Record<string, unknown> }[];
      }[];
    };
    for (const c of nb.cells.filter((x) => x.cell_type === "code")) {
      assert.ok(typeof c.execution_count === "number", `${f}: a code cell without execution count`);
      for (const o of c.outputs ?? []) {
        assert.ok(!JSON.stringify(o.metadata ?? {}).includes("plotly-loader"), `${f}: a plotly.js loader output`);
        if (!o.data?.[PLOTLY_MIME]) continue;
        figures++;
        const png = Buffer.from(String(o.data["image/png"] ?? ""), "base64");
        assert.equal(png.subarray(1, 4).toString(), "PNG", `${f}: a figure without its static PNG`);
      }
    }
  }
  assert.ok(figures >= 15, `${figures} figures in the committed notebooks`);
});
