/** Small IR models and datasets for the runtime tests. */
import type { Layer, Origin, SequenceModel, TrainConfig } from "../../src/ir/spec.js";
import { Rng } from "../../src/util/rng.js";

const pos = { offset: 0, line: 1, col: 1 };
export const origin: Origin = { span: { file: "test.rec", start: pos, end: pos } };

/** embedding(dim) -> dropout -> mamba -> layernorm -> tied output. */
export const tinyMamba = (dim = 16, dropout = 0): SequenceModel => {
  const base = { origin, inDim: dim, outDim: dim };
  const layers: Layer[] = [
    { ...base, kind: "dropout", rate: dropout },
    { ...base, kind: "mamba", dState: 4, dConv: 4, expand: 2, dInner: 2 * dim, dtRank: Math.ceil(dim / 16), dtInit: "zero" },
    { ...base, kind: "layernorm", eps: 1e-12 },
  ];
  return { kind: "sequence", name: "Tiny", origin, embeddingDim: dim, layers, output: "tied", seen: "none", maskToken: false };
};

export const trainConfig = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  loss: { kind: "cross_entropy", labelSmoothing: 0 },
  targets: "all_positions",
  maskRatio: 0.2,
  minContext: 0,
  optimizer: { kind: "adam", lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  schedule: { kind: "constant" },
  clipNorm: null,
  batch: 64,
  epochs: 2,
  earlyStopping: null,
  weightAverage: null,
  seed: 7,
  ...over,
});

/** `users` sequences over `items` items following a fixed cyclic successor rule (learnable). */
export const cyclicSequences = (users: number, items: number, len: number, seed = 1): Int32Array[] => {
  const rng = new Rng(seed);
  return Array.from({ length: users }, () => {
    const s = new Int32Array(len);
    let x = 1 + rng.int(items);
    for (let i = 0; i < len; i++) {
      s[i] = x;
      x = (x % items) + 1;
    }
    return s;
  });
};
