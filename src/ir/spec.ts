/**
 * The checked model IR: what the checker produces from a `.rec` spec and what codegen, the runtime,
 * `explain` and the ablation generator consume. Every default is filled in and every width resolved;
 * block calls are inlined (their layers keep the span of the use site), `repeat` is kept so that
 * ablations can change the layer count. Nothing here knows about tensors.
 */
import type { Span } from "../lang/span.js";

/** Where a layer came from: its own span, and the chain of block calls that produced it (outermost first). */
export interface Origin {
  readonly span: Span;
  readonly via?: readonly Span[];
}

export type Activation = "gelu" | "relu";

/** Each layer maps [batch, len, inDim] -> [batch, len, outDim]. */
export type Layer =
  | DropoutLayer
  | LayerNormLayer
  | PositionalLayer
  | MambaLayer
  | AttentionLayer
  | GruLayer
  | AttentionPoolLayer
  | CaserLayer
  | UserEmbeddingLayer
  | FfnLayer
  | LinearLayer
  | ResidualLayer
  | RepeatLayer;

interface LayerBase {
  readonly origin: Origin;
  readonly inDim: number;
  readonly outDim: number;
}

export interface DropoutLayer extends LayerBase { readonly kind: "dropout"; readonly rate: number }
export interface LayerNormLayer extends LayerBase { readonly kind: "layernorm"; readonly eps: number }
/** Learned positional embedding added to the input, one row per position 0..maxLen-1. */
export interface PositionalLayer extends LayerBase { readonly kind: "positional"; readonly maxLen: number }
/** The Mamba block as mamba-ssm 1.1.4 computes it. dInner = expand * inDim, dtRank = ceil(inDim / 16) unless given. */
export interface MambaLayer extends LayerBase {
  readonly kind: "mamba";
  readonly dState: number;
  readonly dConv: number;
  readonly expand: number;
  readonly dInner: number;
  readonly dtRank: number;
  /** How dt_proj starts: `zero` as official Mamba4Rec (bias 0, so every step size starts near
   *  softplus(0) = 0.69), `mamba` as mamba-ssm (step sizes log-uniform in [0.001, 0.1]). */
  readonly dtInit: MambaDtInit;
}
export type MambaDtInit = "zero" | "mamba";
/** Multi-head causal self-attention (SASRec), attention-probability dropout `dropout`. */
export interface AttentionLayer extends LayerBase {
  readonly kind: "attention";
  readonly heads: number;
  readonly dropout: number;
  readonly causal: boolean;
}
export interface GruLayer extends LayerBase { readonly kind: "gru"; readonly hidden: number }
/**
 * NARM's local encoder at every position: c_t = sum_{j <= t} (v . sigmoid(A1 h_j + A2 h_t)) h_j;
 * the output is [c_t, h_t] (outDim 2 * inDim) with `concat`, else c_t.
 */
export interface AttentionPoolLayer extends LayerBase { readonly kind: "attention_pool"; readonly concat: boolean }
/** dense(inner) -> activation -> dropout(dropout) -> dense(outDim), as RecBole's FeedForward without its LayerNorm. */
export interface FfnLayer extends LayerBase { readonly kind: "ffn"; readonly inner: number; readonly activation: Activation; readonly dropout: number }
export interface LinearLayer extends LayerBase { readonly kind: "linear"; readonly bias: boolean; readonly activation: LinearActivation }
export type LinearActivation = "none" | "relu" | "gelu";
/**
 * Caser's convolutions (Tang and Wang, WSDM 2018; RecBole 1.2 caser.py) at every position t, over the
 * window of the last `window` states up to t, laid out as RecBole lays out a prefix (oldest first,
 * zeros after a prefix shorter than the window): `horizontal` filters of every height 1..window
 * across the width, ReLU, max over time; `vertical` filters of the window's height, one number per
 * width column. Output [vertical * inDim features, horizontal * window features].
 */
export interface CaserLayer extends LayerBase { readonly kind: "caser"; readonly window: number; readonly horizontal: number; readonly vertical: number }
/** `embedding users(dim: D)`: the user's embedding (a table of one row per training user) joined after the state: [h, P_u], outDim = inDim + dim. */
export interface UserEmbeddingLayer extends LayerBase { readonly kind: "user_embedding"; readonly dim: number }
/** x + body(x); the body keeps the width. */
export interface ResidualLayer extends LayerBase { readonly kind: "residual"; readonly body: readonly Layer[] }
/** `times` copies of `body`, each with its own weights; the body keeps the width. */
export interface RepeatLayer extends LayerBase { readonly kind: "repeat"; readonly times: number; readonly body: readonly Layer[] }

/** Every layer that is not residual or repeat, in spec order, through their bodies (a repeated body once). */
export const leafLayers = (layers: readonly Layer[]): Exclude<Layer, ResidualLayer | RepeatLayer>[] =>
  layers.flatMap((l) => (l.kind === "residual" || l.kind === "repeat" ? leafLayers(l.body) : [l]));

/** A neural sequence model: item embedding, then layers, then scores over the catalogue. */
export interface SequenceModel {
  readonly kind: "sequence";
  readonly name: string;
  readonly origin: Origin;
  readonly embeddingDim: number;
  readonly layers: readonly Layer[];
  /** `tied`: scores = h . E^T over the item embedding. `linear`: scores from a separate [items, dim] output matrix. */
  readonly output: "tied" | "linear";
  /**
   * `output …(seen: …)`: a learned adjustment of the scores of the items already in the input
   * (runtime/layers/seen.ts): `bias`, `recency` (by how long ago), `gated` (recency plus a term from
   * the hidden state); `none` without one.
   */
  readonly seen: SeenOutput;
  /**
   * The item table has one more row, the mask token (id items + 1), which scores nothing: set by the
   * checker when the spec trains with `targets: masked`.
   */
  readonly maskToken: boolean;
}

export const SEEN_OUTPUTS = ["none", "bias", "recency", "gated"] as const;
export type SeenOutput = (typeof SEEN_OUTPUTS)[number];

/** Recency buckets for inputs of up to `maxLen` items: 1, 2, 3-4, 5-8, ... items ago (log2), the last one open. */
export const recencyBuckets = (maxLen: number): number => Math.floor(Math.log2(Math.max(1, maxLen))) + 1;

/** Learned numbers of a seen-aware output: a bias, a weight per recency bucket, plus a dim-wide gate and its bias. */
export const seenParams = (seen: SeenOutput, maxLen: number, dim: number): number =>
  seen === "none" ? 0 : seen === "bias" ? 1 : recencyBuckets(maxLen) + (seen === "gated" ? dim + 1 : 0);

/** A non-neural baseline: scores are item counts in the training split. */
export interface PopularityModel {
  readonly kind: "popularity";
  readonly name: string;
  readonly origin: Origin;
}

export type Model = SequenceModel | PopularityModel;

export interface DataConfig {
  readonly maxLen: number;
  /** k-core on users and items, repeated to a fixed point; 0 disables it. */
  readonly kCore: number;
  /** Drop interactions whose rating is below this (formats with ratings only); null keeps all. */
  readonly minRating: number | null;
  /** Drop users with fewer interactions than this after filtering (at least 3 for leave-one-out). */
  readonly minSeqLen: number;
  /**
   * How each user's interactions are ordered where the format has timestamps: `exact` by timestamp,
   * `float32` by the timestamp rounded to float32 (RecBole's order); ties keep file order in both.
   */
  readonly timeOrder: "exact" | "float32";
  readonly split: "leave_one_out";
}

export type Optimizer =
  | { readonly kind: "adam"; readonly lr: number; readonly beta1: number; readonly beta2: number; readonly eps: number; readonly weightDecay: number }
  | { readonly kind: "adamw"; readonly lr: number; readonly beta1: number; readonly beta2: number; readonly eps: number; readonly weightDecay: number }
  | { readonly kind: "sgd"; readonly lr: number; readonly momentum: number; readonly weightDecay: number };

export type Schedule =
  | { readonly kind: "constant" }
  /** Linear warm-up over `warmupEpochs` (fractional allowed), then cosine annealing to lr * minLrRatio at the last epoch. */
  | { readonly kind: "cosine"; readonly warmupEpochs: number; readonly minLrRatio: number }
  /** lr * gamma^floor(epoch / every) */
  | { readonly kind: "step"; readonly every: number; readonly gamma: number }
  /**
   * lr * max(factor^n, minLrRatio), where n counts the reductions so far: one each time `metric` has
   * not improved on validation for `patience` epochs (the count restarts after each reduction).
   */
  | { readonly kind: "plateau"; readonly metric: Metric; readonly patience: number; readonly factor: number; readonly minLrRatio: number };

export interface Metric {
  readonly name: "hr" | "ndcg" | "mrr" | "recall";
  readonly k: number;
}

export const metricKey = (m: Metric): string => `${m.name}@${m.k}`;

export const TARGET_KINDS = ["all_positions", "last", "masked"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface TrainConfig {
  readonly loss: { readonly kind: "cross_entropy"; readonly labelSmoothing: number };
  /**
   * `all_positions`: every position predicts the next item. `last`: the last position of every
   * prefix (RecBole's way). `masked`: BERT4Rec's cloze task, a share `maskRatio` of each window's
   * items replaced by the mask token and predicted; scoring appends the mask token to the input.
   */
  readonly targets: TargetKind;
  /** With `masked`: the share of a window's items masked (at most maskRatio * max_len per window); 0.2 otherwise, unused. */
  readonly maskRatio: number;
  /**
   * With all_positions, sequences longer than max_len + 1 are cut into windows of max_len inputs
   * that overlap by `minContext` items, so every target is predicted from at least that many
   * preceding items (or its whole history when shorter). 0 gives disjoint windows (least work);
   * max_len - 1 gives every target its full max_len context, as RecBole's prefixes do.
   */
  readonly minContext: number;
  readonly optimizer: Optimizer;
  readonly schedule: Schedule;
  /** Clip gradients to this global norm; null disables clipping. */
  readonly clipNorm: number | null;
  /** Prediction targets per optimizer step (not sequences). */
  readonly batch: number;
  readonly epochs: number;
  readonly earlyStopping: { readonly metric: Metric; readonly patience: number } | null;
  /**
   * An exponential moving average of the weights, begun after `start` epochs from the weights then
   * and updated after every step: average = decay * average + (1 - decay) * weights. Validation,
   * the kept best weights and the final model use the average; the optimizer steps the raw weights.
   */
  readonly weightAverage: { readonly kind: "ema"; readonly decay: number; readonly start: number } | null;
  readonly seed: number;
}

export interface EvalConfig {
  readonly ranking: "full";
  readonly excludeSeen: boolean;
  readonly metrics: readonly Metric[];
}

export interface CheckedSpec {
  /** The file the spec was read from, as given. */
  readonly file: string;
  readonly model: Model;
  readonly data: DataConfig;
  readonly train: TrainConfig;
  readonly eval: EvalConfig;
  /** Declared ablation sweeps, e.g. `ablate { d_state: [8, 16, 64] layers: [2, 3] }`. */
  readonly ablate: readonly { readonly param: string; readonly values: readonly number[]; readonly span: Span }[];
  /** The declared hyperparameter search (`tune { … }`), or null without one. */
  readonly tune: TuneConfig | null;
}

/**
 * Where a searched parameter's values come from: listed values, or a range [low, high] drawn
 * uniformly, uniformly on a log scale, or as integers (both ends included).
 */
export type Distribution =
  | { readonly kind: "choice"; readonly values: readonly number[] }
  | { readonly kind: "uniform" | "log_uniform" | "int_uniform"; readonly low: number; readonly high: number };

/**
 * How trials are chosen and trained. random: `trials` points drawn from the space; grid: every point
 * of the (finite) space; asha: `trials` random points trained by successive halving, rung epochs
 * minEpochs, minEpochs * reduction, ... up to maxEpochs, the top 1/reduction continuing at each rung.
 */
export type TuneAlgorithm =
  | { readonly kind: "random" }
  | { readonly kind: "grid" }
  | { readonly kind: "asha"; readonly minEpochs: number; readonly maxEpochs: number; readonly reduction: number };

export interface TuneConfig {
  /** The searched parameters, in spec order; names are those `ablate` can sweep. */
  readonly space: readonly { readonly param: string; readonly distribution: Distribution; readonly span: Span }[];
  readonly trials: number;
  readonly algorithm: TuneAlgorithm;
  /** The validation metric that chooses (the test split is never read to choose). */
  readonly metric: Metric;
  /** Seed of the sampler (not of the runs, which keep train.seed). */
  readonly seed: number;
  /** The section, for diagnostics about the search as a whole. */
  readonly span: Span;
}
