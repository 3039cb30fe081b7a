export { imageGridInfo } from "./image-grid.js";
export type { ImageGridInfo, ImageGridOptions } from "./image-grid.js";
export { PALETTE, colour, baseLayout, fitLegend, legendEntries } from "./theme.js";
export type { PlotlyFigure, PlotlyTrace } from "./theme.js";
export { scatterInfo, scatterFigure, scatterSliderFigure } from "./scatter.js";
export type { ScatterInfo, ScatterSeries, ScatterPoint } from "./scatter.js";
export { rankBudgetInfo, rankBudgetFigure } from "./rank-budget.js";
export type { RankBudgetRow, RankBudgetOptions } from "./rank-budget.js";
export type { RankBudgetInfo, RankBudgetSeries } from "./rank-budget.js";
export { curvesInfo, curvesFigure } from "./curves.js";
export type { CurvesInfo } from "./curves.js";
export { projectionInfo, projectionFigure } from "./projection.js";
export type { ProjectionInfo, ProjectionEpoch } from "./projection.js";
export { trajectoryInfo, trajectoryFigure } from "./trajectory.js";
export type { TrajectoryInfo, TrajectoryInput } from "./trajectory.js";
export { liveSearchInfo, liveCurvesFigure } from "./live.js";
export type { LiveSearchInfo } from "./live.js";
export { save, inspect, openRenderer, withRenderer, FIGURE_RULES } from "./render.js";
export type { FigureFormat, RenderOptions, FigureReport, FigureRenderer, Box } from "./render.js";
export { menuFigure } from "./menu.js";
export { diagnosisInfo, diagnosisFigure } from "./diagnosis.js";
export type { DiagnosisInfo, DiagnosisPanel } from "./diagnosis.js";
export {
  optimizationHistoryInfo,
  optimizationHistoryFigure,
  intermediateValuesInfo,
  intermediateValuesFigure,
} from "./study-plots.js";
export { paramImportancesFigure, edfInfo, edfFigure, paretoFrontInfo, paretoFrontFigure } from "./study-summary.js";
export type {
  StudyPlotOptions,
  AxisRange,
  HistoryPoint,
  OptimizationHistoryInfo,
  IntermediateValuesInfo,
} from "./study-plots.js";
export type { EdfStudy, EdfInfo, ParetoFrontOptions, ParetoFrontInfo } from "./study-summary.js";
export { parallelCoordinateInfo, parallelCoordinateFigure, sliceInfo, sliceFigure } from "./study-params.js";
export type { ParallelDimension, ParallelCoordinateInfo, SlicePanel, SliceInfo } from "./study-params.js";
export { contourInfo, contourFigure } from "./study-contour.js";
export { timelineInfo, timelineFigure } from "./study-timeline.js";
export type { TimelineBar, TimelineInfo, TimelineState } from "./study-timeline.js";
export type { ContourAxis, ContourInfo } from "./study-contour.js";
