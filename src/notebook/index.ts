export { displayBundle, canDisplay, clearOutput } from "./display.js";
export type { MimeBundle, DisplayRequest, DisplaySink } from "./display.js";
export { imageGridBundle, showImageGrid } from "./images.js";
export { isCiSize, size, CI_SIZE_VARIABLE } from "./env.js";
export { progressBar, progressBundle } from "./progress.js";
export type { Progress, ProgressState } from "./progress.js";
export { trainWithProgress } from "./training.js";
export type { TrainManyOptions } from "./training.js";
export {
  showFigure,
  figureBundle,
  figureHtml,
  loadPlotly,
  showTable,
  tableBundle,
  PLOTLY_MIME,
  LOADER_METADATA,
} from "./figures.js";
export { liveOptimize, liveProgressBundle, watchStudy } from "./live.js";
export type { LiveOptimizeOptions, WatchStudyOptions } from "./live.js";
