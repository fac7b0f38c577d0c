/**
 * What a dataset looks like to reccompile, before a model is trained on it (`reccompile data`):
 * its size, how long the users' histories are, how concentrated the items' popularity is, whether
 * users come back to items (what `exclude_seen` is about). Pure functions of the data; no backend.
 * What a training epoch costs on it is `epochStats` (runtime/batches.ts).
 */
import type { Dataset, LeaveOneOutSplit } from "./types.js";

export interface Distribution {
  readonly min: number;
  readonly median: number;
  readonly mean: number;
  readonly p90: number;
  readonly max: number;
}

export interface DatasetStats {
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  /** interactions / (users x items). */
  readonly density: number;
  /** Interactions per user. */
  readonly length: Distribution;
  /** Interactions per item (over items that occur). */
  readonly itemCount: Distribution;
  /** Share of all interactions held by the most popular 1% of the items (at least one item). */
  readonly top1PctShare: number;
  /** Gini coefficient of the items' interaction counts (0: all equal; near 1: a few items take all). */
  readonly gini: number;
  /** Interactions whose item the same user had interacted with before. */
  readonly repeats: number;
  /** Users with at least one repeat. */
  readonly usersWithRepeats: number;
}

/** Nearest-rank quantile q in [0, 1] of sorted values. */
const quantile = (sorted: Int32Array | Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

export const distribution = (values: ArrayLike<number>): Distribution => {
  if (values.length === 0) return { min: 0, median: 0, mean: 0, p90: 0, max: 0 };
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { min: s[0]!, median: quantile(s, 0.5), mean: sum / s.length, p90: quantile(s, 0.9), max: s[s.length - 1]! };
};

/** The Gini coefficient of non-negative values (0 for none or all zero). */
export const gini = (values: ArrayLike<number>): number => {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += s[i]!;
    weighted += (i + 1) * s[i]!;
  }
  return n === 0 || sum === 0 ? 0 : (2 * weighted) / (n * sum) - (n + 1) / n;
};

export const datasetStats = (ds: Dataset): DatasetStats => {
  const counts = new Int32Array(ds.numItems + 1);
  // lastUser[i]: the last user (+1) seen with item i, so a repeat is found in one pass per user.
  const lastUser = new Int32Array(ds.numItems + 1);
  let interactions = 0;
  let repeats = 0;
  let usersWithRepeats = 0;
  ds.sequences.forEach((s, u) => {
    let userRepeats = 0;
    for (const i of s) {
      counts[i]!++;
      if (lastUser[i] === u + 1) userRepeats++;
      lastUser[i] = u + 1;
    }
    interactions += s.length;
    repeats += userRepeats;
    if (userRepeats > 0) usersWithRepeats++;
  });
  const occurring = Array.from(counts.subarray(1)).filter((c) => c > 0);
  const byPopularity = occurring.slice().sort((a, b) => b - a);
  const top = Math.max(1, Math.floor(byPopularity.length / 100));
  const topSum = byPopularity.slice(0, top).reduce((a, c) => a + c, 0);
  return {
    users: ds.sequences.length,
    items: ds.numItems,
    interactions,
    density: ds.sequences.length * ds.numItems === 0 ? 0 : interactions / (ds.sequences.length * ds.numItems),
    length: distribution(ds.sequences.map((s) => s.length)),
    itemCount: distribution(occurring),
    top1PctShare: interactions === 0 ? 0 : topSum / interactions,
    gini: gini(occurring),
    repeats,
    usersWithRepeats,
  };
};

export interface SplitStats {
  readonly trainTargets: number;
  readonly valid: number;
  readonly test: number;
  /** Test cases whose history is longer than max_len, so their input is its most recent max_len items. */
  readonly testInputsCut: number;
  /**
   * Validation and test targets that are repeats: the item is already in the case's history. Only
   * such a target makes a seen item in the top K a hit; where there are none (ML-1M), every seen
   * item a model ranks there is a wasted slot.
   */
  readonly validTargetsSeen: number;
  readonly testTargetsSeen: number;
}

/** Cases whose target is already in their history. */
const targetsSeen = (cases: LeaveOneOutSplit["test"]): number => cases.reduce((n, c) => n + (c.history.includes(c.target) ? 1 : 0), 0);

export const splitStats = (split: LeaveOneOutSplit): SplitStats => {
  let trainTargets = 0;
  for (const s of split.train) trainTargets += Math.max(0, s.length - 1);
  const cut = split.test.filter((c) => c.history.length > c.input.length).length;
  return {
    trainTargets, valid: split.valid.length, test: split.test.length, testInputsCut: cut,
    validTargetsSeen: targetsSeen(split.valid), testTargetsSeen: targetsSeen(split.test),
  };
};
