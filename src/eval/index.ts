/** The evaluator's public surface. */
export type { Scorer, EvalResult, MetricValues } from "./types.js";
export { evaluate, rankOf, defaultChunkUsers } from "./evaluate.js";
export type { EvaluateOptions } from "./evaluate.js";
export { metricValue, perCase, compareRanks, summarize, parseMetric } from "./metrics.js";
export type { RankComparison } from "./metrics.js";
export { pairedTTest, wilcoxonSignedRank, tTwoSided, normalTwoSided, incompleteBeta } from "./significance.js";
export type { PairedTest } from "./significance.js";
export { popularityScorer, itemCounts } from "./popularity.js";
