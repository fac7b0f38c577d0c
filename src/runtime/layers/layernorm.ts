import * as tf from "@tensorflow/tfjs-core";
import { layerNormFused } from "../../kernels/ops.js";
import { onesInit, zerosInit } from "../params.js";
import type { BuildContext, Module } from "../module.js";

export interface LayerNormOptions { readonly dim: number; readonly eps: number }

/** LayerNorm over the last axis with learned scale (init 1) and shift (init 0), biased variance as PyTorch. */
export const layerNorm = (ctx: BuildContext, name: string, cfg: LayerNormOptions): Module => {
  const gamma = ctx.params.create(`${name}.weight`, [cfg.dim], onesInit);
  const beta = ctx.params.create(`${name}.bias`, [cfg.dim], zerosInit);
  return {
    name,
    apply: (x) => layerNormFused(x, gamma, beta, cfg.eps),
  };
};

/** The composed form of the LayerNorm (reference for tests). */
export const layerNormRef = (x: tf.Tensor3D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor3D => {
  const mean = tf.mean(x, -1, true); // [batch, len, 1]
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true); // [batch, len, 1]
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor3D;
};
