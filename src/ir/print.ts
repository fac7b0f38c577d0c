/**
 * Checked IR -> canonical .rec text: every default written out, blocks inlined, `repeat` kept.
 * Checking the text gives back an equal IR (modulo spans); the ablation generator writes variants with it.
 */
import type { CheckedSpec, Distribution, Layer, LinearLayer, MambaLayer, Metric, Optimizer, Schedule, TuneAlgorithm, TuneConfig } from "./spec.js";

const num = (n: number): string => String(n);
const metric = (m: Metric): string => `${m.name}@${m.k}`;

/**
 * `mamba(...)` with every parameter, except `dt_init` at its default (the official init), which is
 * left out so that specs written before the option existed print as they always did.
 */
export const mambaText = (l: MambaLayer): string =>
  `mamba(d_state: ${l.dState}, d_conv: ${l.dConv}, expand: ${l.expand}, dt_rank: ${l.dtRank}${l.dtInit === "zero" ? "" : `, dt_init: ${l.dtInit}`})`;

/** `linear(...)`, its activation only when it has one, so specs written before the option print as they did. */
export const linearText = (l: LinearLayer): string => `linear(dim: ${l.outDim}, bias: ${l.bias}${l.activation === "none" ? "" : `, activation: ${l.activation}`})`;

const layerLines = (l: Layer, indent: string): string[] => {
  switch (l.kind) {
    case "dropout": return [`${indent}dropout(${num(l.rate)})`];
    case "layernorm": return [`${indent}layernorm(eps: ${num(l.eps)})`];
    case "positional": return [`${indent}positional(max_len: ${l.maxLen})`];
    case "mamba": return [`${indent}${mambaText(l)}`];
    case "attention": return [`${indent}attention(heads: ${l.heads}, dropout: ${num(l.dropout)}, causal: ${l.causal})`];
    case "gru": return [`${indent}gru(hidden: ${l.hidden})`];
    case "attention_pool": return [`${indent}attention_pool(concat: ${l.concat})`];
    case "ffn": return [`${indent}ffn(inner: ${l.inner}, activation: ${l.activation}, dropout: ${num(l.dropout)})`];
    case "linear": return [`${indent}${linearText(l)}`];
    case "caser": return [`${indent}caser(window: ${l.window}, horizontal: ${l.horizontal}, vertical: ${l.vertical})`];
    case "user_embedding": return [`${indent}embedding users(dim: ${l.dim})`];
    case "residual": return [`${indent}residual {`, ...l.body.flatMap((b) => layerLines(b, `${indent}  `)), `${indent}}`];
    case "repeat": return [`${indent}repeat ${l.times} {`, ...l.body.flatMap((b) => layerLines(b, `${indent}  `)), `${indent}}`];
  }
};

const optimizer = (o: Optimizer): string =>
  o.kind === "sgd"
    ? `sgd(lr: ${num(o.lr)}, momentum: ${num(o.momentum)}, weight_decay: ${num(o.weightDecay)})`
    : `${o.kind}(lr: ${num(o.lr)}, beta1: ${num(o.beta1)}, beta2: ${num(o.beta2)}, eps: ${num(o.eps)}, weight_decay: ${num(o.weightDecay)})`;

const schedule = (s: Schedule): string =>
  s.kind === "constant" ? "constant"
    : s.kind === "cosine" ? `cosine(warmup: ${num(s.warmupEpochs)}, min_lr_ratio: ${num(s.minLrRatio)})`
      : s.kind === "step" ? `step(every: ${s.every}, gamma: ${num(s.gamma)})`
        : `plateau(metric: ${metric(s.metric)}, patience: ${s.patience}, factor: ${num(s.factor)}, min_lr_ratio: ${num(s.minLrRatio)})`;

/** `log_uniform(0.0001, 0.01)`, `choice([1, 2, 3])`: a searched parameter's distribution as written. */
export const distributionText = (d: Distribution): string =>
  d.kind === "choice" ? `choice([${d.values.map(num).join(", ")}])` : `${d.kind}(${num(d.low)}, ${num(d.high)})`;

export const algorithmText = (a: TuneAlgorithm): string =>
  a.kind === "asha" ? `asha(min_epochs: ${a.minEpochs}, max_epochs: ${a.maxEpochs}, reduction: ${a.reduction})` : a.kind;

/** The `tune { … }` section's entries, one per line, every setting written out. */
export const tuneLines = (t: TuneConfig): string[] => [
  ...t.space.map((s) => `${s.param}: ${distributionText(s.distribution)}`),
  `trials: ${t.trials}`,
  `algorithm: ${algorithmText(t.algorithm)}`,
  `metric: ${metric(t.metric)}`,
  `seed: ${t.seed}`,
];

export const printSpec = (spec: CheckedSpec): string => {
  const m = spec.model;
  const model = m.kind === "popularity"
    ? [`model ${m.name} {`, "  popularity", "}"]
    : [`model ${m.name} {`, `  embedding items(dim: ${m.embeddingDim})`, ...m.layers.flatMap((l) => layerLines(l, "  ")), `  output ${m.output}${m.seen === "none" ? "" : `(seen: ${m.seen})`}`, "}"];
  const { data: d, train: t, eval: e } = spec;
  const out = [
    ...model, "",
    "data {",
    `  max_len: ${d.maxLen}`,
    `  filter: ${d.kCore > 0 ? `k_core(${d.kCore})` : "none"}`,
    `  min_rating: ${d.minRating === null ? "none" : num(d.minRating)}`,
    `  min_seq_len: ${d.minSeqLen}`,
    `  time_order: ${d.timeOrder}`,
    `  split: ${d.split}`,
    "}", "",
    "train {",
    `  loss: cross_entropy(label_smoothing: ${num(t.loss.labelSmoothing)})`,
    `  targets: ${t.targets === "masked" ? `masked(ratio: ${num(t.maskRatio)})` : t.targets}`,
    `  min_context: ${t.minContext}`,
    `  optimizer: ${optimizer(t.optimizer)}`,
    `  schedule: ${schedule(t.schedule)}`,
    `  clip_norm: ${t.clipNorm === null ? "none" : num(t.clipNorm)}`,
    `  batch: ${t.batch}`,
    `  epochs: ${t.epochs}`,
    t.earlyStopping === null ? "  early_stopping: none" : `  early_stopping(metric: ${metric(t.earlyStopping.metric)}, patience: ${t.earlyStopping.patience})`,
    `  weight_average: ${t.weightAverage === null ? "none" : `ema(decay: ${num(t.weightAverage.decay)}, start: ${t.weightAverage.start})`}`,
    `  seed: ${t.seed}`,
    "}", "",
    "eval {",
    `  ranking: ${e.ranking}`,
    `  exclude_seen: ${e.excludeSeen}`,
    `  metrics: [${e.metrics.map(metric).join(", ")}]`,
    "}",
  ];
  if (spec.ablate.length > 0) out.push("", "ablate {", ...spec.ablate.map((a) => `  ${a.param}: [${a.values.map(num).join(", ")}]`), "}");
  if (spec.tune !== null) out.push("", "tune {", ...tuneLines(spec.tune).map((l) => `  ${l}`), "}");
  return `${out.join("\n")}\n`;
};
