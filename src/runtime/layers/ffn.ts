import * as tf from "@tensorflow/tfjs-core";
import type { Activation } from "../../ir/spec.js";
import { normalInit, zerosInit } from "../params.js";
import type { BuildContext, Module } from "../module.js";
import { dense3d, gelu, WEIGHT_STD } from "./common.js";
import { applyDropout } from "./dropout.js";

export interface FfnOptions {
  readonly dim: number;
  readonly inner: number;
  readonly outDim: number;
  readonly activation: Activation;
  readonly dropout: number;
}

/** dense(inner) -> gelu (exact) | relu -> dropout -> dense(outDim), as RecBole's FeedForward without its LayerNorm. */
export const ffn = (ctx: BuildContext, name: string, cfg: FfnOptions): Module => {
  const W1 = ctx.params.create(`${name}.dense1.weight`, [cfg.dim, cfg.inner], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>;
  const b1 = ctx.params.create(`${name}.dense1.bias`, [cfg.inner], zerosInit) as tf.Variable<tf.Rank.R1>;
  const W2 = ctx.params.create(`${name}.dense2.weight`, [cfg.inner, cfg.outDim], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>;
  const b2 = ctx.params.create(`${name}.dense2.bias`, [cfg.outDim], zerosInit) as tf.Variable<tf.Rank.R1>;
  return {
    name,
    pointwise: true,
    apply: (x, fwd) => {
      const pre = dense3d(x, W1, b1); // [batch, len, inner]
      const act = cfg.activation === "gelu" ? gelu(pre) : tf.relu(pre);
      return dense3d(applyDropout(act, cfg.dropout, fwd), W2, b2); // [batch, len, outDim]
    },
  };
};
