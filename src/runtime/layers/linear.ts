import * as tf from "@tensorflow/tfjs-core";
import type { LinearActivation } from "../../ir/spec.js";
import { normalInit, zerosInit } from "../params.js";
import type { BuildContext, Module } from "../module.js";
import { dense3d, gelu, WEIGHT_STD } from "./common.js";

export interface LinearOptions {
  readonly inDim: number;
  readonly outDim: number;
  readonly bias: boolean;
  /** After the projection (default none). */
  readonly activation?: LinearActivation;
}

/** Dense map of the last axis, then the activation; weight [inDim, outDim] N(0, 0.02), bias 0. */
export const linear = (ctx: BuildContext, name: string, cfg: LinearOptions): Module => {
  const W = ctx.params.create(`${name}.weight`, [cfg.inDim, cfg.outDim], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>;
  const b = cfg.bias ? (ctx.params.create(`${name}.bias`, [cfg.outDim], zerosInit) as tf.Variable<tf.Rank.R1>) : null;
  const act = cfg.activation ?? "none";
  return {
    name,
    pointwise: true,
    apply: (x) => {
      const y = dense3d(x, W, b);
      return act === "relu" ? tf.relu(y) : act === "gelu" ? gelu(y) : y;
    },
  };
};
