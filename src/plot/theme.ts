import { checkArray, checkNumber, checkShape } from "../core/validate.js";
/** Plotly figure JSON, typed as far as the toolkit writes it. */
export interface PlotlyTrace {
  readonly type: "scatter" | "scattergl";
  readonly [key: string]: unknown;
}
/** A Plotly figure as data (traces and layout), what every fh.plot function returns. */
export interface PlotlyFigure {
  readonly data: readonly PlotlyTrace[];
  readonly layout: Readonly<Record<string, unknown>>;
}

/** `value` must be a Plotly figure ({ data, layout }), e.g. what a figure function returns. */
export function checkFigure(name: string, value: unknown): PlotlyFigure {
  checkShape(
    name,
    value,
    "a Plotly figure",
    { data: "array", layout: "object" },
    "pass the result of a figure function, e.g. fh.plot.scatterFigure(info).",
  );
  return value as PlotlyFigure;
}

/**
 * Twenty colours for up to twenty series: Okabe-Ito's eight first (distinguishable under the common
 * colour-vision deficiencies), then twelve from Kelly's and Tol's sets, chosen greedily for the
 * largest smallest CIELAB distance to those already taken (every pair differs by Delta E >= 26).
 */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#D55E00",
  "#CC79A7",
  "#56B4E9",
  "#F0E442",
  "#000000",
  "#C2B280",
  "#332288",
  "#BE0032",
  "#654522",
  "#F99379",
  "#2CA02C",
  "#7F7F7F",
  "#882255",
  "#9467BD",
  "#8DB600",
  "#882D17",
  "#999933",
] as const;

/** The palette colour of series i (cycling). */
export function colour(i: number): string {
  checkNumber("i", i, { integer: true, min: 0 });
  return PALETTE[i % PALETTE.length]!;
}

/** One theme for every figure: font, margins, white background, light grid. */
export function baseLayout(
  title: string,
  xTitle: string,
  yTitle: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    // Aligned with the plot area's left edge (not the paper's), so the title sits inside the frame.
    title: { text: title, x: 0, xref: "paper", xanchor: "left", font: { size: 14 } },
    font: { family: "Helvetica, Arial, sans-serif", size: 12, color: "#222" },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    margin: { l: 64, r: 16, t: 72, b: 56 },
    legend: { orientation: "v", x: 1.02, y: 1, xanchor: "left", font: { size: 11 } },
    hovermode: "closest",
    xaxis: axisStyle(xTitle),
    yaxis: axisStyle(yTitle),
    ...extra,
  };
}

/**
 * A title pinned to the top of the figure, so that a menu between it and the plot (in the top
 * margin) never covers it: Plotly's automatic title position is the middle of the top margin.
 */
export function pinnedTitle(title: unknown, height: number): Record<string, unknown> {
  // Plotly anchors a two-line title's "top" at its first line's middle (measured: 13 px above the
  // frame at y = 1), and ignores title.pad for it: the 14 px gap is in y itself.
  return { ...(title as Record<string, unknown>), y: 1 - 28 / height, yref: "container", yanchor: "top" };
}

/**
 * Where a dropdown menu sits: above the plot's top right corner, in the top margin under a
 * pinnedTitle. A menu has no container coordinates: its y is in the plot's own fraction.
 */
export const MENU_ABOVE_PLOT = { x: 1, xanchor: "right", y: 1, yanchor: "bottom", pad: { b: 6 } } as const;

/** Legend entries at most this many sit right of the plot; more go below it, in rows. */
export const LEGEND_RIGHT_MAX = 8;

/** Trace types that Plotly never puts in a legend. */
const NO_LEGEND_TYPES = new Set(["parcoords", "parcats", "table", "sankey", "heatmap", "contour", "histogram2d"]);

/**
 * The legend entries of a figure's traces: one per shown trace, one per legend group. With the
 * figure's layout it follows Plotly's rule too: no legend for a single trace unless
 * `layout.showlegend` is true, none at all when it is false.
 */
export function legendEntries(data: readonly PlotlyTrace[], layout?: PlotlyFigure["layout"]): number {
  checkArray("data", data, {
    what: "a Plotly trace (an object)",
    item: (n, v) => checkShape(n, v, "a Plotly trace", {}, "pass a figure's data, e.g. fig.data."),
    fix: "pass a figure's data, e.g. fig.data.",
  });
  const groups = new Set<string>();
  let n = 0;
  let traces = 0;
  for (const t of data) {
    if (t.showlegend === false || t.visible === false) continue;
    if (typeof t.type === "string" && NO_LEGEND_TYPES.has(t.type) && t.showlegend !== true) continue;
    traces++;
    const g = typeof t.legendgroup === "string" ? t.legendgroup : undefined;
    if (g !== undefined) {
      if (groups.has(g)) continue;
      groups.add(g);
    }
    n++;
  }
  if (layout?.showlegend === false) return 0;
  if (layout && layout.showlegend !== true && traces <= 1) return 0;
  return n;
}

/**
 * A legend that never clips: up to LEGEND_RIGHT_MAX entries right of the plot, more below it in
 * rows across the figure's width, with the bottom margin and the figure's height grown by the rows
 * (a legend in container coordinates does not push Plotly's margins itself), instead of a
 * scrolling legend that a static image cuts. Returns the figure with its legend and height set.
 */
export function fitLegend<F extends PlotlyFigure>(figure: F, height = 460): F {
  checkFigure("figure", figure);
  checkNumber("height", height, { integer: true, min: 100, max: 10000 });
  const n = legendEntries(figure.data);
  if (n <= LEGEND_RIGHT_MAX) return { ...figure, layout: { ...figure.layout, height } };
  const perRow = 3; // entries of up to ~ 35 characters across a 900 px figure
  const rowHeight = 19;
  const legendHeight = Math.ceil(n / perRow) * rowHeight + 8;
  const margin = (figure.layout.margin ?? {}) as Record<string, number>;
  return {
    ...figure,
    layout: {
      ...figure.layout,
      height: height + legendHeight,
      margin: { ...margin, b: (margin.b ?? 56) + legendHeight },
      legend: {
        orientation: "h",
        x: 0,
        xanchor: "left",
        xref: "container",
        y: 0,
        yanchor: "bottom",
        yref: "container",
        font: { size: 11 },
        entrywidth: 1 / perRow - 0.01,
        entrywidthmode: "fraction",
        tracegroupgap: 0,
      },
    },
  };
}

/** Rounds numbers in figure JSON (for snapshot tests and smaller notebooks). */
export function roundFigure<T>(value: T, digits = 4): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(digits)) : v,
    ),
  ) as T;
}

/** The house axis: titled, light grid, outside ticks, a margin that fits long titles; `extra` on top. */
export function axisStyle(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title },
    gridcolor: "#e5e5e5",
    zeroline: false,
    linecolor: "#444",
    ticks: "outside",
    // Long axis titles and tick labels get the margin they need instead of being clipped.
    automargin: true,
    ...extra,
  };
}

/** An epoch axis: whole epochs only (never 1.5, 2.5). */
export function epochAxis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return axisStyle(title, { tickformat: "d", dtick: 1, tick0: 1, ...extra });
}
