/**
 * One parameter set across a checked spec: what an `ablate { … }` sweep value and a `tune { … }`
 * trial change (pure: nothing is read or written here). Widths (inDim, outDim, dInner) stay the
 * base's: the result is meant to be printed and checked again, which computes them and decides
 * whether it is valid (src/ablate/generate.ts). The result carries neither `ablate` nor `tune`: it
 * is a point of a study, not a study of its own.
 */
import type { CheckedSpec, Layer, SequenceModel } from "./spec.js";

/** The spec without its studies: what every sweep point and trial starts from. */
export const withoutStudies = (spec: CheckedSpec): CheckedSpec => ({ ...spec, ablate: [], tune: null });

export const withLayers = (spec: CheckedSpec, model: SequenceModel, layers: readonly Layer[]): CheckedSpec =>
  ({ ...withoutStudies(spec), model: { ...model, layers } });

/** Maps every layer, bottom-up (bodies first); null removes it. */
export const mapDeep = (layers: readonly Layer[], f: (l: Layer) => Layer | null): Layer[] =>
  layers.flatMap((l) => {
    const inner = l.kind === "residual" || l.kind === "repeat" ? { ...l, body: mapDeep(l.body, f) } : l;
    const r = f(inner);
    return r === null ? [] : [r];
  });

/** Sets the count of every outermost repeat (one not inside another repeat); 0 removes them. */
export const setLayerCount = (layers: readonly Layer[], f: (times: number) => number): Layer[] => {
  const go = (ls: readonly Layer[]): Layer[] =>
    ls.flatMap((l): Layer[] => {
      if (l.kind === "repeat") {
        const t = f(l.times);
        return t <= 0 ? [] : [{ ...l, times: t }];
      }
      if (l.kind === "residual") return [{ ...l, body: go(l.body) }];
      return [l];
    });
  return go(layers);
};

/** The parameter names `applySweep` understands (the checker's ablatable and tunable parameters). */
export const SWEEP_PARAMS = [
  "layers", "d_state", "d_conv", "expand", "dt_rank", "heads", "dropout", "rate", "eps", "hidden", "inner", "max_len", "dim",
  "lr", "batch", "epochs", "label_smoothing", "weight_decay",
] as const;

export type SweepParam = (typeof SWEEP_PARAMS)[number];

/**
 * The spec with one swept parameter set to `value`:
 *  - `layers`: the count of every outermost repeat (0 removes them);
 *  - `d_state`, `d_conv`, `expand`, `dt_rank`: every Mamba layer; `heads`: every attention layer;
 *    `dropout`: every attention and FFN dropout (their parameter named `dropout`); `rate`: every dropout
 *    layer; `eps`: every LayerNorm; `hidden`: every GRU; `inner`: every FFN;
 *  - `max_len`: data.max_len and every positional embedding's max_len;
 *  - `dim`: the item-embedding width; parameters that sat at their width-derived default follow the
 *    new width (FFN inner = 4 * width, Mamba dt_rank = ceil(width / 16), a linear layer or GRU back to
 *    the old width);
 *  - `lr`, `batch`, `epochs`, `label_smoothing`, `weight_decay`: the train section.
 * Undefined for a name it does not know.
 */
export const applySweep = (spec: CheckedSpec, param: string, value: number): CheckedSpec | undefined => {
  const base = withoutStudies(spec);
  const train = spec.train;
  switch (param) {
    case "lr": return { ...base, train: { ...train, optimizer: { ...train.optimizer, lr: value } } };
    case "weight_decay": return { ...base, train: { ...train, optimizer: { ...train.optimizer, weightDecay: value } } };
    case "batch": return { ...base, train: { ...train, batch: value } };
    case "epochs": return { ...base, train: { ...train, epochs: value } };
    case "label_smoothing": return { ...base, train: { ...train, loss: { ...train.loss, labelSmoothing: value } } };
  }
  const m = spec.model;
  if (param === "max_len") {
    const data = { ...spec.data, maxLen: value };
    if (m.kind !== "sequence") return { ...base, data };
    return { ...withLayers(spec, m, mapDeep(m.layers, (l) => (l.kind === "positional" ? { ...l, maxLen: value } : l))), data };
  }
  if (m.kind !== "sequence") return undefined;
  const each = (f: (l: Layer) => Layer): CheckedSpec => withLayers(spec, m, mapDeep(m.layers, f));
  switch (param) {
    case "layers": return withLayers(spec, m, setLayerCount(m.layers, () => value));
    case "d_state": return each((l) => (l.kind === "mamba" ? { ...l, dState: value } : l));
    case "d_conv": return each((l) => (l.kind === "mamba" ? { ...l, dConv: value } : l));
    case "expand": return each((l) => (l.kind === "mamba" ? { ...l, expand: value } : l));
    case "dt_rank": return each((l) => (l.kind === "mamba" ? { ...l, dtRank: value } : l));
    case "heads": return each((l) => (l.kind === "attention" ? { ...l, heads: value } : l));
    case "dropout": return each((l) => (l.kind === "attention" || l.kind === "ffn" ? { ...l, dropout: value } : l));
    case "rate": return each((l) => (l.kind === "dropout" ? { ...l, rate: value } : l));
    case "eps": return each((l) => (l.kind === "layernorm" ? { ...l, eps: value } : l));
    case "hidden": return each((l) => (l.kind === "gru" ? { ...l, hidden: value } : l));
    case "inner": return each((l) => (l.kind === "ffn" ? { ...l, inner: value } : l));
    case "dim": {
      const old = m.embeddingDim;
      const follow = (l: Layer): Layer => {
        switch (l.kind) {
          case "ffn": return l.inner === 4 * l.inDim ? { ...l, inner: 4 * (l.inDim === old ? value : l.inDim) } : l;
          case "mamba": return l.dtRank === Math.ceil(l.inDim / 16) && l.inDim === old ? { ...l, dtRank: Math.ceil(value / 16) } : l;
          case "linear": return l.outDim === old ? { ...l, outDim: value } : l;
          case "gru": return l.hidden === old ? { ...l, hidden: value } : l;
          default: return l;
        }
      };
      const layers = mapDeep(m.layers, follow);
      return withLayers(spec, { ...m, embeddingDim: value }, layers);
    }
  }
  return undefined;
};

/**
 * The values a swept parameter has in a spec, distinct and in layer order (what `applySweep` would
 * replace): the base's row of a tuning leaderboard. Empty where the spec has no such parameter
 * (a `heads` on a model without attention); `layers` is every outermost repeat's count.
 */
export const sweepValues = (spec: CheckedSpec, param: string): number[] => {
  const train = spec.train;
  switch (param) {
    case "lr": return [train.optimizer.lr];
    case "weight_decay": return [train.optimizer.weightDecay];
    case "batch": return [train.batch];
    case "epochs": return [train.epochs];
    case "label_smoothing": return [train.loss.labelSmoothing];
    case "max_len": return [spec.data.maxLen];
  }
  const m = spec.model;
  if (m.kind !== "sequence") return [];
  if (param === "dim") return [m.embeddingDim];
  const found: number[] = [];
  const visit = (ls: readonly Layer[], outer: boolean): void => {
    for (const l of ls) {
      const v = param === "layers" ? (l.kind === "repeat" && outer ? l.times : undefined) : layerValue(l, param);
      if (v !== undefined && !found.includes(v)) found.push(v);
      if (l.kind === "repeat" || l.kind === "residual") visit(l.body, outer && l.kind !== "repeat");
    }
  };
  visit(m.layers, true);
  return found;
};

/** One layer's value of a per-layer swept parameter (undefined where the layer has none). */
const layerValue = (l: Layer, param: string): number | undefined => {
  switch (param) {
    case "d_state": return l.kind === "mamba" ? l.dState : undefined;
    case "d_conv": return l.kind === "mamba" ? l.dConv : undefined;
    case "expand": return l.kind === "mamba" ? l.expand : undefined;
    case "dt_rank": return l.kind === "mamba" ? l.dtRank : undefined;
    case "heads": return l.kind === "attention" ? l.heads : undefined;
    case "dropout": return l.kind === "attention" || l.kind === "ffn" ? l.dropout : undefined;
    case "rate": return l.kind === "dropout" ? l.rate : undefined;
    case "eps": return l.kind === "layernorm" ? l.eps : undefined;
    case "hidden": return l.kind === "gru" ? l.hidden : undefined;
    case "inner": return l.kind === "ffn" ? l.inner : undefined;
    default: return undefined;
  }
};
