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

/** A number a swept parameter reads and writes in one place of a spec or a layer. */
interface Lens<T> {
  readonly get: (x: T) => number | undefined;
  readonly set: (x: T, value: number) => T;
}

/** The train section's parameters: one value per spec. */
const TRAIN_PARAMS: Readonly<Record<string, Lens<CheckedSpec>>> = {
  lr: { get: (s) => s.train.optimizer.lr, set: (s, v) => ({ ...s, train: { ...s.train, optimizer: { ...s.train.optimizer, lr: v } } }) },
  weight_decay: { get: (s) => s.train.optimizer.weightDecay, set: (s, v) => ({ ...s, train: { ...s.train, optimizer: { ...s.train.optimizer, weightDecay: v } } }) },
  batch: { get: (s) => s.train.batch, set: (s, v) => ({ ...s, train: { ...s.train, batch: v } }) },
  epochs: { get: (s) => s.train.epochs, set: (s, v) => ({ ...s, train: { ...s.train, epochs: v } }) },
  label_smoothing: { get: (s) => s.train.loss.labelSmoothing, set: (s, v) => ({ ...s, train: { ...s.train, loss: { ...s.train.loss, labelSmoothing: v } } }) },
};

/** A field of the layers of the given kinds (every other layer has no such parameter). */
const field = <K extends Layer["kind"]>(kinds: readonly K[], name: keyof Extract<Layer, { kind: K }> & string): Lens<Layer> => {
  const has = (l: Layer): boolean => (kinds as readonly string[]).includes(l.kind);
  return {
    get: (l) => (has(l) ? (l as unknown as Record<string, number>)[name] : undefined),
    set: (l, v) => (has(l) ? ({ ...l, [name]: v } as Layer) : l),
  };
};

/** The per-layer parameters: every layer of their kinds, wherever it sits. */
const LAYER_PARAMS: Readonly<Record<string, Lens<Layer>>> = {
  d_state: field(["mamba"], "dState"),
  d_conv: field(["mamba"], "dConv"),
  expand: field(["mamba"], "expand"),
  dt_rank: field(["mamba"], "dtRank"),
  heads: field(["attention"], "heads"),
  dropout: field(["attention", "ffn"], "dropout"),
  rate: field(["dropout"], "rate"),
  eps: field(["layernorm"], "eps"),
  hidden: field(["gru"], "hidden"),
  inner: field(["ffn"], "inner"),
};

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
  const train = own(TRAIN_PARAMS, param);
  if (train !== undefined) return train.set(base, value);
  const m = spec.model;
  if (param === "max_len") {
    const data = { ...spec.data, maxLen: value };
    if (m.kind !== "sequence") return { ...base, data };
    return { ...withLayers(spec, m, mapDeep(m.layers, (l) => (l.kind === "positional" ? { ...l, maxLen: value } : l))), data };
  }
  if (m.kind !== "sequence") return undefined;
  const layer = own(LAYER_PARAMS, param);
  if (layer !== undefined) return withLayers(spec, m, mapDeep(m.layers, (l) => layer.set(l, value)));
  if (param === "layers") return withLayers(spec, m, setLayerCount(m.layers, () => value));
  if (param === "dim") {
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
    return withLayers(spec, { ...m, embeddingDim: value }, mapDeep(m.layers, follow));
  }
  return undefined;
};

/**
 * The values a swept parameter has in a spec, distinct and in layer order (what `applySweep` would
 * replace): the base's row of a tuning leaderboard. Empty where the spec has no such parameter
 * (a `heads` on a model without attention); `layers` is every outermost repeat's count.
 */
export const sweepValues = (spec: CheckedSpec, param: string): number[] => {
  const train = own(TRAIN_PARAMS, param);
  if (train !== undefined) return [train.get(spec)!];
  if (param === "max_len") return [spec.data.maxLen];
  const m = spec.model;
  if (m.kind !== "sequence") return [];
  if (param === "dim") return [m.embeddingDim];
  const layer = own(LAYER_PARAMS, param);
  const found: number[] = [];
  const visit = (ls: readonly Layer[], outer: boolean): void => {
    for (const l of ls) {
      const v = param === "layers" ? (l.kind === "repeat" && outer ? l.times : undefined) : layer?.get(l);
      if (v !== undefined && !found.includes(v)) found.push(v);
      if (l.kind === "repeat" || l.kind === "residual") visit(l.body, outer && l.kind !== "repeat");
    }
  };
  visit(m.layers, true);
  return found;
};

/** A table's entry for a name, only its own (never an Object.prototype member such as `toString`). */
const own = <T>(table: Readonly<Record<string, T>>, name: string): T | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;
