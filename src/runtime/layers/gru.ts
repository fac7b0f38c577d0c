import * as tf from "@tensorflow/tfjs-core";
import type { BuildContext, Module } from "../module.js";
import { dense3d } from "./common.js";

export interface GruOptions { readonly inDim: number; readonly hidden: number }

/**
 * GRU with PyTorch's equations (batch first, gates ordered r, z, n), h_0 = 0:
 *   r = sigma(x W_ir + b_ir + h W_hr + b_hr),  z = sigma(x W_iz + b_iz + h W_hz + b_hz),
 *   n = tanh(x W_in + b_in + r * (h W_hn + b_hn)),  h' = (1 - z) * n + z * h.
 * Init as PyTorch: every weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden)). The input projection
 * of all steps is one 2-D matmul; only h W_h runs per step.
 */
export const gru = (ctx: BuildContext, name: string, cfg: GruOptions): Module => {
  const H = cfg.hidden;
  const init = { kind: "uniform", bound: 1 / Math.sqrt(H) } as const;
  const Wi = ctx.params.create(`${name}.weight_ih`, [cfg.inDim, 3 * H], init) as tf.Variable<tf.Rank.R2>;
  const Wh = ctx.params.create(`${name}.weight_hh`, [H, 3 * H], init) as tf.Variable<tf.Rank.R2>;
  const bi = ctx.params.create(`${name}.bias_ih`, [3 * H], init) as tf.Variable<tf.Rank.R1>;
  const bh = ctx.params.create(`${name}.bias_hh`, [3 * H], init) as tf.Variable<tf.Rank.R1>;
  return {
    name,
    apply: (x) => {
      const [batch, len] = x.shape;
      const xi = dense3d(x, Wi, bi); // [batch, len, 3H]
      let h: tf.Tensor2D = tf.zeros([batch, H]);
      const outs: tf.Tensor2D[] = [];
      for (let t = 0; t < len; t++) {
        const xt = tf.reshape(tf.slice(xi, [0, t, 0], [batch, 1, 3 * H]), [batch, 3 * H]);
        const hh = tf.add(tf.matMul(h, Wh), bh); // [batch, 3H]
        const [xr, xz, xn] = tf.split(xt, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const [hr, hz, hn] = tf.split(hh, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const r = tf.sigmoid(tf.add(xr, hr));
        const z = tf.sigmoid(tf.add(xz, hz));
        const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
        h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
        outs.push(h);
      }
      return tf.stack(outs, 1) as tf.Tensor3D; // [batch, len, H]
    },
  };
};
