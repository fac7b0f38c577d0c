import { layerNormFused } from "../../kernels/layernorm.js";
import { onesInit, zerosInit } from "../params.js";
import type { BuildContext, Module } from "../module.js";

export interface LayerNormOptions { readonly dim: number; readonly eps: number }

/** LayerNorm over the last axis with learned scale (init 1) and shift (init 0), biased variance as PyTorch. */
export const layerNorm = (ctx: BuildContext, name: string, cfg: LayerNormOptions): Module => {
  const gamma = ctx.params.create(`${name}.weight`, [cfg.dim], onesInit);
  const beta = ctx.params.create(`${name}.bias`, [cfg.dim], zerosInit);
  return {
    name,
    pointwise: true,
    apply: (x) => layerNormFused(x, gamma, beta, cfg.eps),
  };
};
