import { checkNumber, checkShape } from "../core/validate.js";
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

/** Okabe-Ito: distinguishable under the common colour-vision deficiencies. */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#D55E00",
  "#CC79A7",
  "#56B4E9",
  "#F0E442",
  "#000000",
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
