import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { checkFigure, type PlotlyFigure } from "../plot/theme.js";
import { tableHtml, tableText, type TableHtmlOptions } from "../table/html.js";
import type { Table } from "../table/tables.js";
import { displayBundle, escapeHtml, newDisplayId, type MimeBundle } from "./display.js";
import { checkNumber, checkKeys } from "../core/validate.js";
import { checkTable } from "../table/tables.js";

const require = createRequire(import.meta.url);
/** The MIME type of a Plotly figure in a notebook (application/vnd.plotly.v1+json). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";
/** Output metadata that marks the plotly.js loader; the notebook runner strips such outputs. */
export const LOADER_METADATA = { "feature-histories": { role: "plotly-loader" } } as const;

let plotlySource: string | undefined;
/** plotly.js-dist-min, read from node_modules (never a CDN). */
export function plotlyJs(): string {
  plotlySource ??= readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  return plotlySource;
}

/**
 * The loader: plotly.js inlined once per page, with require.js hidden while it defines itself
 * (the classic notebook has require.js, which would capture the UMD module), then every queued
 * figure drawn.
 */
export function plotlyLoaderHtml(): string {
  return (
    `<script type="text/javascript">window.PlotlyConfig = { MathJaxConfig: "local" };` +
    `var __fhDefine = window.define; window.define = undefined;</script>\n` +
    `<script type="text/javascript">${plotlyJs()}</script>\n` +
    `<script type="text/javascript">window.define = __fhDefine;` +
    `(window.__fhPlotlyQueue || []).forEach(function (f) { f(); }); window.__fhPlotlyQueue = [];</script>`
  );
}

/** The HTML fallback of one figure: a div and a script that draws it as soon as plotly.js is on the page. */
export function figureHtml(fig: PlotlyFigure, id = newDisplayId(), height = 460): string {
  checkFigure("figure", fig);
  checkNumber("height", height, { min: 50, max: 10000 });
  const json = JSON.stringify({ data: fig.data, layout: { ...fig.layout, height } }).replace(/</g, "\\u003c");
  return (
    `<div id="${id}" class="fh-plot" style="width:100%;min-width:480px;height:${height}px"></div>` +
    `<script type="text/javascript">(function () { var fig = ${json}; function draw() { window.Plotly.newPlot("${id}", fig.data, fig.layout, { responsive: true, displaylogo: false }); }` +
    ` if (window.Plotly) { draw(); } else { (window.__fhPlotlyQueue = window.__fhPlotlyQueue || []).push(draw); } })();</script>`
  );
}

function summary(fig: PlotlyFigure): string {
  const title = ((fig.layout.title as { text?: string } | undefined)?.text ?? "figure")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");
  return `Plotly figure: ${title.trim()} (${fig.data.length} traces)`;
}

/** One bundle: Plotly JSON (JupyterLab, untrusted too), an HTML fallback (classic notebook, exported HTML), a text summary. */
export function figureBundle(fig: PlotlyFigure, options: { height?: number } = {}): MimeBundle {
  checkFigure("figure", fig);
  checkKeys("options", options, ["height"]);
  const own = fig.layout.height;
  const height = options.height ?? (typeof own === "number" ? own : 460);
  return {
    [PLOTLY_MIME]: {
      data: fig.data,
      layout: { ...fig.layout, height },
      config: { displaylogo: false, responsive: true },
    },
    "text/html": figureHtml(fig, newDisplayId(), height),
    "text/plain": summary(fig),
  };
}

let loaderSent = false;

/**
 * Put plotly.js on the page (once per kernel session unless `force`): the one-line opt-in for the
 * classic notebook (nbclassic), which cannot render the Plotly MIME type itself. JupyterLab,
 * Notebook 7 and VS Code render it natively, so figures no longer emit the loader by default: it
 * inlines ~4.8 MB of plotly.js into every saved notebook.
 */
export function loadPlotly(options: { force?: boolean } = {}): void {
  checkKeys("options", options, ["force"]);
  if (loaderSent && !options.force) return;
  loaderSent = true;
  displayBundle(
    { "text/html": plotlyLoaderHtml(), "text/plain": "plotly.js loaded for this page" },
    { metadata: { ...LOADER_METADATA } },
  );
}

/**
 * Show a figure: Plotly JSON (drawn by JupyterLab, Notebook 7, VS Code), an HTML fallback that
 * draws once plotly.js is on the page (exported HTML; the classic notebook after loadPlotly()),
 * and a text summary. `npm run share` adds a static PNG for GitHub, nbviewer and nbconvert.
 */
export function showFigure(fig: PlotlyFigure, options: { height?: number } = {}): void {
  checkFigure("figure", fig);
  checkKeys("options", options, ["height"]);
  if (process.env.FH_PLOTLY_LOADER === "1") loadPlotly();
  displayBundle(figureBundle(fig, options));
}

/** The display bundle of a table: formatted HTML and a text rendering. */
export function tableBundle(table: Table, options: TableHtmlOptions = {}): MimeBundle {
  checkTable("table", table);
  return { "text/html": tableHtml(table, options), "text/plain": tableText(table, options) };
}

/** Show an arquero table as HTML (formatted numbers, sticky header, capped rows). */
export function showTable(table: Table, options: TableHtmlOptions = {}): void {
  checkTable("table", table);
  displayBundle(tableBundle(table, options));
}

/** Reset the once-per-session loader flag (tests). */
export function resetPlotlyLoader(): void {
  loaderSent = false;
}

export { escapeHtml };
