import type * as tf from "@tensorflow/tfjs-core";
import { normalInit, zerosInit } from "../params.js";
import type { BuildContext, Module } from "../module.js";
import { dense3d, WEIGHT_STD } from "./common.js";

export interface LinearOptions { readonly inDim: number; readonly outDim: number; readonly bias: boolean }

/** Dense map of the last axis; weight [inDim, outDim] N(0, 0.02), bias 0. */
export const linear = (ctx: BuildContext, name: string, cfg: LinearOptions): Module => {
  const W = ctx.params.create(`${name}.weight`, [cfg.inDim, cfg.outDim], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>;
  const b = cfg.bias ? (ctx.params.create(`${name}.bias`, [cfg.outDim], zerosInit) as tf.Variable<tf.Rank.R1>) : null;
  return { name, apply: (x) => dense3d(x, W, b) };
};
