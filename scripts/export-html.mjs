// `npm run export [-- FILE...]`: writes out/<name>.html for each executed notebook: one
// self-contained file that renders offline. nbconvert renders each figure's text/html fallback;
// plotly.js (from node_modules, never a CDN) is then injected once into the page's <head>.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { jupyterEnv, jupyterPython, notebookArgs, root } from "./jupyter-env.mjs";

const notebooks = notebookArgs();
const py = jupyterPython(["nbconvert"]);
const { plotlyLoaderHtml } = await import("../dist/notebook/figures.js");
const outDir = process.env.FH_EXPORT_DIR ?? join(root, "out");
mkdirSync(outDir, { recursive: true });
for (const nb of notebooks) {
  const r = spawnSync(py, ["-m", "nbconvert", "--to", "html", "--output-dir", outDir, nb], {
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
