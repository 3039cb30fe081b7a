// `npm run share -- NOTEBOOK [--out FILE]` (also `npx feature-histories share NOTEBOOK`): makes an
// executed notebook shareable. Every Plotly figure gets a static PNG rendered from the same Plotly
// JSON in headless Chromium (plotly.js toImage), so GitHub, nbviewer, VS Code's preview, the
// classic notebook and `nbconvert --to markdown/pdf` show it; JupyterLab still draws the
// interactive figure from the JSON. The HTML fallback (a script that needs plotly.js on the page)
// and the plotly.js loader output (~4.8 MB) are dropped, and cells get execution counts.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Figures of a notebook: [cell, output] pairs whose output carries Plotly JSON. */
function figureOutputs(nb) {
  const found = [];
  for (const cell of nb.cells ?? [])
    for (const out of cell.outputs ?? []) if (out.data && out.data[PLOTLY_MIME]) found.push(out);
  return found;
}

/** Render Plotly figures to PNG (base64) in one headless Chromium (fh.plot's renderer). */
export async function renderFigures(figures, options = {}) {
  if (!figures.length) return [];
  const { openRenderer } = await import("../dist/plot/render.js");
  const renderer = await openRenderer();
  try {
    const out = [];
    for (const fig of figures) {
      const png = await renderer.render(fig, "png", { width: options.width ?? 900, scale: 1, palette: true });
      out.push(Buffer.from(png).toString("base64"));
    }
    return out;
  } finally {
    await renderer.close();
  }
}

/** Make a notebook (parsed ipynb JSON) shareable in place; returns what changed. */
export async function shareNotebook(nb, options = {}) {
  let loaders = 0;
  let numbered = 0;
  let k = 0;
  for (const cell of nb.cells ?? []) {
    if (cell.cell_type !== "code") continue;
    k++;
    const outs = cell.outputs ?? [];
    const keep = outs.filter((o) => o.metadata?.["feature-histories"]?.role !== "plotly-loader");
    loaders += outs.length - keep.length;
    cell.outputs = keep;
    if (cell.execution_count == null && (keep.length || options.numberAll !== false)) {
      cell.execution_count = k;
      numbered++;
    }
    for (const o of keep)
      if (o.output_type === "execute_result" && o.execution_count == null) o.execution_count = cell.execution_count;
  }
  const outputs = figureOutputs(nb);
  const pngs = await renderFigures(
    outputs.map((o) => o.data[PLOTLY_MIME]),
    options,
  );
  outputs.forEach((o, i) => {
    o.data["image/png"] = pngs[i];
    delete o.data["text/html"];
    o.metadata = { ...(o.metadata ?? {}), "image/png": { width: options.width ?? 900 } };
  });
  return { figures: outputs.length, loaders, numbered };
}

export async function main() {
  const args = process.argv.slice(2);
  const outAt = args.indexOf("--out");
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  const files = args.filter((a, i) => !a.startsWith("--") && (outAt < 0 || i !== outAt + 1));
  if (!files.length || (out && files.length > 1)) {
    console.error("usage: npm run share -- NOTEBOOK... | npm run share -- NOTEBOOK --out FILE");
    process.exit(2);
  }
  for (const file of files) {
    const nb = JSON.parse(readFileSync(file, "utf8"));
    const before = Buffer.byteLength(JSON.stringify(nb));
    const r = await shareNotebook(nb);
    const text = JSON.stringify(nb, null, 1) + "\n";
    writeFileSync(out ?? file, text);
    console.log(
      `${out ?? file}: ${r.figures} figure(s) with a static PNG, ${r.loaders} plotly.js loader(s) dropped, ` +
        `${r.numbered} cell(s) numbered; ${(before / 1e6).toFixed(2)} MB -> ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB`,
    );
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? "")).href) await main();
