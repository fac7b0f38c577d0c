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
 *
 * Beside the ranks, the seen-items diagnostic: for each distinct K of the metrics, how much of each
 * case's top K its own history takes (the same items excludeSeen removes, `seen(caseIndex)` when
 * given), as the share of all top-K slots and the share of cases with at least one. On data where
 * no user comes back to an item each such slot is wasted. The top K is the list the metrics see
 * (items 1..numItems, less the removed ones), ordered by score, equal scores by the lower item id,
 * NaN last; with fewer than K ranked items its missing slots count as not seen. With excludeSeen
 * only the target is left of the history in the ranking, so the figures then count the cases whose
 * target is itself one of their seen items (a repeat, on data that has them) and made their top K.
 */
import type { EvalCase } from "../data/types.js";
import type { Metric } from "../ir/spec.js";
import type { EvalResult, Scorer, SeenInTop, SeenInTopFigures } from "./types.js";
import { summarize } from "./metrics.js";

export interface EvaluateOptions {
  readonly numItems: number;
  readonly metrics: readonly Metric[];
  readonly excludeSeen: boolean;
  /** Users per scorer call; default: 256, fewer when numItems is large (about 16M scores per chunk at most). */
  readonly chunkUsers?: number;
  /** The seen items of case `caseIndex`: excluded when excludeSeen, counted by the seen-items diagnostic (default: the case's history). */
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

/**
 * Whether item `a` (score `sa`) comes before item `b` (score `sb`) in a top-K list: the higher score
 * first, equal scores by the lower item id, NaN after every number (NaNs by id too).
 */
const ranksBefore = (sa: number, a: number, sb: number, b: number): boolean =>
  sa > sb || (sa === sb && a < b) || (Number.isNaN(sb) && (!Number.isNaN(sa) || a < b));

/**
 * The `k` best items of the row `scores[off + 1 .. off + numItems]` in ranksBefore's order, best
 * first, leaving out the items for which `skip` holds: written to `out[0 .. n)`, and n returned
 * (below k only when fewer items are ranked). One pass keeps the k best so far in a min-heap whose
 * root is the worst of them, so most items cost one comparison: O(numItems) for a small k (O(numItems
 * log k) at worst), then O(k log k) to order the k; no sort of the row.
 */
export const topItems = (scores: Float32Array, off: number, numItems: number, k: number, out: Int32Array, skip?: (item: number) => boolean): number => {
  if (out.length < k) throw new Error(`topItems: out holds ${out.length} items, fewer than k = ${k}`);
  if (k === 0) return 0;
  // The heap: items in out[0 .. n), their scores beside them in `vals`; a parent comes after its
  // children in the list, so the root is the worst item kept.
  const vals = new Float64Array(k);
  const after = (a: number, b: number): boolean => ranksBefore(vals[b]!, out[b]!, vals[a]!, out[a]!);
  const put = (at: number, item: number, score: number): void => {
    out[at] = item;
    vals[at] = score;
  };
  // Moves the root's item down to its place among the first `size` entries.
  const siftDown = (size: number): void => {
    const item = out[0]!;
    const score = vals[0]!;
    let at = 0;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) break;
      const worst = l + 1 < size && after(l + 1, l) ? l + 1 : l;
      if (!ranksBefore(score, item, vals[worst]!, out[worst]!)) break;
      put(at, out[worst]!, vals[worst]!);
      at = worst;
    }
    put(at, item, score);
  };
  // Fill the heap with the first k ranked items.
  let n = 0;
  let i = 1;
  for (; i <= numItems && n < k; i++) {
    if (skip?.(i)) continue;
    let at = n++;
    const score = scores[off + i]!;
    // Up while the new item comes after its parent.
    for (let parent = (at - 1) >> 1; at > 0 && ranksBefore(vals[parent]!, out[parent]!, score, i); at = parent, parent = (at - 1) >> 1) {
      put(at, out[parent]!, vals[parent]!);
    }
    put(at, i, score);
  }
  // Then an item enters only when it beats the root. The items come in id order, so one that ties
  // with the root comes after it: only a higher score beats it, or any number a NaN root.
  let root = vals[0]!;
  let rootNaN = Number.isNaN(root);
  for (; i <= numItems; i++) {
    const s = scores[off + i]!;
    if (!(s > root || (rootNaN && !Number.isNaN(s))) || skip?.(i)) continue;
    put(0, i, s);
    siftDown(k);
    root = vals[0]!;
    rootNaN = Number.isNaN(root);
  }
  // Heapsort: the worst kept item goes to the back, each in turn.
  for (let size = n - 1; size > 0; size--) {
    const [item, score] = [out[size]!, vals[size]!];
    put(size, out[0]!, vals[0]!);
    put(0, item, score);
    siftDown(size);
  }
  return n;
};

/** The distinct K of the metrics, ascending. */
const distinctKs = (metrics: readonly Metric[]): number[] => [...new Set(metrics.map((m) => m.k))].sort((a, b) => a - b);

/** The diagnostic at each K from the per-case counts of seen items in the top K (`counts[j]` for `ks[j]`). */
export const summarizeSeen = (ks: readonly number[], counts: readonly Int32Array[]): SeenInTop[] =>
  ks.map((k, j) => {
    const c = counts[j]!;
    let seen = 0;
    let users = 0;
    for (const x of c) {
      seen += x;
      if (x > 0) users++;
    }
    return { k, slots: c.length === 0 ? 0 : seen / (k * c.length), users: c.length === 0 ? 0 : users / c.length, counts: c };
  });

/** The figures as run files record them: `{"10": {"slots": ..., "users": ...}, ...}`. */
export const seenInTopFigures = (seen: readonly SeenInTop[]): SeenInTopFigures =>
  Object.fromEntries(seen.map((s) => [String(s.k), { slots: s.slots, users: s.users }]));

export const evaluate = async (scorer: Scorer, cases: readonly EvalCase[], opts: EvaluateOptions): Promise<EvalResult> => {
  const t0 = performance.now();
  const { numItems } = opts;
  if (!Number.isInteger(numItems) || numItems < 1) throw new Error(`evaluate: numItems must be a positive integer, got ${numItems}`);
  const chunk = opts.chunkUsers ?? defaultChunkUsers(numItems);
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`evaluate: chunkUsers must be a positive integer, got ${chunk}`);
  const width = numItems + 1;
  const ranks = new Int32Array(cases.length);
  // seenBy[i] === idx: item i is in case idx's seen items (so each is listed once).
  const seenBy = new Int32Array(width).fill(-1);
  const excluded: number[] = [];
  const ks = distinctKs(opts.metrics);
  const top = new Int32Array(ks.at(-1) ?? 0);
  const seenCounts = ks.map(() => new Int32Array(cases.length));
  // The cases are scored shortest input first, so that each chunk's inputs have about the same
  // length and a network pads them little (on data of short histories, such as Amazon's, padding
  // every chunk to its longest input made most of the forward pass); each case's rank and counts
  // go to its own index, so the result does not depend on the order.
  const order = Int32Array.from(cases.keys()).sort((a, b) => cases[a]!.input.length - cases[b]!.input.length || a - b);
  for (let start = 0; start < cases.length; start += chunk) {
    const end = Math.min(cases.length, start + chunk);
    const batch = Array.from(order.subarray(start, end), (i) => cases[i]!);
    const scores = await scorer(batch.map((c) => c.input), Int32Array.from(batch, (c) => c.user));
    if (!(scores instanceof Float32Array) || scores.length !== batch.length * width)
      throw new Error(`evaluate: the scorer returned ${scores?.length} scores for ${batch.length} inputs; expected ${batch.length} x ${width} (numItems + 1)`);
    for (let r = 0; r < batch.length; r++) {
      const idx = order[start + r]!;
      const c = batch[r]!;
      if (!Number.isInteger(c.target) || c.target < 1 || c.target > numItems)
        throw new Error(`evaluate: case ${idx} has target ${c.target}, outside 1..${numItems}`);
      // The distinct seen items; with excludeSeen, those other than the target leave the ranking.
      excluded.length = 0;
      const seen = opts.seen ? opts.seen(idx) : c.history;
      for (let k = 0; k < seen.length; k++) {
        const i = seen[k]!;
        if (i >= 1 && i <= numItems && seenBy[i] !== idx) {
          seenBy[i] = idx;
          if (opts.excludeSeen && i !== c.target) excluded.push(i);
        }
      }
      ranks[idx] = rankOf(scores, r * width, numItems, c.target, excluded);
      if (ks.length > 0) {
        const isSeen = (i: number): boolean => seenBy[i] === idx;
        const n = topItems(scores, r * width, numItems, top.length, top, opts.excludeSeen ? (i) => isSeen(i) && i !== c.target : undefined);
        // Seen items among the first K of the top list, for each K in turn.
        let count = 0;
        let at = 0;
        ks.forEach((k, j) => {
          for (; at < Math.min(k, n); at++) if (isSeen(top[at]!)) count++;
          seenCounts[j]![idx] = count;
        });
      }
    }
    opts.onProgress?.(end, cases.length);
  }
  return {
    metrics: summarize(opts.metrics, ranks),
    ranks,
    seenInTop: summarizeSeen(ks, seenCounts),
    users: cases.length,
    seconds: (performance.now() - t0) / 1000,
  };
};
