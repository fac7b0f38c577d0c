/**
 * What generated code imports (as `rt`): the runtime's layer factories, plus the few helpers that
 * keep emitted code short and traceable, and the entry point into the shared trainer and evaluator.
 */
import type { BuildContext, PopularityModel } from "./runtime/definition.js";
import type { Module } from "./runtime/module.js";
import type { ItemEmbedding } from "./runtime/layers/embedding.js";
import { SequenceNet, type OutputKind, type OutputOptions } from "./runtime/net.js";

export {
  attention, attentionPool, caser, dropout, ffn, gru, itemEmbedding, layerNorm, linear, mamba, positional, residual, sequential, userEmbedding,
} from "./runtime/layers/index.js";
export type { Module } from "./runtime/module.js";
export type { BuildContext, Model, ModelDefinition, PopularityModel, RunConfig } from "./runtime/definition.js";
export { runModel, type RunOptions, type RunResult } from "./app/run_model.js";

/** An error raised while building or running one layer, located at the spec line that wrote it. */
export class LayerError extends Error {
  constructor(readonly location: string, cause: unknown) {
    super(`${location}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "LayerError";
  }
}

const locate = <T>(location: string, f: () => T): T => {
  try {
    return f();
  } catch (err) {
    throw err instanceof LayerError ? err : new LayerError(location, err);
  }
};

/**
 * Builds one layer, so that an error in building or applying it names `location`
 * (`specs/<name>.rec:LINE`) instead of a line of generated or runtime code.
 */
export function at(location: string, build: () => Module): Module;
export function at(location: string, build: () => ItemEmbedding): ItemEmbedding;
export function at(location: string, build: () => Module | ItemEmbedding): Module | ItemEmbedding {
  const built = locate(location, build);
  if (!("apply" in built)) return built;
  const applyLast = built.applyLast;
  return {
    name: built.name,
    apply: (x, fwd) => locate(location, () => built.apply(x, fwd)),
    ...(built.pointwise ? { pointwise: true } : {}),
    ...(applyLast ? { applyLast: (x, fwd, pos) => locate(location, () => applyLast.call(built, x, fwd, pos)) } : {}),
  };
}

/** [f(0), ..., f(n - 1)]: the copies of a `repeat`. */
export const times = <T>(n: number, f: (index: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/**
 * The network: item embedding, layers in order, scores tied to the embedding or from a separate
 * matrix, with the seen-aware adjustment when `options.seen` names one (its weights made here, after the layers').
 */
export const sequenceNet = (ctx: BuildContext, items: ItemEmbedding, layers: readonly Module[], output: OutputKind, options: OutputOptions = {}): SequenceNet =>
  new SequenceNet({
    params: ctx.params, embedding: items, modules: layers, output, numItems: ctx.numItems, maxLen: ctx.maxLen, rng: ctx.rng.fork(),
    seen: SequenceNet.seenAware(ctx, options.seen, ctx.maxLen, items.table.shape[1]), maskToken: options.maskToken ?? false,
  });

export const popularity = (_ctx: BuildContext, name: string): PopularityModel => ({ kind: "popularity", name });
