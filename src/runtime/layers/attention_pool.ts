import * as tf from "@tensorflow/tfjs-core";
import { additivePool } from "../../kernels/additive_pool.js";
import { concatLast } from "../../kernels/concat_last.js";
import { normalInit } from "../params.js";
import { rowsAt, type BuildContext, type Module } from "../module.js";
import { dense3d } from "./common.js";

export interface AttentionPoolOptions {
  readonly dim: number;
  /** Output [c_t, h_t] (width 2 * dim), NARM's concatenation of its local and global encoders; else c_t alone. */
  readonly concat: boolean;
}

/** Xavier-normal std of a [fanIn, fanOut] weight, RecBole's init for NARM's dense layers. */
const xavierStd = (fanIn: number, fanOut: number): number => Math.sqrt(2 / (fanIn + fanOut));

/**
 * NARM's local encoder (Li et al., CIKM 2017; RecBole 1.2 narm.py) at every position t:
 *   c_t = sum_{j <= t} (v . sigmoid(A1 h_j + A2 h_t)) h_j,
 * A1 and A2 [dim, dim] and v [dim] without biases, unnormalised as NARM, then [c_t, h_t] (NARM's
 * `cat([c_local, c_global])`, the last hidden state being NARM's global encoder) or c_t alone.
 * RecBole scores only the last position of each prefix; this is the same function at every position,
 * so all-positions training is RecBole's prefix training without the repeated computation. The
 * pooling is the fused `additivePool` op (kernels/additive_pool.ts). Init xavier-normal, as RecBole.
 */
export const attentionPool = (ctx: BuildContext, name: string, cfg: AttentionPoolOptions): Module => {
  const H = cfg.dim;
  const A1 = ctx.params.create(`${name}.a_1.weight`, [H, H], normalInit(xavierStd(H, H))) as tf.Variable<tf.Rank.R2>;
  const A2 = ctx.params.create(`${name}.a_2.weight`, [H, H], normalInit(xavierStd(H, H))) as tf.Variable<tf.Rank.R2>;
  const v = ctx.params.create(`${name}.v_t.weight`, [H], normalInit(xavierStd(H, 1))) as tf.Variable<tf.Rank.R1>;
  return {
    name,
    apply: (h) => {
      const c = additivePool(dense3d(h, A1, null), dense3d(h, A2, null), v, h); // [batch, len, H]
      return cfg.concat ? concatLast([c, h]) : c;
    },
    // c at pos[b] alone: O(len H) a row instead of the op's O(len^2 H).
    applyLast: (h, _fwd, pos) => {
      const [batch, len] = h.shape;
      const ht = rowsAt(h, pos); // [batch, H]
      const gates = tf.sigmoid(tf.add(dense3d(h, A1, null), tf.expandDims(tf.matMul(ht, A2), 1))); // [batch, len, H]
      const weights = tf.reshape(tf.matMul(tf.reshape(gates, [batch * len, H]), tf.reshape(v, [H, 1])), [batch, len]);
      const upTo = new Float32Array(batch * len); // 1 for j <= pos[b]
      pos.forEach((p, b) => upTo.fill(1, b * len, b * len + p + 1));
      const c = tf.sum(tf.mul(tf.expandDims(tf.mul(weights, tf.tensor2d(upTo, [batch, len])), 2), h), 1) as tf.Tensor2D; // [batch, H]
      return cfg.concat ? tf.concat([c, ht], 1) : c;
    },
  };
};
