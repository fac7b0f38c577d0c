/**
 * The seen-aware output: a learned adjustment of the scores of the items already in a prediction's
 * input (`output tied(seen: …)`). For the prediction at position p of a history, the items at
 * positions 0..p are "seen"; each distinct one gets a term added to its score, from its recency
 * d = p - (position of its latest occurrence) (0 = the item just consumed):
 *
 *   bias     w                             one learned number for every seen item
 *   recency  w[bucket(d)]                  bucket(d) = min(B - 1, floor(log2(d + 1))), B = floor(log2(maxLen)) + 1
 *   gated    w[bucket(d)] + h_p . u + c    the recency term plus a context term: the hidden state decides
 *                                          how likely a return is at this point (RepeatNet's repeat/explore
 *                                          decision, in the log-linear form the fused cross-entropy can take)
 *
 * All weights start at 0, so the model starts as the one without the component. Nothing after
 * position p is read: the entries of position p come from positions 0..p only (the target of
 * position p is at p + 1). The adjustment is sparse (at most p + 1 items per prediction) and goes to
 * the fused linear cross-entropy as a ScoreAdjustment, so the [tokens, items] scores are never formed.
 */
import * as tf from "@tensorflow/tfjs-core";
import { recencyBuckets } from "../../ir/spec.js";
import type { ScoreAdjustment } from "../../kernels/linear_ce.js";
import type { BuildContext } from "../module.js";
import { zerosInit } from "../params.js";

export type SeenMode = "bias" | "recency" | "gated";

export interface SeenAwareOptions {
  readonly mode: SeenMode;
  /** The longest input (data.max_len): sets the number of recency buckets. */
  readonly maxLen: number;
  /** Width of the hidden states (the gated mode's context term). */
  readonly dim: number;
}

export { recencyBuckets };

/** The bucket of recency d (0 = the latest item) among `buckets`. */
export const recencyBucket = (d: number, buckets: number): number => Math.min(buckets - 1, Math.floor(Math.log2(d + 1)));

/** Which seen items each prediction adjusts, and with which weight index: the CSR structure of a ScoreAdjustment. */
export interface SeenEntries {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  /** The weight (bucket) of each entry. */
  readonly buckets: Int32Array;
  /** The prediction (token) of each entry. */
  readonly tokens: Int32Array;
}

/**
 * The seen items of each prediction: token k predicts after position positions[k] % len of row
 * floor(positions[k] / len) of `inputs` ([rows * len], right-padded with 0). Items are listed from
 * the latest back, each once, with its recency bucket. Reads positions 0..p of the row only.
 */
export const seenEntries = (inputs: Int32Array, len: number, positions: Int32Array, buckets: number, numItems: number): SeenEntries => {
  // At most p + 1 entries for a prediction at position p: size the arrays once (typed, no pushes).
  let bound = 0;
  for (let k = 0; k < positions.length; k++) bound += (positions[k]! % len) + 1;
  const items = new Int32Array(bound);
  const bucketOf = new Int32Array(bound);
  const tokens = new Int32Array(bound);
  const offsets = new Int32Array(positions.length + 1);
  const bucketAt = Int32Array.from({ length: len }, (_, d) => recencyBucket(d, buckets));
  const stamp = new Int32Array(numItems + 1).fill(-1);
  let n = 0;
  for (let k = 0; k < positions.length; k++) {
    const p = positions[k]! % len;
    const rowStart = positions[k]! - p;
    for (let q = p; q >= 0; q--) {
      const item = inputs[rowStart + q]!;
      if (item <= 0 || stamp[item] === k) continue;
      stamp[item] = k;
      items[n] = item;
      bucketOf[n] = bucketAt[p - q]!;
      tokens[n++] = k;
    }
    offsets[k + 1] = n;
  }
  return { offsets, items: items.subarray(0, n), buckets: bucketOf.subarray(0, n), tokens: tokens.subarray(0, n) };
};

export class SeenAware {
  readonly mode: SeenMode;
  readonly buckets: number;
  private readonly weight: tf.Variable;
  private readonly gate: { readonly u: tf.Variable; readonly c: tf.Variable } | null;

  constructor(ctx: BuildContext, name: string, o: SeenAwareOptions) {
    this.mode = o.mode;
    this.buckets = o.mode === "bias" ? 1 : recencyBuckets(o.maxLen);
    this.weight = ctx.params.create(`${name}.weight`, [this.buckets], zerosInit);
    this.gate = o.mode === "gated"
      ? { u: ctx.params.create(`${name}.gate.weight`, [o.dim, 1], zerosInit), c: ctx.params.create(`${name}.gate.bias`, [1], zerosInit) }
      : null;
  }

  /**
   * The adjustment of the predictions whose hidden states are `h` ([tokens, dim]) at `positions` of
   * `inputs` (see seenEntries), for the fused cross-entropy. Differentiable in the weights (and in
   * h, through the gate).
   */
  adjustment(h: tf.Tensor2D, inputs: Int32Array, len: number, positions: Int32Array, numItems: number): ScoreAdjustment {
    const e = seenEntries(inputs, len, positions, this.buckets, numItems);
    return { offsets: e.offsets, items: e.items, values: this.values(h, e) };
  }

  /** The adjustment's values for `entries`: w[bucket] (+ the gate's h . u + c of the entry's prediction). */
  values(h: tf.Tensor2D, entries: SeenEntries): tf.Tensor1D {
    return tf.tidy(() => {
      if (entries.items.length === 0) return tf.zeros([0]) as tf.Tensor1D;
      const w = tf.gather(this.weight, tf.tensor1d(entries.buckets, "int32")) as tf.Tensor1D;
      if (!this.gate) return w;
      const g = tf.reshape(tf.add(tf.matMul(h, this.gate.u), this.gate.c), [h.shape[0]]); // [tokens]
      return tf.add(w, tf.gather(g, tf.tensor1d(entries.tokens, "int32"))) as tf.Tensor1D;
    });
  }

  /**
   * Full-ranking scores [rows, V] plus the adjustment of each row's last prediction. `rows` holds
   * the inputs right-padded to `len`, `last[r]` the flat index of row r's last item, `h` the hidden
   * states at those positions ([rows, dim]).
   */
  adjustScores(scores: tf.Tensor2D, h: tf.Tensor2D, inputs: Int32Array, len: number, last: Int32Array, numItems: number): tf.Tensor2D {
    return tf.tidy(() => {
      const e = seenEntries(inputs, len, last, this.buckets, numItems);
      if (e.items.length === 0) return scores.clone();
      const idx = new Int32Array(2 * e.items.length);
      e.items.forEach((item, k) => {
        idx[2 * k] = e.tokens[k]!;
        idx[2 * k + 1] = item;
      });
      const add = tf.scatterND(tf.tensor2d(idx, [e.items.length, 2], "int32"), this.values(h, e), scores.shape);
      return tf.add(scores, add) as tf.Tensor2D;
    });
  }
}
