/** Section AST -> IR configs: data, train and eval, every default filled in. */
import type { Section } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { DataConfig, EvalConfig, Optimizer, Schedule, TrainConfig } from "../../ir/spec.js";
import { decodeValue, defaultOf, type DecodeCtx, type Sink } from "../decode.js";
import { camelCase, SECTIONS, type Args, type DefaultCtx, type ParamTable, type SectionName } from "../params.js";
import { didYouMean } from "../suggest.js";

/** Sections have no width, and positional embeddings are the model's: no default depends on the context. */
const NO_CONTEXT: DefaultCtx = { width: 0, dataMaxLen: 0 };

/** Decodes a section's entries against its table; keys absent from the section take their defaults. */
const decodeSection = <S extends SectionName>(name: S, section: Section | undefined, sink: Sink): Args<(typeof SECTIONS)[S]> | undefined => {
  const table: ParamTable = SECTIONS[name];
  const ctx: DecodeCtx = { sink, scope: null, defaults: NO_CONTEXT };
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  let ok = true;
  for (const e of section?.entries ?? []) {
    const p = Object.hasOwn(table, e.key.name) ? table[e.key.name] : undefined;
    if (p === undefined) {
      sink.diags.push(diag("UnknownEntry", e.key.span, `section '${name}' has no key '${e.key.name.length > 30 ? `${e.key.name.slice(0, 30)}…` : e.key.name}'`, { hint: didYouMean(e.key.name, Object.keys(table)) }));
      ok = false;
      continue;
    }
    if (seen.has(e.key.name)) continue; // reported by the duplicate-entry rule
    seen.add(e.key.name);
    const v = decodeValue(e.value, p, `'${name}.${e.key.name}'`, ctx);
    if (v === undefined) ok = false;
    else out[camelCase(e.key.name)] = v;
  }
  for (const [k, p] of Object.entries(table)) {
    if (camelCase(k) in out) continue;
    if (p.default === undefined) {
      sink.diags.push(diag("MissingParam", section?.name.span ?? { file: "", start: { offset: 0, line: 1, col: 1 }, end: { offset: 0, line: 1, col: 1 } }, `section '${name}' needs '${k}'`));
      ok = false;
    } else out[camelCase(k)] = defaultOf(p, NO_CONTEXT);
  }
  // As in decodeArgs: every key of the table, under its camelCase name.
  return ok ? (out as Args<(typeof SECTIONS)[S]>) : undefined;
};

export const lowerData = (section: Section | undefined, sink: Sink): DataConfig | undefined => {
  const r = decodeSection("data", section, sink);
  if (r === undefined) return undefined;
  return { maxLen: r.maxLen, kCore: r.filter === null ? 0 : r.filter.args.k, minRating: r.minRating, minSeqLen: r.minSeqLen, timeOrder: r.timeOrder, split: r.split };
};

export const lowerTrain = (section: Section | undefined, sink: Sink): TrainConfig | undefined => {
  const r = decodeSection("train", section, sink);
  if (r === undefined) return undefined;
  const opt = r.optimizer;
  const optimizer: Optimizer = opt.variant === "sgd"
    ? { kind: "sgd", lr: opt.args.lr, momentum: opt.args.momentum, weightDecay: opt.args.weightDecay }
    : { kind: opt.variant, lr: opt.args.lr, beta1: opt.args.beta1, beta2: opt.args.beta2, eps: opt.args.eps, weightDecay: opt.args.weightDecay };
  const es = r.earlyStopping;
  const earlyStopping = es === null ? null : { metric: es.args.metric, patience: es.args.patience };
  const avg = r.weightAverage;
  const sch = r.schedule;
  let schedule: Schedule;
  switch (sch.variant) {
    case "plateau": {
      const watched = sch.args.metric ?? earlyStopping?.metric ?? null;
      if (watched === null) {
        const e = section?.entries.find((x) => x.key.name === "schedule");
        sink.diags.push(diag("PlateauMetric", e?.value.span ?? section!.name.span, "schedule plateau has no metric to watch: give it one, or declare early_stopping, whose metric it then watches", {
          hint: "e.g. plateau(metric: ndcg@10, patience: 10)",
        }));
        return undefined;
      }
      schedule = { kind: "plateau", metric: watched, patience: sch.args.patience, factor: sch.args.factor, minLrRatio: sch.args.minLrRatio };
      break;
    }
    case "cosine": schedule = { kind: "cosine", warmupEpochs: sch.args.warmup, minLrRatio: sch.args.minLrRatio }; break;
    case "step": schedule = { kind: "step", every: sch.args.every, gamma: sch.args.gamma }; break;
    case "constant": schedule = { kind: "constant" }; break;
  }
  return {
    loss: { kind: "cross_entropy", labelSmoothing: r.loss.args.labelSmoothing },
    targets: r.targets.variant,
    maskRatio: r.targets.variant === "masked" ? r.targets.args.ratio : 0.2,
    minContext: r.minContext,
    optimizer, schedule,
    clipNorm: r.clipNorm,
    batch: r.batch, epochs: r.epochs,
    earlyStopping,
    weightAverage: avg === null ? null : { kind: "ema", decay: avg.args.decay, start: avg.args.start },
    seed: r.seed,
  };
};

export const lowerEval = (section: Section | undefined, sink: Sink): EvalConfig | undefined => {
  const r = decodeSection("eval", section, sink);
  if (r === undefined) return undefined;
  return { ranking: r.ranking, excludeSeen: r.excludeSeen, metrics: r.metrics };
};

/** The data and train settings of a spec that writes neither section: the language's defaults. */
export const defaultSections = (): { readonly data: DataConfig; readonly train: TrainConfig } => {
  const sink: Sink = { diags: [] };
  const data = lowerData(undefined, sink);
  const train = lowerTrain(undefined, sink);
  if (data === undefined || train === undefined) throw new Error(`internal: the language's default sections do not check: ${sink.diags.map((d) => d.message).join("; ")}`);
  return { data, train };
};
