/**
 * The `tune` section: a hyperparameter search over the parameters `ablate` can sweep, each given a
 * distribution (`choice([…])`, `uniform(a, b)`, `log_uniform(a, b)`, `int_uniform(a, b)`), and the
 * settings `trials`, `algorithm`, `metric` and `seed` (TUNE_SETTINGS in params.ts). Each value a
 * distribution can produce is held to its parameter's range from the parameter table, so a range
 * that reaches an illegal value is refused where it is written. `checkTrialPoints` then checks the
 * specs of the first trials themselves (src/check/index.ts runs it once the spec checks).
 */
import type { Entry, Section, Value } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import { printSpec } from "../../ir/print.js";
import { metricKey, type CheckedSpec, type Distribution, type EvalConfig, type Model, type TrainConfig, type TuneAlgorithm, type TuneConfig } from "../../ir/spec.js";
import type { SweepParam } from "../../ir/sweep.js";
import { applyPoint, finiteValues, pointText, spaceSize, trialId, trialPoints } from "../../ir/tune.js";
import { decodeValue, type DecodeCtx, type Sink } from "../decode.js";
import { EMBEDDING, LAYER_COUNT, LAYERS, SECTIONS, TUNE_SETTINGS, type Decoded, type ScalarParam } from "../params.js";
import { didYouMean } from "../suggest.js";
import { ablatableParams } from "./ablate.js";

const adam = SECTIONS.train.optimizer.variants.adam;

/** Each searchable parameter's legal values: the table entry of what it sets. */
const RANGES: Readonly<Record<SweepParam, ScalarParam<number>>> = {
  layers: LAYER_COUNT,
  d_state: LAYERS.mamba.params.d_state,
  d_conv: LAYERS.mamba.params.d_conv,
  expand: LAYERS.mamba.params.expand,
  dt_rank: LAYERS.mamba.params.dt_rank,
  heads: LAYERS.attention.params.heads,
  dropout: LAYERS.attention.params.dropout,
  rate: LAYERS.dropout.params.rate,
  eps: LAYERS.layernorm.params.eps,
  hidden: LAYERS.gru.params.hidden,
  inner: LAYERS.ffn.params.inner,
  max_len: SECTIONS.data.max_len,
  dim: EMBEDDING.params.dim,
  lr: adam.lr,
  batch: SECTIONS.train.batch,
  epochs: SECTIONS.train.epochs,
  label_smoothing: SECTIONS.train.loss.variants.cross_entropy.label_smoothing,
  weight_decay: adam.weight_decay,
};

const SETTINGS = Object.keys(TUNE_SETTINGS);
const DISTRIBUTIONS = ["choice", "uniform", "log_uniform", "int_uniform"] as const;

/** Trials checked at check time: all of a grid up to this many, or the first this many drawn. */
export const CHECKED_TRIALS = 64;

/** The spec's default number of trials for random and asha. */
export const DEFAULT_TRIALS = 10;

/** Decodes one written number against the parameter's range (REC2011, REC2012 at the number). */
const legal = (v: Value, param: string, ctx: DecodeCtx): number | undefined =>
  decodeValue(v, RANGES[param as SweepParam], `a value of 'tune.${param}'`, ctx);

/** One `param: distribution(…)` entry; undefined (with diagnostics) when it cannot be sampled. */
const lowerDistribution = (e: Entry, ctx: DecodeCtx): Distribution | undefined => {
  const param = e.key.name;
  const d = ctx.sink.diags;
  const v = e.value;
  const isInt = RANGES[param as SweepParam].typeText === "integer";
  const kind = v.kind === "CallValue" ? DISTRIBUTIONS.find((k) => k === v.name.name) : undefined;
  if (v.kind !== "CallValue" || kind === undefined) {
    d.push(diag("BadTuneSpace", v.kind === "CallValue" ? v.name.span : v.span, `'tune.${param}' must be choice([…]), uniform(a, b), log_uniform(a, b) or int_uniform(a, b)`, {
      hint: v.kind === "List" ? `write ${param}: choice([…]) to search the listed values` : v.kind === "CallValue" ? didYouMean(v.name.name, DISTRIBUTIONS) : undefined,
    }));
    return undefined;
  }
  const named = v.args.find((a) => a.name !== null);
  if (named) {
    d.push(diag("BadTuneSpace", named.span, `${kind}(…) takes its values without names`, { hint: kind === "choice" ? `${param}: choice([1, 2, 3])` : `${param}: ${kind}(low, high)` }));
    return undefined;
  }
  if (kind === "choice") {
    const list = v.args[0]?.value;
    if (v.args.length !== 1 || list?.kind !== "List") {
      d.push(diag("BadTuneSpace", v.span, `choice takes one list of values, e.g. ${param}: choice([1, 2, 3])`));
      return undefined;
    }
    if (list.items.length === 0) {
      d.push(diag("BadTuneSpace", list.span, `'tune.${param}' chooses from an empty list`, { hint: "list at least one value" }));
      return undefined;
    }
    const values = list.items.map((i) => legal(i, param, ctx));
    return values.every((x) => x !== undefined) ? { kind, values: values as number[] } : undefined;
  }
  if (v.args.length !== 2 || v.args.some((a) => a.value.kind !== "Number")) {
    d.push(diag("BadTuneSpace", v.span, `${kind} takes two numbers, the lowest and the highest value: ${param}: ${kind}(low, high)`));
    return undefined;
  }
  const [lowV, highV] = [v.args[0]!.value, v.args[1]!.value];
  if (isInt && kind !== "int_uniform") {
    d.push(diag("BadTuneSpace", v.name.span, `'${param}' takes integers, which ${kind} does not draw`, { hint: `use int_uniform(a, b) or choice([…])` }));
    return undefined;
  }
  if (kind === "log_uniform" && lowV.kind === "Number" && lowV.value <= 0) {
    d.push(diag("BadTuneSpace", lowV.span, `log_uniform needs a lowest value above 0, got ${lowV.raw}`, { hint: `use uniform(${lowV.raw}, …), or a positive lowest value` }));
    return undefined;
  }
  const low = legal(lowV, param, ctx);
  const high = legal(highV, param, ctx);
  if (low === undefined || high === undefined) return undefined;
  if (kind === "int_uniform" && !(Number.isInteger(low) && Number.isInteger(high))) {
    d.push(diag("BadTuneSpace", v.span, `int_uniform takes two integers, got ${low} and ${high}`));
    return undefined;
  }
  if (kind === "int_uniform" ? low > high : low >= high) {
    d.push(diag("BadTuneSpace", v.span, `${kind}(${low}, ${high}) is an empty range: its lowest value must be below its highest`, {
      hint: low === high ? `to fix '${param}' at ${low}, leave it out of tune and set it in the spec` : `write ${kind}(${high}, ${low})`,
    }));
    return undefined;
  }
  return { kind, low, high };
};

const asAlgorithm = (a: Decoded<typeof TUNE_SETTINGS.algorithm>): TuneAlgorithm =>
  a.variant === "asha" ? { kind: "asha", minEpochs: a.args.minEpochs, maxEpochs: a.args.maxEpochs, reduction: a.args.reduction } : { kind: a.variant };

/** Lowers the section; null without one, undefined when it has errors (reported to the sink). */
export const lowerTune = (section: Section | undefined, model: Model, train: TrainConfig, evalCfg: EvalConfig, sink: Sink): TuneConfig | null | undefined => {
  if (section === undefined) return null;
  const ctx: DecodeCtx = { sink, scope: null, defaults: { width: 0, dataMaxLen: 0 } };
  const d = sink.diags;
  const known = ablatableParams(model);
  const entry = (key: string): Entry | undefined => section.entries.find((e) => e.key.name === key);
  let ok = true;
  const space: { param: string; distribution: Distribution; span: Entry["span"] }[] = [];
  const seen = new Set<string>();
  for (const e of section.entries) {
    const key = e.key.name;
    if (seen.has(key)) continue; // reported by the duplicate-entry rule
    seen.add(key);
    if (SETTINGS.includes(key)) continue;
    if (!known.includes(key)) {
      const why = key === "layers" ? "the model has no `repeat` whose count could change" : `'${key.length > 30 ? `${key.slice(0, 30)}…` : key}' is neither a setting of tune nor a parameter of this model`;
      d.push(diag("UnknownTune", e.key.span, `cannot tune '${key.length > 30 ? `${key.slice(0, 30)}…` : key}': ${why}`, {
        hint: key === "layers" ? "wrap the repeated layers in `repeat 1 { … }`" : didYouMean(key, [...SETTINGS, ...known]),
      }));
      ok = false;
      continue;
    }
    const distribution = lowerDistribution(e, ctx);
    if (distribution === undefined) ok = false;
    else space.push({ param: key, distribution, span: e.span });
  }

  const setting = <K extends keyof typeof TUNE_SETTINGS>(key: K) => {
    const e = entry(key);
    return e === undefined ? null : decodeValue(e.value, TUNE_SETTINGS[key], `'tune.${key}'`, ctx);
  };
  const trialsGiven = setting("trials");
  const algorithmGiven = setting("algorithm");
  const metricGiven = setting("metric");
  const seedGiven = setting("seed");
  if (trialsGiven === undefined || algorithmGiven === undefined || metricGiven === undefined || seedGiven === undefined) return undefined;
  const algorithm = asAlgorithm(algorithmGiven ?? { variant: "random", args: {} });
  const metric = metricGiven ?? train.earlyStopping?.metric ?? evalCfg.metrics[0]!;
  if (!evalCfg.metrics.some((m) => metricKey(m) === metricKey(metric))) {
    d.push(diag("TuneMetric", entry("metric")!.value.span, `tune chooses by validation ${metricKey(metric)}, which eval.metrics does not compute`, { hint: `add ${metricKey(metric)} to eval.metrics` }));
    ok = false;
  }

  if (ok && space.length === 0) {
    d.push(diag("BadTuneSpace", section.name.span, "tune searches no parameter", { hint: `add one, e.g. lr: log_uniform(0.0001, 0.01) (searchable here: ${known.join(", ")})` }));
    return undefined;
  }
  const algorithmEntry = entry("algorithm");
  if (algorithm.kind === "asha") {
    if (algorithm.minEpochs >= algorithm.maxEpochs) {
      d.push(diag("BadTuneAlgorithm", algorithmEntry!.value.span, `asha needs min_epochs below max_epochs, got ${algorithm.minEpochs} and ${algorithm.maxEpochs}`, {
        hint: "with a single rung every trial trains alike: use algorithm: random",
      }));
      ok = false;
    }
    const epochs = space.find((s) => s.param === "epochs");
    if (epochs) {
      d.push(diag("BadTuneAlgorithm", epochs.span, "asha sets each trial's epochs by its rungs, so 'epochs' cannot be searched with it", {
        hint: "leave epochs out of tune, or use algorithm: random or grid",
        related: [{ message: "algorithm set here", span: algorithmEntry!.span }],
      }));
      ok = false;
    }
  }
  if (algorithm.kind === "grid") {
    for (const s of space) {
      if (finiteValues(s.distribution) !== null) continue;
      d.push(diag("BadTuneSpace", s.span, `grid search needs finitely many values, but '${s.param}' is a continuous range`, {
        hint: "use choice([…]) or int_uniform(a, b), or algorithm: random",
        related: [{ message: "algorithm set here", span: algorithmEntry!.span }],
      }));
      ok = false;
    }
  }
  if (!ok) return undefined;

  const size = spaceSize(space);
  const trialsEntry = entry("trials");
  if (algorithm.kind === "grid" && trialsGiven !== null && size > trialsGiven) {
    d.push(diag("TuneTrials", trialsEntry!.value.span, `the grid has ${size} points, more than trials: ${trialsGiven}`, { hint: `raise trials to ${size}, or shrink the grid` }));
    return undefined;
  }
  const trials = trialsGiven ?? (algorithm.kind === "grid" ? size : DEFAULT_TRIALS);
  if (algorithm.kind !== "grid" && size < trials) {
    d.push(diag("TuneTrials", trialsEntry?.value.span ?? section.name.span, `the search space has only ${size} point${size === 1 ? "" : "s"}, fewer than the ${trials} trials asked for`, {
      hint: "use algorithm: grid to train each point once, or fewer trials",
    }));
    return undefined;
  }

  return { space, trials, algorithm, metric, seed: seedGiven ?? 0, span: section.name.span };
};

/**
 * Checks the specs of the search's trials (every grid point, or the trials drawn, up to
 * CHECKED_TRIALS): each is the base with the trial's values, printed and checked again by
 * `recheck`, which returns its diagnostics. A trial that does not check is one error (REC2040) at
 * the section, saying how many of the checked trials fail and why the first does.
 */
export const checkTrialPoints = (spec: CheckedSpec, recheck: (text: string) => readonly Diagnostic[]): Diagnostic[] => {
  const tune = spec.tune;
  if (tune === null) return [];
  const points = trialPoints(tune).slice(0, CHECKED_TRIALS);
  const failed: { id: string; point: string; why: Diagnostic }[] = [];
  points.forEach((p, i) => {
    const trial = applyPoint(spec, p);
    if (trial === undefined) return;
    const why = recheck(printSpec(trial)).find((x) => x.severity === "error");
    if (why) failed.push({ id: trialId(i, tune.trials), point: pointText(p), why });
  });
  if (failed.length === 0) return [];
  const first = failed[0]!;
  return [diag("TunePoint", tune.span, `${failed.length} of the ${points.length} trials checked ${failed.length === 1 ? "gives a spec that does" : "give specs that do"} not check; the first, ${first.id} (${first.point}): ${first.why.message} (${first.why.code})`, {
    hint: "narrow the search space so that every point is a valid spec",
    related: tune.space.map((s) => ({ message: `'${s.param}' searched here`, span: s.span })),
  })];
};
