/**
 * The popularity baseline: every user gets the same scores, the number of times each item occurs
 * in the training split (`split.train`, items[0 .. n-2) per user). Validation targets are not
 * counted, for the test ranking either: like RecBole's Pop, the model is fitted on training
 * interactions only and the same model scores validation and test.
 */
import type { LeaveOneOutSplit } from "../data/types.js";
import type { Scorer } from "./types.js";

/** Item counts over the training sequences, index = internal item id (index 0 stays 0). */
export const itemCounts = (split: LeaveOneOutSplit): Float32Array => {
  const counts = new Float32Array(split.numItems + 1);
  for (const s of split.train) for (let k = 0; k < s.length; k++) counts[s[k]!]!++;
  counts[0] = 0;
  return counts;
};

export const popularityScorer = (split: LeaveOneOutSplit): Scorer => {
  const counts = itemCounts(split);
  const width = counts.length;
  return async (inputs) => {
    const out = new Float32Array(inputs.length * width);
    for (let r = 0; r < inputs.length; r++) out.set(counts, r * width);
    return out;
  };
};
