import * as tf from "@tensorflow/tfjs-core";
import type { BuildContext, Module } from "../module.js";
import { gruRecurrence } from "../../kernels/gru.js";
import { dense3d } from "./common.js";

export interface GruOptions { readonly inDim: number; readonly hidden: number }

/**
 * GRU with PyTorch's equations (batch first, gates ordered r, z, n), h_0 = 0:
 *   r = sigma(x W_ir + b_ir + h W_hr + b_hr),  z = sigma(x W_iz + b_iz + h W_hz + b_hz),
 *   n = tanh(x W_in + b_in + r * (h W_hn + b_hn)),  h' = (1 - z) * n + z * h.
 * Init as PyTorch: every weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden)). The input projection
 * of all steps is one 2-D matmul; the recurrence is the fused `gruRecurrence` op (kernels/gru.ts).
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
    apply: (x) => gruRecurrence(dense3d(x, Wi, bi), Wh, bh), // [batch, len, H]
  };
};
