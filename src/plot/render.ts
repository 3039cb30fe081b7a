import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, resolve } from "node:path";
import { fail, show } from "../core/errors.js";
import { checkBoolean, checkFunction, checkKeys, checkNumber, checkOneOf } from "../core/validate.js";
import { checkFigure, type PlotlyFigure } from "./theme.js";

/**
 * Static figures and their layout check, rendered by plotly.js itself in the headless Chromium the
 * project already uses for shared notebooks (Debian's chromium through playwright-core). Plotly's
 * own exporter (kaleido) is Python and bundles a second Chromium; here the same plotly.js that
 * draws the notebook draws the file, so a saved figure and the notebook's figure are one drawing.
 */

/** What `save` and `render` write. */
export type FigureFormat = "svg" | "png" | "pdf";
const FORMATS: readonly FigureFormat[] = ["svg", "png", "pdf"];

/** Size of a static figure in CSS pixels; `scale` multiplies the PNG's pixels (2 for print). */
export interface RenderOptions {
  /** Width in CSS pixels; default 900 (the shared notebooks' width). */
  readonly width?: number;
  /** Height in CSS pixels; default the figure's own layout.height, else 460. */
  readonly height?: number;
  /** PNG pixel density; default 2 for save (print), 1 for shared notebooks. */
  readonly scale?: number;
  /**
   * PNG only: quantise to an 8-bit palette (libimagequant through sharp), 3 to 7 times smaller
   * for figures of flat colours; what shared notebooks embed. Default false (full colour).
   */
  readonly palette?: boolean;
}

/** A box in CSS pixels, origin at the figure's top-left corner. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What a rendered figure looks like, measured in the browser: the data behind the visual test. */
export interface FigureReport {
  readonly width: number;
  readonly height: number;
  /** The plot area (all subplots' union). */
  readonly plotArea: Box;
  /** Plot area over figure area. */
  readonly plotShare: number;
  readonly title?: Box;
  readonly axisTitles: readonly { readonly axis: string; readonly box: Box }[];
  /** One box per legend entry, as drawn (after Plotly's layout of the legend). */
  readonly legendEntries: readonly { readonly name: string; readonly box: Box }[];
  /** Whether Plotly had to scroll the legend (entries hidden behind a scrollbar: lost in a PNG). */
  readonly legendScrolls: boolean;
  /** Per axis, the share of its range that the data span (1 = data from edge to edge). */
  readonly fill: readonly { readonly axis: string; readonly share: number }[];
  /** Each problem found, in words; empty when the figure passes. */
  readonly problems: readonly string[];
}

/** The rules of `inspect`: what a figure fit for a paper must satisfy. */
export const FIGURE_RULES = {
  /** Plot area over figure area, at least. */
  minPlotShare: 0.3,
  /** Share of each numeric axis' range covered by the data, at least. */
  minFill: 0.5,
  /** Pixels an element may stick out of the figure (anti-aliasing). */
  tolerance: 1.5,
} as const;

/** The few DOM shapes the page functions touch (the project compiles without the DOM library). */
interface El {
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
  getAttribute(name: string): string | null;
  appendChild(child: El): void;
  remove(): void;
  readonly textContent: string | null;
}
declare const document: { createElement(tag: string): El; body: El };
declare const window: unknown;

const require = createRequire(import.meta.url);
const CHROMIUM = (): string => process.env.FH_CHROMIUM ?? "/usr/bin/chromium";

/** A headless Chromium with plotly.js loaded; render and inspect many figures, then close it. */
export interface FigureRenderer {
  render(figure: PlotlyFigure, format: FigureFormat, options?: RenderOptions): Promise<Uint8Array>;
  inspect(figure: PlotlyFigure, options?: RenderOptions): Promise<FigureReport>;
  close(): Promise<void>;
}

function size(figure: PlotlyFigure, options: RenderOptions, defaultScale: number) {
  checkKeys("options", options, ["width", "height", "scale", "palette"]);
  const width = options.width ?? 900;
  const h = options.height ?? figure.layout.height;
  const height = typeof h === "number" ? h : 460;
  const scale = options.scale ?? defaultScale;
  checkNumber("options.width", width, { integer: true, min: 100, max: 8000 });
  checkNumber("options.height", height, { integer: true, min: 100, max: 8000 });
  checkNumber("options.scale", scale, { min: 0.25, max: 8 });
  if (options.palette !== undefined) checkBoolean("options.palette", options.palette);
  return { width, height, scale };
}

/** Open one headless Chromium for many figures (`fh.plot.save` opens and closes one per call). */
export async function openRenderer(): Promise<FigureRenderer> {
  const chromium = CHROMIUM();
  if (!existsSync(chromium))
    fail("backend-unavailable", {
      parameter: "FH_CHROMIUM",
      rule: "must name a Chromium binary to render figures with",
      received: JSON.stringify(chromium),
      fix: "install Debian's chromium (apt-get install -y chromium) or set FH_CHROMIUM to a Chromium binary.",
    });
  const { chromium: playwright } = await import("playwright-core");
  const browser = await playwright.launch({
    executablePath: chromium,
    // WebGL traces (scattergl) need a GL context: SwiftShader renders them without a GPU.
    args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking"],
  });
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><body style='margin:0'></body></html>");
  await page.addScriptTag({ path: require.resolve("plotly.js-dist-min/plotly.min.js") });

  /** Draw the figure in a fresh div and run `inPage` on it; the div is removed afterwards. */
  const draw = <R>(
    figure: PlotlyFigure,
    sz: { width: number; height: number; scale: number },
    mode: "image" | "report",
    format: string,
  ): Promise<R> =>
    page.evaluate(
      async ({ fig, sz, mode, format, rules }) => {
        type Rect = { x: number; y: number; width: number; height: number };
        const w = window as unknown as { Plotly: Record<string, (...a: unknown[]) => Promise<unknown>> };
        const div = document.createElement("div");
        document.body.appendChild(div);
        const layout = { ...fig.layout, width: sz.width, height: sz.height };
        try {
          await w.Plotly.newPlot!(div, fig.data, layout, { staticPlot: mode === "image" });
          if (mode === "image")
            return await w.Plotly.toImage!(div, {
              format: format === "pdf" ? "svg" : format,
              width: sz.width,
              height: sz.height,
              scale: sz.scale,
            });
          const origin = div.getBoundingClientRect();
          const box = (el: El | null): Rect | undefined => {
            if (!el) return undefined;
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) return undefined;
            return { x: r.left - origin.left, y: r.top - origin.top, width: r.width, height: r.height };
          };
          const drags = [...div.querySelectorAll(".draglayer .nsewdrag")].map(box).filter((b) => b !== undefined);
          const x0 = Math.min(...drags.map((b) => b.x));
          const y0 = Math.min(...drags.map((b) => b.y));
          const x1 = Math.max(...drags.map((b) => b.x + b.width));
          const y1 = Math.max(...drags.map((b) => b.y + b.height));
          // A figure without cartesian axes (parallel coordinates) has no drag layer: its plot
          // area is the drawn parcoords group (axes, lines and their labels).
          const parcoords = drags.length ? undefined : box(div.querySelector(".parcoords"));
          const plotArea = drags.length
            ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
            : (parcoords ?? { x: 0, y: 0, width: 0, height: 0 });
          const title = box(div.querySelector(".g-gtitle .gtitle"));
          const axisTitles = [
            ...div.querySelectorAll(
              ".g-xtitle, .g-ytitle, [class^='g-x'][class$='title'], [class^='g-y'][class$='title']",
            ),
          ]
            .map((g) => ({ axis: g.getAttribute("class") ?? "", box: box(g.querySelector("text")) }))
            .filter((a) => a.box !== undefined && (a.box.width > 0 || a.box.height > 0));
          const unique = new Map(axisTitles.map((a) => [a.axis, a]));
          const legendEntries = [...div.querySelectorAll(".legend .traces")]
            .map((g) => ({ name: g.querySelector(".legendtext")?.textContent ?? "", box: box(g) }))
            .filter((e) => e.box !== undefined);
          const bar = div.querySelector(".legend .scrollbar");
          const barBox = bar ? box(bar) : undefined;
          const legendScrolls = barBox !== undefined && barBox.height > 0 && barBox.width > 0;
          // Data extents against axis ranges, from Plotly's own full layout and calculated traces.
          const full = (div as unknown as { _fullLayout: Record<string, { type?: string; range?: number[] }> })
            ._fullLayout;
          const fd = (div as unknown as { _fullData: Record<string, unknown>[] })._fullData;
          const fill: { axis: string; share: number }[] = [];
          for (const key of Object.keys(full)) {
            const m = /^(x|y)axis(\d*)$/.exec(key);
            const ax = full[key];
            if (!m || !ax || ax.type !== "linear" || !ax.range) continue;
            const letter = m[1]!;
            const id = letter + (m[2] ?? "");
            let lo = Infinity;
            let hi = -Infinity;
            for (const t of fd) {
              if (t.visible !== true) continue;
              if ((t[`${letter}axis`] ?? letter) !== id) continue;
              for (const v of (t[letter] as unknown[] | undefined) ?? []) {
                if (typeof v === "number" && Number.isFinite(v)) {
                  lo = Math.min(lo, v);
                  hi = Math.max(hi, v);
                }
              }
            }
            const span = Math.abs(ax.range[1]! - ax.range[0]!);
            // One value (a single budget) spans nothing by definition: only a real spread is judged.
            if (Number.isFinite(lo) && hi > lo && span > 0)
              fill.push({ axis: id, share: Math.min(1, (hi - lo) / span) });
          }
          const problems: string[] = [];
          const W = sz.width;
          const H = sz.height;
          const tol = rules.tolerance;
          const outside = (b: Rect) => b.x < -tol || b.y < -tol || b.x + b.width > W + tol || b.y + b.height > H + tol;
          const fmt = (b: Rect) =>
            `[${b.x.toFixed(0)}, ${b.y.toFixed(0)}, ${b.width.toFixed(0)}x${b.height.toFixed(0)}]`;
          if (title && outside(title)) problems.push(`the title ${fmt(title)} is cut by the ${W}x${H} frame`);
          for (const a of unique.values())
            if (outside(a.box!)) problems.push(`the axis title ${a.axis} ${fmt(a.box!)} is cut by the ${W}x${H} frame`);
          for (const e of legendEntries)
            if (outside(e.box!)) problems.push(`legend entry "${e.name}" ${fmt(e.box!)} is cut by the ${W}x${H} frame`);
          if (legendScrolls)
            problems.push(`the legend scrolls: ${legendEntries.length} entries do not fit (a PNG loses the rest)`);
          // A menu (a dropdown's header) sits in the margin: over the plot it hides data.
          const overlaps = (a: Rect, b: Rect) =>
            a.x < b.x + b.width - tol &&
            b.x < a.x + a.width - tol &&
            a.y < b.y + b.height - tol &&
            b.y < a.y + a.height - tol;
          for (const m of [...div.querySelectorAll(".updatemenu-header")].map(box)) {
            if (!m) continue;
            if (outside(m)) problems.push(`a menu ${fmt(m)} is cut by the ${W}x${H} frame`);
            else if (plotArea.width > 0 && overlaps(m, plotArea))
              problems.push(`a menu ${fmt(m)} covers the plot area ${fmt(plotArea)}`);
            else if (title && overlaps(m, title)) problems.push(`a menu ${fmt(m)} covers the title ${fmt(title)}`);
          }
          const plotShare = (plotArea.width * plotArea.height) / (W * H);
          if (plotShare < rules.minPlotShare)
            problems.push(
              `the plot area is ${(100 * plotShare).toFixed(0)} % of the figure (at least ${100 * rules.minPlotShare} %)`,
            );
          for (const f of fill)
            if (f.share < rules.minFill)
              problems.push(
                `the data span ${(100 * f.share).toFixed(0)} % of axis ${f.axis}'s range (at least ${100 * rules.minFill} %)`,
              );
          return {
            width: W,
            height: H,
            plotArea,
            plotShare,
            ...(title ? { title } : {}),
            axisTitles: [...unique.values()],
            legendEntries,
            legendScrolls,
            fill,
            problems,
          };
        } finally {
          void w.Plotly.purge!(div);
          div.remove();
        }
      },
      {
        fig: figure as unknown as { data: unknown[]; layout: Record<string, unknown> },
        sz,
        mode,
        format,
        rules: FIGURE_RULES,
      },
    ) as Promise<R>;

  return {
    async render(figure, format, options = {}) {
      checkFigure("figure", figure);
      checkOneOf("format", format, FORMATS);
      const sz = size(figure, options, 2);
      // Vector formats keep CSS pixels: a scale would only multiply the SVG's width and height.
      if (format !== "png") sz.scale = 1;
      const url = await draw<string>(figure, sz, "image", format);
      if (format === "png") {
        const png = Buffer.from(url.replace(/^data:image\/png;base64,/, ""), "base64");
        if (!options.palette) return new Uint8Array(png);
        const sharp = (await import("sharp")).default;
        return new Uint8Array(
          await sharp(png).png({ palette: true, quality: 90, compressionLevel: 9, effort: 8 }).toBuffer(),
        );
      }
      const svg = decodeURIComponent(url.replace(/^data:image\/svg\+xml,/, ""));
      if (format === "svg") return new Uint8Array(Buffer.from(svg, "utf8"));
      // PDF: Chromium prints the SVG on a page of the figure's size (vector, fonts embedded).
      const pdfPage = await browser.newPage();
      try {
        await pdfPage.setContent(
          `<!doctype html><html><head><style>@page{size:${sz.width}px ${sz.height}px;margin:0}html,body{margin:0}</style></head><body>${svg}</body></html>`,
        );
        const pdf = await pdfPage.pdf({
          width: `${sz.width}px`,
          height: `${sz.height}px`,
          printBackground: true,
          pageRanges: "1",
        });
        return new Uint8Array(pdf);
      } finally {
        await pdfPage.close();
      }
    },
    async inspect(figure, options = {}) {
      checkFigure("figure", figure);
      return draw<FigureReport>(figure, size(figure, options, 1), "report", "png");
    },
    async close() {
      await browser.close();
    },
  };
}

/** Run `fn` with one renderer and close it afterwards, also on error. */
export async function withRenderer<R>(fn: (r: FigureRenderer) => Promise<R>): Promise<R> {
  checkFunction("fn", fn, "pass an async function of the renderer, e.g. (r) => r.inspect(fig).");
  const r = await openRenderer();
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

/**
 * Save a figure as SVG, PDF or PNG (the format from the file's extension), drawn by plotly.js in
 * headless Chromium: `await fh.plot.save(fig, "fig.pdf", { width: 700, height: 420 })`. Returns the
 * absolute path written. PNGs default to scale 2 (print resolution).
 */
export async function save(figure: PlotlyFigure, path: string, options: RenderOptions = {}): Promise<string> {
  checkFigure("figure", figure);
  const ext = typeof path === "string" ? extname(path).slice(1).toLowerCase() : "";
  if (!(FORMATS as readonly string[]).includes(ext))
    fail("invalid-argument", {
      parameter: "path",
      rule: "must be a file name ending in .svg, .pdf or .png (the format comes from the extension)",
      received: show(path),
      fix: 'e.g. await fh.plot.save(fig, "figure.pdf", { width: 700, height: 420 }).',
    });
  size(figure, options, 2);
  const bytes = await withRenderer((r) => r.render(figure, ext as FigureFormat, options));
  const out = resolve(path);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  return out;
}

/** Render a figure and measure it (see FigureReport): `(await fh.plot.inspect(fig)).problems`. */
export async function inspect(figure: PlotlyFigure, options: RenderOptions = {}): Promise<FigureReport> {
  // Bad input is answered before a browser starts.
  checkFigure("figure", figure);
  size(figure, options, 1);
  return withRenderer((r) => r.inspect(figure, options));
}
