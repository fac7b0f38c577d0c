/**
 * What the shared evaluator needs from a model: scores for a batch of histories.
 * Returns [inputs.length, numItems + 1] scores row-major; column 0 (padding) is ignored.
 * Each input holds at most max_len most recent items, chronological, unpadded.
 */
export type Scorer = (inputs: readonly Int32Array[]) => Promise<Float32Array>;

export interface MetricValues {
  /** Keyed "hr@10", "ndcg@10", "mrr@10", "recall@20", ... */
  readonly [key: string]: number;
}

export interface EvalResult {
  readonly metrics: MetricValues;
  /** Rank of each case's target (1 = best), in case order: kept for paired significance tests. */
  readonly ranks: Int32Array;
  readonly users: number;
  readonly seconds: number;
}
