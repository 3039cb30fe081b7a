import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drawnPlots, launch, root, screenshots, watch } from "./browser-helpers.js";

const executed = join(root, "test-output", "notebooks", "01-estimate-vs-truth.ipynb");
const jupyter = join(root, ".venv", "bin", "jupyter");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitFor(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

test("JupyterLab renders every plot of the untrusted notebook, with no errors", async () => {
  assert.ok(existsSync(executed), `${executed} is missing: run FH_CI_SIZE=1 npm run notebooks first (npm test does)`);
  assert.ok(existsSync(jupyter), `${jupyter} is missing: run bash scripts/setup.sh`);
  // Fresh Jupyter dirs: no notebook-signature store, and nbclient does not sign what it executes,
  // so the notebook opens untrusted (HTML outputs sanitised, scripts not run).
  const home = mkdtempSync(join(tmpdir(), "fh-lab-"));
  // JupyterLab 4 detaches scrolled-off cells (windowing): turn it off so every output stays in the DOM.
  const tracker = join(home, "settings", "@jupyterlab", "notebook-extension");
  mkdirSync(tracker, { recursive: true });
  writeFileSync(join(tracker, "tracker.jupyterlab-settings"), JSON.stringify({ windowingMode: "none" }));
  const work = join(home, "work");
  cpSync(executed, join(work, "01-estimate-vs-truth.ipynb"));
  const port = await freePort();
  const token = "fh-test-token";
  const server = spawn(
    jupyter,
    [
      "lab",
      "--no-browser",
      "--allow-root",
      "--ServerApp.ip=127.0.0.1",
      `--ServerApp.port=${port}`,
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${work}`,
      "--LabApp.news_url=",
      "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ],
    {
      env: {
        ...process.env,
        JUPYTER_DATA_DIR: join(home, "data"),
        JUPYTER_CONFIG_DIR: join(home, "config"),
        JUPYTER_RUNTIME_DIR: join(home, "runtime"),
        JUPYTER_PATH: join(root, "kernel", "jupyter"),
        JUPYTERLAB_SETTINGS_DIR: join(home, "settings"),
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let log = "";
  server.stderr.on("data", (d: Buffer) => (log += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const browser = await launch();
  try {
    await waitFor(`${base}/api/status?token=${token}`, 60000);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const seen = watch(page, base);
    await page.goto(`${base}/lab/tree/01-estimate-vs-truth.ipynb?token=${token}`);
    await page.waitForSelector(".jp-Notebook", { timeout: 60000 });
    const figures = 4;
    // A shared notebook's figure carries a static PNG: JupyterLab's plotly renderer shows it at
    // once (as plotly.py's own renderer does) and draws the interactive figure on mouseenter.
    await page.waitForFunction(
      (n) => document.querySelectorAll(".jp-RenderedPlotly img.plot-img").length >= n,
      figures,
      {
        timeout: 60000,
      },
    );
    const statics = await page.$$eval(".jp-RenderedPlotly img.plot-img", (imgs) =>
      imgs.map((i) => (i as HTMLImageElement).naturalWidth),
    );
    assert.ok(statics.length === figures && statics.every((w) => w > 0), `static images shown first: ${statics}`);
    for (const handle of await page.$$(".jp-RenderedPlotly")) {
      await handle.scrollIntoViewIfNeeded();
      await handle.hover();
    }
    await page.waitForFunction((n) => document.querySelectorAll(".js-plotly-plot .main-svg").length >= 2 * n, figures, {
      timeout: 60000,
    });
    await page.waitForTimeout(1000);
    const plots = await drawnPlots(page, ".js-plotly-plot");
    assert.equal(plots.length, figures, `JupyterLab drew ${plots.length} plots`);
    plots.forEach((p, i) =>
      assert.ok(p.svgMarks > 0 || p.glCanvases > 0, `plot ${i} drew nothing: ${JSON.stringify(p)}`),
    );
    // Untrusted: the figures' HTML fallbacks (whose scripts would draw into .fh-plot) did not run.
    assert.equal(await page.$$eval(".fh-plot .main-svg", (e) => e.length), 0);
    await page.screenshot({ path: join(screenshots, "jupyterlab.png") });
    const handles = await page.$$(".js-plotly-plot");
    for (let i = 0; i < handles.length; i++) {
      await handles[i]!.scrollIntoViewIfNeeded();
      await handles[i]!.screenshot({ path: join(screenshots, `jupyterlab-plot-${i}.png`) });
    }
    assert.deepEqual(seen.blocked, [], "the page tried to reach the network");
    assert.deepEqual(seen.errors, [], "the page logged errors");
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    rmSync(home, { recursive: true, force: true });
  }
  void log;
});
