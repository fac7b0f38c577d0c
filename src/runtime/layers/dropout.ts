import * as tf from "@tensorflow/tfjs-core";
import type { BuildContext, ForwardContext, Module } from "../module.js";

/**
 * Inverted dropout with the mask drawn from the run's JS generator (not tf.randomUniform), so it is
 * identical on every backend. Identity when not training or rate 0.
 */
export const applyDropout = <T extends tf.Tensor>(x: T, rate: number, fwd: ForwardContext): T => {
  if (!fwd.training || rate <= 0) return x;
  const keep = 1 - rate;
  const scale = 1 / keep;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = fwd.rng.uniform() < keep ? scale : 0;
  return tf.mul(x, tf.tensor(mask, x.shape)) as T;
};

export interface DropoutOptions { readonly rate: number }

export const dropout = (_ctx: BuildContext, name: string, cfg: DropoutOptions): Module => ({
  name,
  apply: (x, fwd) => applyDropout(x, cfg.rate, fwd),
});
