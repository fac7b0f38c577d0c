/**
 * The data contracts between readers, the split, the trainer and the evaluator.
 * Item ids are internal: 1..numItems, 0 is padding. Sequences are chronological.
 */
export interface Dataset {
  readonly name: string;
  readonly numItems: number;
  /** One chronological sequence of internal item ids per user, in user order. */
  readonly sequences: readonly Int32Array[];
  /** External user id of each sequence (same order as `sequences`). */
  readonly userIds: readonly string[];
  /** External item id of each internal id; index 0 (padding) is "". */
  readonly itemIds: readonly string[];
  /** Counted, non-fatal findings while reading (e.g. "12 users with fewer than 3 interactions dropped"). */
  readonly warnings: readonly string[];
  /** The file format it was read as (what `--format auto` detected); absent for generated data. */
  readonly format?: string;
  /** How often the timestamps that ordered the sequences tie, as read (formats with timestamps; filters drop it). */
  readonly ties?: TimeTies;
}

/**
 * Ties among the keys each user's interactions were sorted on (the timestamps, or with `float32`
 * their float32 roundings). Tied interactions keep file order, so wherever a target ties with a
 * neighbour, the file's order, not time, decides which item is the target.
 */
export interface TimeTies {
  readonly order: "exact" | "float32";
  /** Interactions whose key equals the previous interaction's of the same user. */
  readonly tiedWithPrevious: number;
  /** Users whose last interaction (the test target) ties with the one before it. */
  readonly lastTied: number;
  /** Users whose second to last interaction (the validation target) ties with a neighbour. */
  readonly secondToLastTied: number;
}

/** One evaluation case: rank `target` given the most recent items of `input` (at most max_len). */
export interface EvalCase {
  readonly user: number;
  readonly input: Int32Array;
  readonly target: number;
  /**
   * Every item of the user's sequence before the target, oldest first: what `exclude_seen` removes
   * from the ranking. `input` is its most recent max_len items, so the two differ for long histories.
   */
  readonly history: Int32Array;
}

/**
 * Leave-one-out (RecBole's protocol): test target = last item, validation target = second to last,
 * training = the rest. The test input includes the validation item.
 */
export interface LeaveOneOutSplit {
  readonly numItems: number;
  /** Per user: items[0 .. n-2), every next-item prediction inside it is a training target. */
  readonly train: readonly Int32Array[];
  readonly valid: readonly EvalCase[];
  readonly test: readonly EvalCase[];
}
