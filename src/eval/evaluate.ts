/**
 * The shared full-ranking evaluator. Every model is scored here, against every item 1..numItems
 * (padding excluded), in chunks of users so that memory stays bounded for large catalogues.
 *
 * rank = 1 + the number of OTHER items whose score is >= the target's (ties never favour the
 * target: a model that scores everything equally gets rank numItems). A NaN score is the worst
 * score: a NaN item never outranks the target, and a NaN target is outranked by every other item
 * (rank = 1 + number of other ranked items). With excludeSeen, the items of the case's history
 * (its whole `history`, not only the max_len items of its input; or `seen(caseIndex)`) other than
 * the target are removed from the ranking.
 */
import type { EvalCase } from "../data/types.js";
import type { Metric } from "../ir/spec.js";
import type { EvalResult, Scorer } from "./types.js";
import { summarize } from "./metrics.js";

export interface EvaluateOptions {
  readonly numItems: number;
  readonly metrics: readonly Metric[];
  readonly excludeSeen: boolean;
  /** Users per scorer call; default: 256, fewer when numItems is large (about 16M scores per chunk at most). */
  readonly chunkUsers?: number;
  /** Items to exclude for case `caseIndex` when excludeSeen (default: the case's history). */
  readonly seen?: (caseIndex: number) => Int32Array;
  /** Called after each chunk with the number of cases done. */
  readonly onProgress?: (done: number, total: number) => void;
}

const MAX_SCORES_PER_CHUNK = 1 << 24;

export const defaultChunkUsers = (numItems: number): number => Math.max(1, Math.min(256, Math.floor(MAX_SCORES_PER_CHUNK / (numItems + 1))));

/**
 * The rank of `target` in the row `scores[off + 1 .. off + numItems]`, leaving out the items in
 * `excluded` (distinct, none equal to the target). Cost O(numItems + |excluded|).
 */
export const rankOf = (scores: Float32Array, off: number, numItems: number, target: number, excluded: readonly number[] = []): number => {
  const t = scores[off + target]!;
  // A NaN target is outranked by every other ranked item.
  if (Number.isNaN(t)) return numItems - excluded.length;
  let count = -1; // the target itself is counted in the scan
  const end = off + numItems;
  for (let j = off + 1; j <= end; j++) if (scores[j]! >= t) count++;
  for (const i of excluded) if (scores[off + i]! >= t) count--;
  return 1 + count;
};

export const evaluate = async (scorer: Scorer, cases: readonly EvalCase[], opts: EvaluateOptions): Promise<EvalResult> => {
  const t0 = performance.now();
  const { numItems } = opts;
  if (!Number.isInteger(numItems) || numItems < 1) throw new Error(`evaluate: numItems must be a positive integer, got ${numItems}`);
  const chunk = opts.chunkUsers ?? defaultChunkUsers(numItems);
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`evaluate: chunkUsers must be a positive integer, got ${chunk}`);
  const width = numItems + 1;
  const ranks = new Int32Array(cases.length);
  const stamp = opts.excludeSeen ? new Int32Array(width).fill(-1) : null;
  const excluded: number[] = [];
  for (let start = 0; start < cases.length; start += chunk) {
    const end = Math.min(cases.length, start + chunk);
    const batch = cases.slice(start, end);
    const scores = await scorer(batch.map((c) => c.input));
    if (!(scores instanceof Float32Array) || scores.length !== batch.length * width)
      throw new Error(`evaluate: the scorer returned ${scores?.length} scores for ${batch.length} inputs; expected ${batch.length} x ${width} (numItems + 1)`);
    for (let r = 0; r < batch.length; r++) {
      const idx = start + r;
      const c = batch[r]!;
      if (!Number.isInteger(c.target) || c.target < 1 || c.target > numItems)
        throw new Error(`evaluate: case ${idx} has target ${c.target}, outside 1..${numItems}`);
      excluded.length = 0;
      if (stamp !== null) {
        // Distinct seen items other than the target (stamp[i] === idx marks those already listed).
        const seen = opts.seen ? opts.seen(idx) : c.history;
        for (let k = 0; k < seen.length; k++) {
          const i = seen[k]!;
          if (i >= 1 && i <= numItems && i !== c.target && stamp[i] !== idx) {
            stamp[i] = idx;
            excluded.push(i);
          }
        }
      }
      ranks[idx] = rankOf(scores, r * width, numItems, c.target, excluded);
    }
    opts.onProgress?.(end, cases.length);
  }
  return { metrics: summarize(opts.metrics, ranks), ranks, users: cases.length, seconds: (performance.now() - t0) / 1000 };
};
