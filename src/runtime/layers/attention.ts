import * as tf from "@tensorflow/tfjs-core";
import { normalInit, zerosInit } from "../params.js";
import { rowsAt, type BuildContext, type Module } from "../module.js";
import { dense3d, WEIGHT_STD } from "./common.js";
import { applyDropout } from "./dropout.js";

export interface AttentionOptions {
  readonly dim: number;
  readonly heads: number;
  /** Dropout on the attention probabilities. */
  readonly dropout: number;
  readonly causal: boolean;
}

/**
 * Multi-head self-attention as SASRec in RecBole: q, k, v dense with bias, softmax(q k^T / sqrt(dk))
 * with a causal mask, attention dropout, output dense. No LayerNorm or residual inside: the spec adds
 * them. Rows are right-padded, so a causal mask alone keeps real positions from seeing padding;
 * without it (`causal: false`, BERT4Rec's bidirectional attention) the padding keys of each row are
 * masked by the row lengths the network passes (ForwardContext.lengths), as BERT4Rec masks them.
 */
export const attention = (ctx: BuildContext, name: string, cfg: AttentionOptions): Module => {
  const { dim, heads } = cfg;
  if (dim % heads !== 0) throw new Error(`${name}: ${heads} heads do not divide width ${dim}`);
  const dk = dim / heads;
  const proj = (p: string) => ({
    W: ctx.params.create(`${name}.${p}.weight`, [dim, dim], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>,
    b: ctx.params.create(`${name}.${p}.bias`, [dim], zerosInit) as tf.Variable<tf.Rank.R1>,
  });
  const q = proj("query");
  const k = proj("key");
  const v = proj("value");
  const o = proj("dense");
  return {
    name,
    apply: (x, fwd) => {
      const [batch, len] = x.shape;
      const split = (t: tf.Tensor3D) => tf.transpose(tf.reshape(t, [batch, len, heads, dk]), [0, 2, 1, 3]); // [batch, heads, len, dk]
      const qh = tf.reshape(split(dense3d(x, q.W, q.b)), [batch * heads, len, dk]);
      const khT = tf.reshape(tf.transpose(split(dense3d(x, k.W, k.b)), [0, 1, 3, 2]), [batch * heads, dk, len]);
      const vh = tf.reshape(split(dense3d(x, v.W, v.b)), [batch * heads, len, dk]);
      let scores = tf.mul(tf.matMul(qh, khT), 1 / Math.sqrt(dk)); // [batch * heads, len, len]
      if (cfg.causal) {
        const mask = new Float32Array(len * len);
        for (let i = 0; i < len; i++) for (let j = i + 1; j < len; j++) mask[i * len + j] = -1e4;
        scores = tf.add(scores, tf.tensor2d(mask, [len, len]));
      } else if (fwd.lengths !== undefined && fwd.lengths.some((n) => n < len)) {
        const keyMask = new Float32Array(batch * len);
        for (let b = 0; b < batch; b++) keyMask.fill(-1e4, b * len + fwd.lengths[b]!, (b + 1) * len);
        const masked = tf.add(tf.reshape(scores, [batch, heads, len, len]), tf.tensor4d(keyMask, [batch, 1, 1, len]));
        scores = tf.reshape(masked, [batch * heads, len, len]);
      }
      const probs = applyDropout(tf.softmax(scores), cfg.dropout, fwd); // [batch * heads, len, len]
      const ctxh = tf.reshape(tf.matMul(probs, vh), [batch, heads, len, dk]);
      const merged = tf.reshape(tf.transpose(ctxh, [0, 2, 1, 3]), [batch, len, dim]) as tf.Tensor3D; // [batch, len, dim]
      return dense3d(merged, o.W, o.b);
    },
    // Keys and values at every position, the query and everything after it at pos[b] alone: the
    // row of the full product's scores that `apply` would compute there, under the same mask.
    applyLast: (x, fwd, pos) => {
      const [batch, len] = x.shape;
      const qh = tf.reshape(dense3d(tf.reshape(rowsAt(x, pos), [batch, 1, dim]), q.W, q.b), [batch * heads, 1, dk]);
      const khT = tf.reshape(tf.transpose(tf.reshape(dense3d(x, k.W, k.b), [batch, len, heads, dk]), [0, 2, 3, 1]), [batch * heads, dk, len]);
      const vh = tf.reshape(tf.transpose(tf.reshape(dense3d(x, v.W, v.b), [batch, len, heads, dk]), [0, 2, 1, 3]), [batch * heads, len, dk]);
      const scores = tf.mul(tf.matMul(qh, khT), 1 / Math.sqrt(dk)); // [batch * heads, 1, len]
      // The keys the query at pos[b] does not see: after it (causal), or the row's padding.
      const keyMask = new Float32Array(batch * len);
      for (let b = 0; b < batch; b++) {
        const from = cfg.causal ? pos[b]! + 1 : fwd.lengths?.[b] ?? len;
        if (from < len) keyMask.fill(-1e4, b * len + from, (b + 1) * len);
      }
      const masked = tf.reshape(tf.add(tf.reshape(scores, [batch, heads, 1, len]), tf.tensor4d(keyMask, [batch, 1, 1, len])), [batch * heads, 1, len]);
      const ctxh = tf.reshape(tf.matMul(tf.softmax(masked), vh), [batch, dim]); // [batch, heads * dk]: heads in order, as `apply` merges them
      return tf.add(tf.matMul(ctxh, o.W), o.b) as tf.Tensor2D;
    },
  };
};
