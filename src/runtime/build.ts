/**
 * Builds modules from the checked IR in spec order, through the same factory calls and parameter
 * paths that the generated code writes out (layer_calls.ts).
 */
import type { Layer } from "../ir/spec.js";
import { attention, attentionPool, caser, dropout, ffn, gru, layerNorm, linear, mamba, positional, residual, sequential, userEmbedding } from "./layers/index.js";
import { layerCall, repeatChildPath, repeatCopyPath, residualChildPath, topPath, type LayerCall } from "./layer_calls.js";
import type { BuildContext, Module } from "./module.js";

const make = (ctx: BuildContext, name: string, call: LayerCall): Module => {
  switch (call.factory) {
    case "dropout": return dropout(ctx, name, call.options);
    case "layerNorm": return layerNorm(ctx, name, call.options);
    case "positional": return positional(ctx, name, call.options);
    case "mamba": return mamba(ctx, name, call.options);
    case "attention": return attention(ctx, name, call.options);
    case "gru": return gru(ctx, name, call.options);
    case "attentionPool": return attentionPool(ctx, name, call.options);
    case "caser": return caser(ctx, name, call.options);
    case "userEmbedding": return userEmbedding(ctx, name, call.options);
    case "ffn": return ffn(ctx, name, call.options);
    case "linear": return linear(ctx, name, call.options);
  }
};

/** The module of one IR layer, its parameters named under `name`. */
export const buildLayer = (ctx: BuildContext, name: string, layer: Layer): Module => {
  switch (layer.kind) {
    case "residual":
      return residual(name, layer.body.map((child, j) => buildLayer(ctx, residualChildPath(name, j, child), child)));
    case "repeat": {
      const copies: Module[] = [];
      for (let r = 0; r < layer.times; r++) {
        const copy = repeatCopyPath(name, r);
        copies.push(sequential(copy, layer.body.map((child, j) => buildLayer(ctx, repeatChildPath(copy, j, child), child))));
      }
      return sequential(name, copies);
    }
    default:
      return make(ctx, name, layerCall(layer));
  }
};

/** Modules of the model's top-level layers in order. */
export const buildLayers = (ctx: BuildContext, layers: readonly Layer[]): Module[] =>
  layers.map((layer, i) => buildLayer(ctx, topPath(i, layer), layer));
