/**
 * The one mapping from IR layers to runtime modules. A leaf layer becomes a call of one layer
 * factory with its options; `residual` and `repeat` nest their bodies under derived parameter paths.
 * The code generator writes these calls out as TypeScript (codegen/emit.ts) and `buildLayers` makes
 * them directly (runtime/build.ts), so generated code and `SequenceNet.fromIR` cannot drift apart:
 * both read this table, and the options' types are the factories' own.
 */
import type { Layer } from "../ir/spec.js";
import type {
  AttentionOptions, AttentionPoolOptions, CaserOptions, DropoutOptions, FfnOptions, GruOptions, LayerNormOptions, LinearOptions, MambaOptions, PositionalOptions, UserEmbeddingOptions,
} from "./layers/index.js";

/** A leaf layer as a factory call: `rt.<factory>(ctx, name, options)`. */
export type LayerCall =
  | { readonly factory: "dropout"; readonly options: DropoutOptions }
  | { readonly factory: "layerNorm"; readonly options: LayerNormOptions }
  | { readonly factory: "positional"; readonly options: PositionalOptions }
  | { readonly factory: "mamba"; readonly options: MambaOptions }
  | { readonly factory: "attention"; readonly options: AttentionOptions }
  | { readonly factory: "gru"; readonly options: GruOptions }
  | { readonly factory: "attentionPool"; readonly options: AttentionPoolOptions }
  | { readonly factory: "caser"; readonly options: CaserOptions }
  | { readonly factory: "userEmbedding"; readonly options: UserEmbeddingOptions }
  | { readonly factory: "ffn"; readonly options: FfnOptions }
  | { readonly factory: "linear"; readonly options: LinearOptions };

export type LeafLayer = Exclude<Layer, { kind: "residual" | "repeat" }>;

/** The factory call that builds a leaf layer. Options left at the factory's default are omitted, to keep generated code short. */
export const layerCall = (layer: LeafLayer): LayerCall => {
  switch (layer.kind) {
    case "dropout": return { factory: "dropout", options: { rate: layer.rate } };
    case "layernorm": return { factory: "layerNorm", options: { dim: layer.inDim, eps: layer.eps } };
    case "positional": return { factory: "positional", options: { maxLen: layer.maxLen, dim: layer.inDim } };
    case "mamba":
      return {
        factory: "mamba",
        options: {
          dim: layer.inDim, dState: layer.dState, dConv: layer.dConv, expand: layer.expand, dtRank: layer.dtRank,
          ...(layer.dtInit === "zero" ? {} : { dtInit: layer.dtInit }),
        },
      };
    case "attention": return { factory: "attention", options: { dim: layer.inDim, heads: layer.heads, dropout: layer.dropout, causal: layer.causal } };
    case "gru": return { factory: "gru", options: { inDim: layer.inDim, hidden: layer.hidden } };
    case "attention_pool": return { factory: "attentionPool", options: { dim: layer.inDim, concat: layer.concat } };
    case "ffn": return { factory: "ffn", options: { dim: layer.inDim, inner: layer.inner, outDim: layer.outDim, activation: layer.activation, dropout: layer.dropout } };
    case "linear": return { factory: "linear", options: { inDim: layer.inDim, outDim: layer.outDim, bias: layer.bias, ...(layer.activation === "none" ? {} : { activation: layer.activation }) } };
    case "caser": return { factory: "caser", options: { dim: layer.inDim, window: layer.window, horizontal: layer.horizontal, vertical: layer.vertical } };
    case "user_embedding": return { factory: "userEmbedding", options: { inDim: layer.inDim, dim: layer.dim } };
  }
};

/** Parameter paths: `layers.<i>.<kind>` at the top, `<residual>.body.<j>.<kind>`, `<repeat>.<copy>.<j>.<kind>`. */
export const topPath = (index: number, layer: Layer): string => `layers.${index}.${layer.kind}`;
export const residualChildPath = (residual: string, index: number, child: Layer): string => `${residual}.body.${index}.${child.kind}`;
/** `copy` is a number when building, and a template placeholder such as `${r0}` when generating code. */
export const repeatCopyPath = (repeat: string, copy: number | string): string => `${repeat}.${copy}`;
export const repeatChildPath = (copyPath: string, index: number, child: Layer): string => `${copyPath}.${index}.${child.kind}`;
