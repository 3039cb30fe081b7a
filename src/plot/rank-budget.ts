import type { SummaryRow } from "../table/tables.js";
import { baseLayout, colour, type PlotlyFigure, type PlotlyTrace } from "./theme.js";

export interface RankBudgetSeries {
  readonly estimator: string;
  readonly t: readonly number[];
  readonly mean: readonly number[];
  readonly low: readonly number[];
  readonly high: readonly number[];
  readonly seeds: readonly number[];
}

export interface RankBudgetInfo {
  readonly T: number;
  readonly metric: "spearman" | "kendall";
  readonly series: readonly RankBudgetSeries[];
}

/**
 * Rank correlation vs budget t/T, one line per estimator; with several seeds (one summary per
 * seed) the band spans min..max over seeds. Undefined correlations are left out.
 */
export function rankBudgetInfo(
  summaries: readonly (readonly SummaryRow[])[],
  options: { T: number; metric?: "spearman" | "kendall" },
): RankBudgetInfo {
  const metric = options.metric ?? "spearman";
  const names = [...new Set(summaries.flatMap((s) => s.map((r) => r.estimator)))];
  const series = names.map((estimator) => {
    const ts = [...new Set(summaries.flatMap((s) => s.filter((r) => r.estimator === estimator).map((r) => r.t)))].sort(
      (a, b) => a - b,
    );
    const out = {
      estimator,
      t: [] as number[],
      mean: [] as number[],
      low: [] as number[],
      high: [] as number[],
      seeds: [] as number[],
    };
    for (const t of ts) {
      const vals = summaries
        .map((s) => s.find((r) => r.estimator === estimator && r.t === t)?.[metric])
        .filter((v): v is number => typeof v === "number");
      if (!vals.length) continue;
      out.t.push(t);
      out.mean.push(vals.reduce((a, b) => a + b, 0) / vals.length);
      out.low.push(Math.min(...vals));
      out.high.push(Math.max(...vals));
      out.seeds.push(vals.length);
    }
    return out;
  });
  return { T: options.T, metric, series };
}

export function rankBudgetFigure(info: RankBudgetInfo): PlotlyFigure {
  const data: PlotlyTrace[] = [];
  info.series.forEach((s, i) => {
    const x = s.t.map((t) => t / info.T);
    if (s.seeds.some((n) => n > 1)) {
      data.push({
        type: "scatter",
        mode: "lines",
        x: [...x, ...[...x].reverse()],
        y: [...s.high, ...[...s.low].reverse()],
        fill: "toself",
        fillcolor: colour(i),
        opacity: 0.15,
        line: { width: 0 },
        legendgroup: s.estimator,
        showlegend: false,
        hoverinfo: "skip",
        name: `${s.estimator} range`,
      });
    }
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: s.estimator,
      legendgroup: s.estimator,
      x,
      y: s.mean,
      customdata: s.t.map((t, k) => [t, s.seeds[k], s.low[k], s.high[k]]),
      hovertemplate:
        "t = %{customdata[0]} (t/T %{x:.2f})<br>mean %{y:.3f} over %{customdata[1]} seed(s)<br>range %{customdata[2]:.3f} .. %{customdata[3]:.3f}<extra>" +
        s.estimator +
        "</extra>",
      line: { color: colour(i), width: 2 },
      marker: { color: colour(i), size: 6 },
    });
  });
  const label = info.metric === "spearman" ? "Spearman ρ with the truth" : "Kendall τ-b with the truth";
  return {
    data,
    layout: baseLayout(
      `Rank correlation vs budget (T = ${info.T} epochs)`,
      "budget t / T (fraction of the full training)",
      label,
      {
        yaxis: {
          title: { text: label },
          range: [-1, 1.02],
          gridcolor: "#e5e5e5",
          zeroline: true,
          zerolinecolor: "#bbb",
        },
      },
    ),
  };
}
