/**
 * Training rows and batches. `all_positions`: a sequence x gives inputs x[..-1] and targets x[1..];
 * one longer than maxLen + 1 is cut into windows of maxLen inputs aligned to its END (recent targets
 * get the longest context; the first window takes the remainder). Windows overlap by `minContext`
 * items whose positions are context only, so every target occurs once per epoch and sees at least
 * min(minContext, its history) items. `last`: one row per prefix, its target at the last position
 * only (RecBole's samples).
 * A batch holds about `batch` targets; rows are shuffled, then sorted by length within buckets of a
 * few batches to limit padding, and the batch order is shuffled again. A batch too large for one
 * forward pass (`last`: up to `batch` rows of maxLen) is computed in micro-batches (trainer.ts).
 */
import { Rng } from "../util/rng.js";
import type { TrainBatch } from "./loss.js";

export type TargetMode = "all_positions" | "last" | "masked";

/**
 * Row r: inputs seq[start .. start + len), targets seq[start + 1 + from .. start + len + 1) at
 * positions from .. len - 1 (positions before `from` are context only), or only the last target;
 * `masked`: inputs and targets both seq[start .. start + len), at the positions a batch masks.
 */
export interface Rows {
  readonly mode: TargetMode;
  /** `masked`: the share of a row's items masked (expected targets per row: ratio * len); 1 otherwise. */
  readonly ratio: number;
  readonly seq: Int32Array;
  readonly start: Int32Array;
  readonly len: Int32Array;
  readonly from: Int32Array;
  /** Total prediction targets. */
  readonly targets: number;
}

export const makeRows = (sequences: readonly Int32Array[], maxLen: number, mode: TargetMode, minContext = 0, ratio = 0.2): Rows => {
  if (mode === "masked" && !(ratio > 0 && ratio < 1)) throw new Error(`makeRows: mask ratio ${ratio} must be in (0, 1)`);
  if (!(minContext >= 0 && minContext < maxLen)) throw new Error(`makeRows: minContext ${minContext} must be in [0, maxLen)`);
  const seq: number[] = [];
  const start: number[] = [];
  const len: number[] = [];
  const from: number[] = [];
  // A row: sequence i, items [end - l, end) with l = min(end, maxLen), its targets from position f on.
  const row = (i: number, end: number, f: (l: number) => number): number => {
    const l = Math.min(end, maxLen);
    seq.push(i);
    start.push(end - l);
    len.push(l);
    from.push(f(l));
    return end - l;
  };
  sequences.forEach((s, i) => {
    const n = s.length - 1; // next-item targets in this sequence
    if (n < 1) return;
    if (mode === "masked") {
      // Disjoint windows of the whole sequence (its last item included), aligned to its end.
      for (let end = s.length; end > 0; end -= maxLen) row(i, end, () => 0);
    } else if (mode === "last") {
      for (let end = 1; end <= n; end++) row(i, end, () => 0);
    } else {
      // Each window's targets end where the next (later) window's begin; the window at the start
      // takes every target left.
      for (let end = n; end > 0; end -= maxLen - minContext) if (row(i, end, (l) => (end - l === 0 ? 0 : minContext)) === 0) break;
    }
  });
  const targets = mode === "last" ? len.length : mode === "masked" ? len.reduce((a, l) => a + l * ratio, 0) : len.reduce((a, l, r) => a + l - from[r]!, 0);
  return { mode, ratio: mode === "masked" ? ratio : 1, seq: Int32Array.from(seq), start: Int32Array.from(start), len: Int32Array.from(len), from: Int32Array.from(from), targets };
};

/** Targets in row `r` (`masked`: expected). */
const rowTargets = (rows: Rows, r: number): number =>
  rows.mode === "last" ? 1 : rows.mode === "masked" ? rows.len[r]! * rows.ratio : rows.len[r]! - rows.from[r]!;

/** Batches per length-sorting bucket. */
const BUCKET_BATCHES = 8;

/** One epoch's batches (row indices), drawn from `rng`. */
export const epochBatches = (rows: Rows, batchTargets: number, rng: Rng): Int32Array[] => {
  const order = Int32Array.from({ length: rows.len.length }, (_, i) => i);
  rng.shuffle(order);
  const batches: Int32Array[] = [];
  let i = 0;
  while (i < order.length) {
    // A bucket of about BUCKET_BATCHES batches' worth of targets, sorted by length, then cut.
    let j = i;
    let t = 0;
    while (j < order.length && t < batchTargets * BUCKET_BATCHES) t += rowTargets(rows, order[j++]!);
    const bucket = Array.from(order.subarray(i, j)).sort((a, b) => rows.len[a]! - rows.len[b]! || a - b);
    let cur: number[] = [];
    let ct = 0;
    for (const r of bucket) {
      cur.push(r);
      ct += rowTargets(rows, r);
      if (ct >= batchTargets) {
        batches.push(Int32Array.from(cur));
        cur = [];
        ct = 0;
      }
    }
    if (cur.length) batches.push(Int32Array.from(cur));
    i = j;
  }
  rng.shuffle(batches);
  return batches;
};

/**
 * A batch's masks (`masked` rows): for each row of `ids`, in order, every item is masked with
 * probability `rows.ratio` (one `rng.uniform()` per item); when more than floor(ratio * maxLen) are,
 * all stay masked in the input but only the last floor(ratio * maxLen) are predicted, as RecBole's
 * BERT4Rec keeps at most that many per sequence. `positions` holds, per row, its masked positions
 * in order and -(p + 1) for a masked position that is not predicted.
 */
export interface Masks {
  readonly byRow: ReadonlyMap<number, Int32Array>;
  /** Predicted positions in the batch. */
  readonly count: number;
}

export const drawMasks = (rows: Rows, ids: Int32Array, maxLen: number, rng: Rng): Masks => {
  const cap = Math.max(1, Math.floor(rows.ratio * maxLen));
  const byRow = new Map<number, Int32Array>();
  let count = 0;
  for (const r of ids) {
    const picked: number[] = [];
    for (let p = 0; p < rows.len[r]!; p++) if (rng.uniform() < rows.ratio) picked.push(p);
    const drop = Math.max(0, picked.length - cap);
    byRow.set(r, Int32Array.from(picked, (p, k) => (k < drop ? -(p + 1) : p)));
    count += picked.length - drop;
  }
  return { byRow, count };
};

/** Targets in the rows `ids`. */
export const targetCount = (rows: Rows, ids: Int32Array): number => {
  let n = 0;
  for (const r of ids) n += rowTargets(rows, r);
  return n;
};

/**
 * Splits the rows `ids` of a batch, in their order, into parts of at most `positions` padded
 * positions each (a part's rows times its longest row); a single row longer than that is a part of
 * its own. A batch within the limit is one part, itself.
 */
export const microBatches = (rows: Rows, ids: Int32Array, positions: number): Int32Array[] => {
  const parts: Int32Array[] = [];
  let begin = 0;
  let longest = 0;
  for (let k = 0; k < ids.length; k++) {
    const l = rows.len[ids[k]!]!;
    if (k > begin && (k - begin + 1) * Math.max(longest, l) > positions) {
      parts.push(ids.subarray(begin, k));
      begin = k;
      longest = 0;
    }
    longest = Math.max(longest, l);
  }
  if (begin === 0) return [ids];
  parts.push(ids.subarray(begin));
  return parts;
};

/** The right-padded inputs and targets of the rows `ids` (`masked` rows: with their `masks`, the mask token being `maskId`). */
export const makeBatch = (rows: Rows, sequences: readonly Int32Array[], ids: Int32Array, masks?: { readonly masks: Masks; readonly maskId: number }): TrainBatch => {
  if (rows.mode === "masked" && masks === undefined) throw new Error("makeBatch: masked rows need their masks");
  let L = 1;
  for (const r of ids) L = Math.max(L, rows.len[r]!);
  const inputs = new Int32Array(ids.length * L);
  const targets = new Int32Array(ids.length * L);
  const users = Int32Array.from(ids, (r) => rows.seq[r]!);
  let count = 0;
  ids.forEach((r, k) => {
    const s = sequences[rows.seq[r]!]!;
    const st = rows.start[r]!;
    const l = rows.len[r]!;
    inputs.set(s.subarray(st, st + l), k * L);
    if (rows.mode === "masked") {
      for (const q of masks!.masks.byRow.get(r) ?? []) {
        const p = q >= 0 ? q : -q - 1;
        inputs[k * L + p] = masks!.maskId;
        if (q >= 0) {
          targets[k * L + p] = s[st + p]!;
          count++;
        }
      }
    } else if (rows.mode === "last") {
      targets[k * L + l - 1] = s[st + l]!;
      count++;
    } else {
      const f = rows.from[r]!;
      targets.set(s.subarray(st + 1 + f, st + l + 1), k * L + f);
      count += l - f;
    }
  });
  return { rows: ids.length, len: L, inputs, targets, count, users };
};

export interface EpochStats {
  readonly targets: TargetMode;
  /** `masked`: the share of items masked; 0.2 otherwise, unused. */
  readonly maskRatio: number;
  readonly minContext: number;
  readonly batch: number;
  /** Training rows (windows, or prefixes for `last`). */
  readonly rows: number;
  readonly trainTargets: number;
  /** Input positions an epoch computes, before padding. */
  readonly positions: number;
  /** Input positions including each batch's padding to its longest row (one epoch's batches). */
  readonly paddedPositions: number;
  readonly steps: number;
  /** Mean items of history each training target is predicted from. */
  readonly meanContext: number;
  /** The same under RecBole's prefixes: every target sees min(its history, max_len) items. */
  readonly prefixMeanContext: number;
  /** Share of the targets that see less history than under RecBole's prefixes. */
  readonly shortShare: number;
}

/**
 * One epoch under the spec's training settings: the rows the trainer makes, the positions it
 * computes, the optimizer steps (one epoch's batches, drawn with `seed`, as the trainer does) and
 * how much history each target sees, against RecBole's one-sample-per-prefix contexts.
 */
export const epochStats = (
  train: readonly Int32Array[],
  maxLen: number,
  cfg: { readonly targets: TargetMode; readonly minContext: number; readonly batch: number; readonly maskRatio?: number },
  seed = 0,
): EpochStats => {
  const rows = makeRows(train, maxLen, cfg.targets, cfg.targets === "all_positions" ? cfg.minContext : 0, cfg.maskRatio ?? 0.2);
  let positions = 0;
  let context = 0;
  let prefixContext = 0;
  let short = 0;
  for (let r = 0; r < rows.len.length; r++) {
    const len = rows.len[r]!;
    const start = rows.start[r]!;
    positions += len;
    if (rows.mode === "masked") {
      // Its expected targets each see the whole window, both sides (as RecBole's BERT4Rec sees its prefix).
      context += len * rows.ratio * len;
      prefixContext += len * rows.ratio * len;
      continue;
    }
    // The target at position p sees the row's first p + 1 inputs; its history is start + p + 1 items.
    for (let p = rows.mode === "last" ? len - 1 : rows.from[r]!; p < len; p++) {
      const full = Math.min(start + p + 1, maxLen);
      context += p + 1;
      prefixContext += full;
      if (p + 1 < full) short++;
    }
  }
  let padded = 0;
  const batches = epochBatches(rows, cfg.batch, new Rng(seed));
  for (const b of batches) {
    let longest = 0;
    for (const r of b) longest = Math.max(longest, rows.len[r]!);
    padded += longest * b.length;
  }
  const t = rows.targets;
  return {
    targets: cfg.targets,
    maskRatio: cfg.maskRatio ?? 0.2,
    minContext: cfg.targets === "all_positions" ? cfg.minContext : 0,
    batch: cfg.batch,
    rows: rows.len.length,
    trainTargets: t,
    positions,
    paddedPositions: padded,
    steps: batches.length,
    meanContext: t === 0 ? 0 : context / t,
    prefixMeanContext: t === 0 ? 0 : prefixContext / t,
    shortShare: t === 0 ? 0 : short / t,
  };
};
