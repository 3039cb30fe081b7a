// `npm run export [-- FILE...]`: writes out/<name>.html for each executed notebook: one
// self-contained file that renders offline. nbconvert renders each figure's text/html fallback
// (rebuilt from the Plotly JSON where a shared notebook dropped it for its static PNG); plotly.js
// (from node_modules, never a CDN) is then injected once into the page's <head>.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { jupyterEnv, jupyterPython, notebookArgs, root } from "./jupyter-env.mjs";

const notebooks = notebookArgs();
const py = jupyterPython(["nbconvert"]);
const { plotlyLoaderHtml, figureHtml, PLOTLY_MIME } = await import("../dist/notebook/figures.js");
const outDir = process.env.FH_EXPORT_DIR ?? join(root, "out");
mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "fh-export-"));
for (const nb of notebooks) {
  // A shared notebook's figures carry Plotly JSON and a PNG: give them back their interactive HTML.
  const parsed = JSON.parse(readFileSync(nb, "utf8"));
  let rebuilt = 0;
  for (const cell of parsed.cells ?? [])
    for (const out of cell.outputs ?? [])
      if (out.data?.[PLOTLY_MIME] && !out.data["text/html"]) {
        const fig = out.data[PLOTLY_MIME];
        out.data["text/html"] = figureHtml(
          { data: fig.data, layout: fig.layout },
          undefined,
          fig.layout?.height ?? 460,
        );
        rebuilt++;
      }
  const source = rebuilt ? join(work, basename(nb)) : nb;
  if (rebuilt) writeFileSync(source, JSON.stringify(parsed));
  const r = spawnSync(py, ["-m", "nbconvert", "--to", "html", "--output-dir", outDir, source], {
    cwd: root,
    env: jupyterEnv(),
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const file = join(outDir, basename(nb).replace(/\.ipynb$/, ".html"));
  // Offline means no CDN: nbconvert's template loads require.js and MathJax from cdnjs; the
  // figures need neither, and a failed fetch would log errors on an offline page.
  let html = readFileSync(file, "utf8").replace(/<script src="https?:\/\/[^"]*">\s*<\/script>/g, "");
  if (html.includes('class="fh-plot"') && !html.includes("__fhDefine")) {
    html = html.replace("</head>", () => `${plotlyLoaderHtml()}\n</head>`);
    writeFileSync(file, html);
  }
  console.log(`wrote ${file}${html.includes("__fhDefine") ? " (plotly.js inlined once)" : ""}`);
}
rmSync(work, { recursive: true, force: true });
