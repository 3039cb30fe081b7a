export { spearman, kendallTauB, pearson, precisionAtK, regretAt1, mae, rankData, topHalfSpearman } from "./rank.js";
export type { MaybeNumber } from "./rank.js";
