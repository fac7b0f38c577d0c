/**
 * What the shared evaluator needs from a model: scores for a batch of histories.
 * Returns [inputs.length, numItems + 1] scores row-major; column 0 (padding) is ignored.
 * Each input holds at most max_len most recent items, chronological, unpadded.
 */
/** Scores of every item (padding column included) for each input; `users[i]`: input i's user (-1 or absent: none known). */
export type Scorer = (inputs: readonly Int32Array[], users?: Int32Array) => Promise<Float32Array>;

export interface MetricValues {
  /** Keyed "hr@10", "ndcg@10", "mrr@10", "recall@20", ... */
  readonly [key: string]: number;
}

/**
 * How much of the model's top K the users' own histories take (the seen-items diagnostic): on data
 * where no user comes back to an item, each such slot is wasted.
 */
export interface SeenInTop {
  readonly k: number;
  /** Seen items in the cases' top K over all their slots (K x cases); 0 without cases. */
  readonly slots: number;
  /** Share of the cases whose top K holds at least one seen item; 0 without cases. */
  readonly users: number;
  /** Seen items in each case's top K, in case order. */
  readonly counts: Int32Array;
}

/**
 * The seen-items figures as the run files and `--json` outputs record them, keyed by K:
 * `{"10": {"slots": 0.123, "users": 0.456}, "20": {...}}`.
 */
export type SeenInTopFigures = Readonly<Record<string, { readonly slots: number; readonly users: number }>>;

export interface EvalResult {
  readonly metrics: MetricValues;
  /** Rank of each case's target (1 = best), in case order: kept for paired significance tests. */
  readonly ranks: Int32Array;
  /** The seen-items diagnostic at each distinct K of the metrics, K ascending. */
  readonly seenInTop: readonly SeenInTop[];
  readonly users: number;
  readonly seconds: number;
}
