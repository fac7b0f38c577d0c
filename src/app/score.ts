/**
 * Scoring the cases of a leave-one-out split with the shared evaluator: the one path through which
 * `run` (validation each epoch, then validation and test of the kept weights) and `eval` (a
 * finished run's weights again) score a model.
 */
import type { LeaveOneOutSplit } from "../data/types.js";
import { evaluate } from "../eval/evaluate.js";
import { popularityScorer } from "../eval/popularity.js";
import type { EvalResult, Scorer } from "../eval/types.js";
import type { Metric } from "../ir/spec.js";
import type { Model } from "../runtime/definition.js";

export interface ScoreOptions {
  readonly metrics: readonly Metric[];
  /** Remove each user's seen items (other than the target) from the ranking. */
  readonly excludeSeen: boolean;
}

/** The split's validation or test cases. */
export const scoreCases = (scorer: Scorer, split: LeaveOneOutSplit, which: "valid" | "test", opts: ScoreOptions): Promise<EvalResult> =>
  evaluate(scorer, split[which], { numItems: split.numItems, metrics: opts.metrics, excludeSeen: opts.excludeSeen });

/** The split's validation cases, then its test cases. */
export const scoreSplit = async (scorer: Scorer, split: LeaveOneOutSplit, opts: ScoreOptions): Promise<{ valid: EvalResult; test: EvalResult }> => {
  const valid = await scoreCases(scorer, split, "valid", opts);
  const test = await scoreCases(scorer, split, "test", opts);
  return { valid, test };
};

/** A built model's scorer: the network's, or the popularity counts of the split's training part. */
export const scorerOf = (model: Model, split: LeaveOneOutSplit): Scorer => ("params" in model ? model.scorer() : popularityScorer(split));
