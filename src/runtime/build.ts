/**
 * Builds modules from the checked IR, one factory per layer kind, in spec order. Parameter names
 * follow the layer's path: `layers.<i>.<kind>`, `layers.<i>.body.<j>.<kind>`, `...repeat.<r>...`,
 * so the generated code (which calls the same factories with the same names) and `fromIR` agree.
 */
import type { Layer } from "../ir/spec.js";
import { attention, dropout, ffn, gru, layerNorm, linear, mamba, positional, residual, sequential } from "./layers/index.js";
import type { BuildContext, Module } from "./module.js";

/** The module of one IR layer, its parameters named under `name`. */
export const buildLayer = (ctx: BuildContext, name: string, layer: Layer): Module => {
  switch (layer.kind) {
    case "dropout":
      return dropout(ctx, name, { rate: layer.rate });
    case "layernorm":
      return layerNorm(ctx, name, { dim: layer.inDim, eps: layer.eps });
    case "positional":
      return positional(ctx, name, { maxLen: layer.maxLen, dim: layer.inDim });
    case "mamba":
      return mamba(ctx, name, { dim: layer.inDim, dState: layer.dState, dConv: layer.dConv, expand: layer.expand, dtRank: layer.dtRank, dtInit: layer.dtInit });
    case "attention":
      return attention(ctx, name, { dim: layer.inDim, heads: layer.heads, dropout: layer.dropout, causal: layer.causal });
    case "gru":
      return gru(ctx, name, { inDim: layer.inDim, hidden: layer.hidden });
    case "ffn":
      return ffn(ctx, name, { dim: layer.inDim, inner: layer.inner, outDim: layer.outDim, activation: layer.activation, dropout: layer.dropout });
    case "linear":
      return linear(ctx, name, { inDim: layer.inDim, outDim: layer.outDim, bias: layer.bias });
    case "residual":
      return residual(name, buildLayers(ctx, layer.body, `${name}.body`));
    case "repeat": {
      const copies: Module[] = [];
      for (let r = 0; r < layer.times; r++) copies.push(sequential(`${name}.${r}`, buildLayers(ctx, layer.body, `${name}.${r}`)));
      return sequential(name, copies);
    }
  }
};

/** Modules of `layers` in order, named `<prefix>.<index>.<kind>`. */
export const buildLayers = (ctx: BuildContext, layers: readonly Layer[], prefix = "layers"): Module[] =>
  layers.map((layer, i) => buildLayer(ctx, `${prefix}.${i}.${layer.kind}`, layer));
