/** Section AST -> IR configs: data, train, eval and ablate, every default filled in. */
import type { Section } from "../lang/ast.js";
import { diag } from "../lang/codes.js";
import type { Span } from "../lang/span.js";
import { decodeValue, type DecodeCtx, type Sink } from "../check/decode.js";
import { SECTIONS, type ChoiceVal, type DefaultCtx, type MetricVal, type ParamTable } from "../check/params.js";
import { didYouMean } from "../check/suggest.js";
import type { CheckedSpec, DataConfig, EvalConfig, Layer, Metric, Model, Optimizer, Schedule, TrainConfig } from "./spec.js";

/** Decodes a section's entries against its table; keys absent from the section take their defaults. */
const decodeSection = (name: string, section: Section | undefined, sink: Sink, defaults: DefaultCtx): Record<string, unknown> | undefined => {
  const table: ParamTable = SECTIONS[name]!;
  const ctx: DecodeCtx = { sink, scope: null, defaults };
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  let ok = true;
  for (const e of section?.entries ?? []) {
    const p = table[e.key.name];
    if (p === undefined) {
      sink.diags.push(diag("UnknownEntry", e.key.span, `section '${name}' has no key '${e.key.name.length > 30 ? `${e.key.name.slice(0, 30)}…` : e.key.name}'`, { hint: didYouMean(e.key.name, Object.keys(table)) }));
      ok = false;
      continue;
    }
    if (seen.has(e.key.name)) continue; // reported by the duplicate-entry rule
    seen.add(e.key.name);
    const v = decodeValue(e.value, p, `'${name}.${e.key.name}'`, ctx);
    if (v === undefined) ok = false;
    else out[e.key.name] = v;
  }
  for (const [k, p] of Object.entries(table)) {
    if (k in out) continue;
    if (p.default === undefined) {
      sink.diags.push(diag("MissingParam", section?.name.span ?? { file: "", start: { offset: 0, line: 1, col: 1 }, end: { offset: 0, line: 1, col: 1 } }, `section '${name}' needs '${k}'`));
      ok = false;
    } else out[k] = typeof p.default === "function" ? (p.default as (c: DefaultCtx) => unknown)(defaults) : p.default;
  }
  return ok ? out : undefined;
};

const n = (r: Readonly<Record<string, unknown>>, k: string): number => r[k] as number;

export const lowerData = (section: Section | undefined, sink: Sink): DataConfig | undefined => {
  const r = decodeSection("data", section, sink, { width: 0, dataMaxLen: 0 });
  if (r === undefined) return undefined;
  const filter = r["filter"] as ChoiceVal | null;
  return { maxLen: n(r, "max_len"), kCore: filter === null ? 0 : n(filter.args, "k"), minRating: r["min_rating"] as number | null, minSeqLen: n(r, "min_seq_len"), timeOrder: r["time_order"] as DataConfig["timeOrder"], split: "leave_one_out" };
};

const metric = (m: MetricVal): Metric => ({ name: m.name as Metric["name"], k: m.k });

export const lowerTrain = (section: Section | undefined, sink: Sink): TrainConfig | undefined => {
  const r = decodeSection("train", section, sink, { width: 0, dataMaxLen: 0 });
  if (r === undefined) return undefined;
  const loss = r["loss"] as ChoiceVal;
  const opt = r["optimizer"] as ChoiceVal;
  const a = opt.args;
  const optimizer: Optimizer = opt.variant === "sgd"
    ? { kind: "sgd", lr: n(a, "lr"), momentum: n(a, "momentum"), weightDecay: n(a, "weight_decay") }
    : { kind: opt.variant as "adam" | "adamw", lr: n(a, "lr"), beta1: n(a, "beta1"), beta2: n(a, "beta2"), eps: n(a, "eps"), weightDecay: n(a, "weight_decay") };
  const es = r["early_stopping"] as ChoiceVal | null;
  const earlyStopping = es === null ? null : { metric: metric(es.args["metric"] as MetricVal), patience: n(es.args, "patience") };
  const avg = r["weight_average"] as ChoiceVal | null;
  const sch = r["schedule"] as ChoiceVal;
  let schedule: Schedule;
  if (sch.variant === "plateau") {
    const watched = sch.args["metric"] === null ? earlyStopping?.metric ?? null : metric(sch.args["metric"] as MetricVal);
    if (watched === null) {
      const e = section?.entries.find((x) => x.key.name === "schedule");
      sink.diags.push(diag("PlateauMetric", e?.value.span ?? section!.name.span, "schedule plateau has no metric to watch: give it one, or declare early_stopping, whose metric it then watches", {
        hint: "e.g. plateau(metric: ndcg@10, patience: 10)",
      }));
      return undefined;
    }
    schedule = { kind: "plateau", metric: watched, patience: n(sch.args, "patience"), factor: n(sch.args, "factor"), minLrRatio: n(sch.args, "min_lr_ratio") };
  } else {
    schedule = sch.variant === "cosine" ? { kind: "cosine", warmupEpochs: n(sch.args, "warmup"), minLrRatio: n(sch.args, "min_lr_ratio") }
      : sch.variant === "step" ? { kind: "step", every: n(sch.args, "every"), gamma: n(sch.args, "gamma") } : { kind: "constant" };
  }
  return {
    loss: { kind: "cross_entropy", labelSmoothing: n(loss.args, "label_smoothing") },
    targets: r["targets"] as TrainConfig["targets"],
    minContext: n(r, "min_context"),
    optimizer, schedule,
    clipNorm: r["clip_norm"] as number | null,
    batch: n(r, "batch"), epochs: n(r, "epochs"),
    earlyStopping,
    weightAverage: avg === null ? null : { kind: "ema", decay: n(avg.args, "decay"), start: n(avg.args, "start") },
    seed: n(r, "seed"),
  };
};

export const lowerEval = (section: Section | undefined, sink: Sink): EvalConfig | undefined => {
  const r = decodeSection("eval", section, sink, { width: 0, dataMaxLen: 0 });
  if (r === undefined) return undefined;
  return { ranking: "full", excludeSeen: r["exclude_seen"] as boolean, metrics: (r["metrics"] as MetricVal[]).map(metric) };
};

const LAYER_PARAM_NAMES: Readonly<Record<Layer["kind"], readonly string[]>> = {
  dropout: ["rate"], layernorm: ["eps"], positional: ["max_len"], mamba: ["d_state", "d_conv", "expand", "dt_rank"],
  attention: ["heads", "dropout"], gru: ["hidden"], ffn: ["inner", "dropout"], linear: ["dim"], residual: [], repeat: ["layers"],
};

const SPEC_SWEEPS = ["dim", "lr", "batch", "epochs", "max_len", "label_smoothing", "weight_decay"];

/** The parameters an ablation may sweep: those of the layers the model has, `layers` when it repeats, and a few run settings. */
export const ablatableParams = (model: Model): string[] => {
  const names = new Set<string>(model.kind === "sequence" ? SPEC_SWEEPS : ["max_len"]);
  const visit = (ls: readonly Layer[]): void => {
    for (const l of ls) {
      for (const p of LAYER_PARAM_NAMES[l.kind]) names.add(p);
      if (l.kind === "residual" || l.kind === "repeat") visit(l.body);
    }
  };
  if (model.kind === "sequence") visit(model.layers);
  return [...names].sort();
};

export const lowerAblate = (section: Section | undefined, model: Model, sink: Sink): CheckedSpec["ablate"] | undefined => {
  const known = ablatableParams(model);
  const out: { param: string; values: number[]; span: Span }[] = [];
  let ok = true;
  for (const e of section?.entries ?? []) {
    const key = e.key.name;
    if (!known.includes(key)) {
      const why = key === "layers" ? "the model has no `repeat` whose count could change" : `'${key}' is not a parameter of this model`;
      sink.diags.push(diag(key === "layers" ? "BadAblation" : "UnknownAblation", e.key.span, `cannot ablate '${key}': ${why}`, { hint: key === "layers" ? "wrap the repeated layers in `repeat 1 { … }`" : didYouMean(key, known) }));
      ok = false;
      continue;
    }
    if (e.value.kind !== "List" || e.value.items.length === 0 || e.value.items.some((i) => i.kind !== "Number")) {
      sink.diags.push(diag("BadAblation", e.value.span, `ablation '${key}' needs a non-empty list of numbers, e.g. ${key}: [1, 2]`));
      ok = false;
      continue;
    }
    out.push({ param: key, values: e.value.items.map((i) => (i.kind === "Number" ? i.value : 0)), span: e.span });
  }
  return ok ? out : undefined;
};
