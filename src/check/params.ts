/**
 * The parameter table: every layer, section key and option, with its type (an io-ts codec), range,
 * default and whether it is required. The checker decodes arguments against it; `explain`, the docs
 * and the formatter read it. Defaults written as functions depend on the context (width, data.max_len).
 */
import * as t from "io-ts";
import type { Metric } from "../ir/spec.js";

/** Context for defaults that depend on where a parameter is used. */
export interface DefaultCtx { readonly width: number; readonly dataMaxLen: number }

interface Base {
  readonly doc: string;
  /** Accepts the bare name `none`, decoded as null. */
  readonly nullable?: boolean;
  /** A literal default, a function of the context, or absent when required. */
  readonly default?: unknown;
  /** How the default reads in the docs when it is computed. */
  readonly defaultText?: string;
}
/** `A` is what the codec decodes to; it types the parameter's entry in `Args`. */
export interface ScalarParam<A = unknown> extends Base {
  readonly kind: "scalar";
  /** The type alone: failing it is REC2011. */
  readonly type: t.Decoder<unknown, A>;
  readonly typeText: string;
  /** The type with its range: failing only this is REC2012. */
  readonly codec: t.Decoder<unknown, A>;
  readonly rangeText: string;
}
/** A bare option name (`constant`) or a call (`cosine(warmup: 1)`), each option with its own table. */
export interface ChoiceParam<V extends Variants = Variants> extends Base {
  readonly kind: "choice";
  readonly variants: V;
}
export interface MetricsParam<L extends boolean = boolean> extends Base { readonly kind: "metrics"; readonly list: L }
export type ParamDef = ScalarParam | ChoiceParam | MetricsParam;
export interface ParamTable { readonly [name: string]: ParamDef }
export interface Variants { readonly [variant: string]: ParamTable }

/** `d_state` -> `dState`: how the language's names read as TypeScript fields. */
export type CamelCase<S extends string> = S extends `${infer H}_${infer R}` ? `${H}${Capitalize<CamelCase<R>>}` : S;
export const camelCase = <S extends string>(s: S): CamelCase<S> => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;

/** What a parameter decodes to. */
export type Decoded<P extends ParamDef> =
  | (P extends ScalarParam<infer A> ? A
    : P extends MetricsParam<infer L> ? (L extends true ? readonly Metric[] : Metric)
      : P extends ChoiceParam<infer V> ? Choice<V> : never)
  | (P extends { readonly nullable: true } ? null : never);

/** A decoded option: its name and its arguments, told apart by `variant`. */
export type Choice<V extends Variants> = { readonly [K in keyof V & string]: { readonly variant: K; readonly args: Args<V[K]> } }[keyof V & string];

/** The decoded arguments of a table, every default filled in, keyed by the camelCase names. */
export type Args<T extends ParamTable> = { readonly [K in keyof T & string as CamelCase<K>]: Decoded<T[K]> };

interface Opts<A> {
  readonly default?: A | ((c: DefaultCtx) => A);
  readonly defaultText?: string;
}

const scalar = <A>(type: t.Type<A, A, unknown>, typeText: string, pred: (a: A) => boolean, rangeText: string, doc: string, extra: Opts<A> = {}): ScalarParam<A> => ({
  kind: "scalar", type, typeText, codec: t.refinement(type, pred, `${typeText} ${rangeText}`), rangeText, doc, ...extra,
});

const Int = t.Int as unknown as t.Type<number, number, unknown>;
const posInt = (doc: string, extra: Opts<number> = {}): ScalarParam<number> => scalar(Int, "integer", (n) => n >= 1, ">= 1", doc, extra);
const nonNegInt = (doc: string, extra: Opts<number> = {}): ScalarParam<number> => scalar(Int, "integer", (n) => n >= 0, ">= 0", doc, extra);
const positive = (doc: string, extra: Opts<number> = {}): ScalarParam<number> => scalar(t.number, "number", (n) => n > 0, "> 0", doc, extra);
const nonNeg = (doc: string, extra: Opts<number> = {}): ScalarParam<number> => scalar(t.number, "number", (n) => n >= 0, ">= 0", doc, extra);
const rate = (doc: string, extra: Opts<number> = {}): ScalarParam<number> => scalar(t.number, "number", (n) => n >= 0 && n < 1, "in [0, 1)", doc, extra);
const unit = (doc: string, extra: Opts<number> = {}): ScalarParam<number> => scalar(t.number, "number", (n) => n >= 0 && n <= 1, "in [0, 1]", doc, extra);
const bool = (doc: string, extra: Opts<boolean> = {}): ScalarParam<boolean> => scalar(t.boolean, "boolean", () => true, "", doc, extra);
const enumOf = <const V extends readonly string[]>(values: V, doc: string, extra: Opts<V[number]> = {}): ScalarParam<V[number]> =>
  // t.keyof decodes exactly the keys of the object it is given: `values`.
  scalar(t.keyof(Object.fromEntries(values.map((v) => [v, null]))) as unknown as t.Type<V[number], V[number], unknown>, values.join(" | "), () => true, "", doc, extra);
const choice = <V extends Variants>(variants: V, doc: string, extra: Opts<NoInfer<Choice<V>>> = {}): ChoiceParam<V> => ({ kind: "choice", doc, ...extra, variants });
const metrics = <L extends boolean>(list: L, doc: string, extra: Opts<NoInfer<L extends true ? readonly Metric[] : Metric>> = {}): MetricsParam<L> => ({ kind: "metrics", list, doc, ...extra });
/** The parameter may be `none` (decoded as null), which is also its default. */
const orNone = <P extends ParamDef>(p: P, defaultText = "none"): P & { readonly nullable: true } => {
  const none = { ...p, nullable: true as const, default: null, defaultText };
  return none;
};

/** Built-in layers and their parameters. `positional` names the one parameter that may be given without its name. */
export interface LayerDef<T extends ParamTable = ParamTable> { readonly params: T; readonly positional?: keyof T & string; readonly doc: string }

const layer = <T extends ParamTable>(def: { readonly doc: string; readonly positional?: NoInfer<keyof T & string>; readonly params: T }): LayerDef<T> => def;

export const LAYERS = {
  dropout: layer({ doc: "Dropout on the hidden states.", positional: "rate", params: { rate: rate("Probability of zeroing an element.") } }),
  layernorm: layer({ doc: "LayerNorm over the width, with scale and shift.", positional: "eps", params: { eps: positive("Added to the variance.", { default: 1e-12 }) } }),
  positional: layer({
    doc: "Learned positional embedding, added to the input.", positional: "max_len",
    params: { max_len: posInt("Positions covered; at least data.max_len.", { default: (c) => c.dataMaxLen, defaultText: "data.max_len" }) },
  }),
  mamba: layer({
    doc: "Mamba block (mamba-ssm 1.1.4): in_proj, causal depthwise conv, selective scan, gated out_proj.",
    params: {
      d_state: posInt("SSM state size N.", { default: 16 }),
      d_conv: posInt("Causal convolution width.", { default: 4 }),
      expand: posInt("dInner = expand * width.", { default: 2 }),
      dt_rank: posInt("Rank of the step-size projection.", { default: (c) => Math.ceil(c.width / 16), defaultText: "ceil(width / 16)" }),
      dt_init: enumOf(["zero", "mamba"],
        "Step-size init. zero: dt_proj bias 0 and weight N(0, 0.02), as official Mamba4Rec (RecBole re-initialises every Linear); " +
        "mamba: mamba-ssm's own, bias softplus^-1(dt) for dt log-uniform in [0.001, 0.1] and weight U(+-dt_rank^-0.5).",
        { default: "zero" }),
    },
  }),
  attention: layer({
    doc: "Multi-head self-attention (SASRec), with attention-probability dropout.",
    params: {
      heads: posInt("Heads; must divide the width.", { default: 2 }),
      dropout: rate("Dropout on attention probabilities.", { default: 0 }),
      causal: bool("Mask future positions.", { default: true }),
    },
  }),
  attention_pool: layer({
    doc: "NARM's local encoder: at each position t, c_t = sum over j <= t of (v . sigmoid(A1 h_j + A2 h_t)) h_j, unnormalised; " +
      "outputs [c_t, h_t] (twice the width) or c_t alone.",
    params: { concat: bool("Output [c_t, h_t], NARM's local and global encoders side by side (width 2 * width); false: c_t alone.", { default: true }) },
  }),
  gru: layer({ doc: "One-layer GRU (PyTorch layout, two bias vectors).", positional: "hidden", params: { hidden: posInt("Hidden size; the output width.") } }),
  ffn: layer({
    doc: "Position-wise feed-forward: dense(inner), activation, dropout, dense(width).",
    params: {
      inner: posInt("Inner width.", { default: (c) => 4 * c.width, defaultText: "4 * width" }),
      activation: enumOf(["gelu", "relu"], "Activation between the two dense layers.", { default: "gelu" }),
      dropout: rate("Dropout after the activation.", { default: 0 }),
    },
  }),
  linear: layer({
    doc: "Dense projection to `dim`, then an activation.",
    params: {
      dim: posInt("Output width.", { default: (c) => c.width, defaultText: "width" }),
      bias: bool("Add a bias vector.", { default: true }),
      activation: enumOf(["none", "relu", "gelu"], "Applied after the projection.", { default: "none" }),
    },
  }),
  caser: layer({
    doc: "Caser's horizontal and vertical convolutions over the last `window` states at every position (RecBole's layout: oldest first, zeros after a shorter prefix); " +
      "outputs vertical * width + horizontal * window features.",
    params: {
      window: posInt("L: the states each position's convolutions see (Caser's L; RecBole's max_seq_length)."),
      horizontal: posInt("Horizontal filters per height 1..window (Caser's n_h), ReLU and max-pooled over time.", { default: 16 }),
      vertical: posInt("Vertical filters (Caser's n_v), each a weighted sum of the window's rows.", { default: 8 }),
    },
  }),
  popularity: layer({ doc: "Popularity baseline: scores are training-split item counts. Alone in its model.", params: {} }),
};

export type LayerName = keyof typeof LAYERS;

/** Own keys only: a name such as `toString` is no built-in layer. */
export const isLayerName = (name: string): name is LayerName => Object.hasOwn(LAYERS, name);

/** `embedding items(dim: 64)`: the item table, first in every sequence model. */
export const EMBEDDING = layer({ doc: "Item embedding; row 0 is padding.", positional: "dim", params: { dim: posInt("Embedding width.") } });
/** `embedding users(dim: 64)`: a user table, joined to the state where it stands. */
export const USER_EMBEDDING = layer({
  doc: "User embedding, one row per training user, concatenated to the state: [h, P_u] (width + dim). A history scored without a training user (`recommend`) joins zeros.",
  positional: "dim", params: { dim: posInt("Embedding width.") },
});
export const OUTPUT_MODES = ["tied", "linear"] as const;
/** `output tied(seen: recency)`: the output's arguments, the same for both modes. */
export const OUTPUT = layer({
  doc: "Scores over the catalogue: h . E^T (tied) or from a separate matrix (linear).",
  params: {
    seen: orNone(enumOf(["bias", "recency", "gated"],
      "A learned adjustment of the scores of the items already in the input, trained with the model. bias: one number; " +
      "recency: one per recency bucket (1, 2, 3-4, 5-8, ... items ago); gated: recency plus a term from the hidden state. " +
      "none: the scores as they are.")),
  },
});

export const METRIC_NAMES = ["hr", "ndcg", "mrr", "recall"] as const satisfies readonly Metric["name"][];

const adamParams = (weightDecay: number) => ({
  lr: positive("Learning rate.", { default: 0.001 }),
  beta1: rate("First-moment decay.", { default: 0.9 }),
  beta2: rate("Second-moment decay.", { default: 0.999 }),
  eps: positive("Denominator term.", { default: 1e-8 }),
  weight_decay: nonNeg("L2 penalty (adam) or decoupled decay (adamw).", { default: weightDecay }),
});

export const SECTIONS = {
  data: {
    max_len: posInt("Most recent items kept per input sequence.", { default: 200 }),
    filter: orNone(choice({ k_core: { k: nonNegInt("Minimum interactions per user and item; 0 disables.") } }, "k-core filter on users and items, to a fixed point.")),
    min_rating: orNone(nonNeg("Drop interactions rated below this.")),
    min_seq_len: scalar(Int, "integer", (n) => n >= 1, ">= 1", "Drop users with fewer interactions (>= 3 for leave_one_out).", { default: 3 }),
    time_order: enumOf(["exact", "float32"], "How a user's interactions are ordered, for formats with timestamps. exact: by timestamp, ties in file order. float32: by the timestamp rounded to a 32-bit float, ties in file order, as RecBole orders them (it holds timestamps in a torch.FloatTensor): Unix times of 1987-2004 fall on a 64-second grid, later ones on a 128-second grid, so interactions within a minute or two keep file order.", { default: "exact" }),
    split: enumOf(["leave_one_out"], "Evaluation split.", { default: "leave_one_out" }),
  },
  train: {
    loss: choice({ cross_entropy: { label_smoothing: rate("Label smoothing.", { default: 0 }) } }, "Training loss.",
      { default: { variant: "cross_entropy", args: { labelSmoothing: 0 } }, defaultText: "cross_entropy(label_smoothing: 0)" }),
    targets: choice({
      all_positions: {},
      last: {},
      masked: { ratio: scalar(t.number, "number", (n) => n > 0 && n < 1, "in (0, 1)", "Share of each window's items replaced by the mask token and predicted.", { default: 0.2 }) },
    }, "What training predicts. all_positions: the next item at every position of max_len windows (see min_context). last: one sample per prefix, its target at the end (RecBole's samples; on ML-1M about 110 times the computation of all_positions). masked: BERT4Rec's cloze task: in each window of max_len items a random share `ratio` is replaced by a mask token (an extra embedding row) and predicted from both sides, at most ratio * max_len per window; validation and test append the mask token after the input and score there.",
    { default: { variant: "all_positions", args: {} }, defaultText: "all_positions" }),
    min_context: nonNegInt("all_positions: each target sees at least this many preceding items (or its whole history when shorter); training windows overlap by this much. 0: disjoint windows; max_len - 1: RecBole's prefix contexts.", { default: 0 }),
    optimizer: choice({
      adam: adamParams(0),
      adamw: adamParams(0.01),
      sgd: { lr: positive("Learning rate.", { default: 0.01 }), momentum: rate("Momentum.", { default: 0 }), weight_decay: nonNeg("L2 penalty.", { default: 0 }) },
    }, "Optimizer.", { default: { variant: "adam", args: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } }, defaultText: "adam(lr: 0.001)" }),
    schedule: choice({
      constant: {},
      cosine: { warmup: nonNeg("Linear warm-up epochs (fractional allowed).", { default: 0 }), min_lr_ratio: unit("Final lr as a fraction of lr.", { default: 0 }) },
      step: { every: posInt("Epochs between decays."), gamma: scalar(t.number, "number", (n) => n > 0 && n <= 1, "in (0, 1]", "Decay factor.", { default: 0.5 }) },
      plateau: {
        metric: orNone(metrics(false, "Validation metric watched; must be in eval.metrics."), "the early-stopping metric"),
        patience: posInt("Epochs without improvement of the metric before each reduction.", { default: 10 }),
        factor: scalar(t.number, "number", (n) => n > 0 && n < 1, "in (0, 1)", "Multiplies the learning rate at each reduction.", { default: 0.1 }),
        min_lr_ratio: unit("The learning rate never goes below lr times this.", { default: 0 }),
      },
    }, "Learning-rate schedule. plateau: reduce on a plateau of a validation metric. Each epoch's rate is recorded in the run's history.json.",
    { default: { variant: "constant", args: {} }, defaultText: "constant" }),
    clip_norm: orNone(positive("Clip gradients to this global norm.")),
    batch: posInt("Prediction targets per optimizer step. A batch over 16,384 padded positions is computed in micro-batches whose gradients are summed (the same step).", { default: 2048 }),
    epochs: posInt("Training epochs (upper bound with early stopping).", { default: 300 }),
    early_stopping: orNone(choice({ early_stopping: { metric: metrics(false, "Validation metric; must be in eval.metrics."), patience: posInt("Epochs without improvement.", { default: 10 }) } },
      "Stop when the validation metric has not improved for `patience` epochs.")),
    weight_average: orNone(choice({
      ema: {
        decay: scalar(t.number, "number", (n) => n > 0 && n < 1, "in (0, 1)", "After each step: average = decay * average + (1 - decay) * weights.", { default: 0.999 }),
        start: nonNegInt("Epochs trained before averaging begins; the average starts from the weights at that point.", { default: 0 }),
      },
    }, "Validate, keep and score a moving average of the weights instead of the weights themselves; training still steps the raw weights. Checkpoints hold both, so --resume continues exactly.")),
    seed: nonNegInt("Seed of the one random generator.", { default: 2020 }),
  },
  eval: {
    ranking: enumOf(["full"], "Rank every item (padding excluded).", { default: "full" }),
    exclude_seen: bool("Remove the user's seen items from the ranking.", { default: false }),
    metrics: metrics(true, "Reported metrics, `name@K` with name in hr, ndcg, mrr, recall.",
      { default: [{ name: "hr", k: 10 }, { name: "ndcg", k: 10 }, { name: "mrr", k: 10 }], defaultText: "[hr@10, ndcg@10, mrr@10]" }),
  },
} satisfies Readonly<Record<string, ParamTable>>;

export type SectionName = keyof typeof SECTIONS;

/** `ablate` and `tune` are keyed by parameter name, so they have no table; the model is required, other sections default. */
export const SECTION_NAMES = ["data", "train", "eval", "ablate", "tune"] as const;

/** `ablate { layers: … }` and `tune { layers: … }`: the count of the outermost repeats. */
export const LAYER_COUNT = nonNegInt("Count of the outermost repeats; 0 removes them.");

/**
 * The settings of `tune { … }`; every other key names a searched parameter. `trials` and `metric`
 * have no literal default (lower/tune.ts computes them: 10, or the grid's size; the early-stopping
 * metric, else the first of eval.metrics).
 */
export const TUNE_SETTINGS = {
  trials: posInt("Trials: points drawn (random, asha); with grid, at least the grid's size.", { defaultText: "10; grid: the grid's size" }),
  algorithm: choice({
    random: {},
    grid: {},
    asha: {
      min_epochs: posInt("Epochs of the first rung.", { default: 1 }),
      max_epochs: posInt("Epochs of the last rung: the most any trial trains."),
      reduction: scalar(Int, "integer", (n) => n >= 2, ">= 2", "Each rung keeps the top 1/reduction and multiplies the epochs by it.", { default: 3 }),
    },
  }, "How trials are chosen and trained: random points, every grid point, or random points by successive halving.",
  { default: { variant: "random", args: {} }, defaultText: "random" }),
  metric: metrics(false, "Validation metric that chooses; must be in eval.metrics.", { defaultText: "the early-stopping metric, else the first of eval.metrics" }),
  seed: nonNegInt("Seed of the sampler (the runs keep train.seed).", { default: 0 }),
} satisfies ParamTable;

/** The default as the docs show it. */
export const defaultText = (p: ParamDef): string => {
  if (p.defaultText !== undefined) return p.defaultText;
  if (p.default === undefined) return "required";
  return JSON.stringify(p.default);
};

const typeText = (p: ParamDef): string =>
  p.kind === "scalar" ? p.typeText : p.kind === "metrics" ? (p.list ? "[metric@K, ...]" : "metric@K") : Object.keys(p.variants).join(" | ");

/** The whole table as Markdown, for docs/language.md (test/check/params.spec.ts keeps the doc in sync). */
export const parameterTableMarkdown = (): string => {
  const rows: string[] = ["| where | parameter | type | range | default | meaning |", "|---|---|---|---|---|---|"];
  const add = (where: string, name: string, p: ParamDef): void => {
    rows.push(`| ${where} | \`${name}\` | ${typeText(p).replace(/\|/g, "\\|")}${p.nullable ? " \\| none" : ""} | ${p.kind === "scalar" ? p.rangeText : ""} | ${defaultText(p).replace(/\|/g, "\\|")} | ${p.doc} |`);
    if (p.kind === "choice") {
      for (const [variant, table] of Object.entries(p.variants)) {
        for (const [n, q] of Object.entries(table)) add(`${where} ${variant}(…)`, n, q);
      }
    }
  };
  add("model", "embedding items", EMBEDDING.params.dim);
  add("model", "embedding users", USER_EMBEDDING.params.dim);
  for (const [layer, def] of Object.entries(LAYERS)) for (const [n, p] of Object.entries(def.params)) add(`layer ${layer}`, n, p);
  add("model output", "seen", OUTPUT.params.seen);
  for (const [section, table] of Object.entries(SECTIONS)) for (const [n, p] of Object.entries(table)) add(section, n, p);
  return rows.join("\n");
};

/** `repeat N`: the number of copies, each with its own weights. */
export const REPEAT_TIMES = posInt("Copies of the body.");
