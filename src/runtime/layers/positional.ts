import * as tf from "@tensorflow/tfjs-core";
import { normalInit } from "../params.js";
import type { BuildContext, Module } from "../module.js";
import { WEIGHT_STD } from "./common.js";

export interface PositionalOptions { readonly maxLen: number; readonly dim: number }

/** Learned positional embedding added to the input, row i for position i (rows are left-aligned). */
export const positional = (ctx: BuildContext, name: string, cfg: PositionalOptions): Module => {
  const P = ctx.params.create(`${name}.weight`, [cfg.maxLen, cfg.dim], normalInit(WEIGHT_STD));
  return {
    name,
    apply: (x) => {
      const len = x.shape[1];
      if (len > cfg.maxLen) throw new Error(`${name}: sequence length ${len} exceeds max_len ${cfg.maxLen}`);
      return tf.add(x, tf.slice(P, [0, 0], [len, cfg.dim])) as tf.Tensor3D; // [batch, len, dim]
    },
  };
};
