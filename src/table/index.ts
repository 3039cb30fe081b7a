export {
  trialsTable,
  estimatesTable,
  summaryTable,
  fromRows,
  summaryRows,
  bootstrapSummaries,
  tableToCSV,
} from "./tables.js";
export { tableToArrow, tableFromArrow } from "./arrow.js";
export type { Table, TrialRow, SummaryRow } from "./tables.js";
export { tableHtml, tableText, formatCell } from "./html.js";
export type { TableHtmlOptions } from "./html.js";
export { toDanfo, fromDanfo } from "./danfo.js";
export type { DanfoFrame } from "./danfo.js";
export { bootstrapMetric, noiseCeiling, comparisonTable, differenceTable } from "./compare.js";
export type { Metric, Range, BootstrapOptions, ComparisonOptions, DifferenceOptions } from "./compare.js";
export { studyOverview } from "./overview.js";
export type { StudyOverview } from "./overview.js";
export { regimeVerdict, REGIME_CONTENDERS, REGIME_BASELINES, WEAK_TRUTH } from "./regime.js";
export type {
  RegimeVerdict,
  RegimeVerdictOptions,
  RegimeSpearman,
  RegimeDifference,
  RegimeMechanism,
} from "./regime.js";
export { regimeSearch } from "./regime-search.js";
export type { RegimeSearchOptions, RegimeSearchRow, RegimeSearchResult } from "./regime-search.js";
