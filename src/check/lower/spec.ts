/**
 * AST -> checked IR for a whole spec: gathers block definitions from every loaded file, lowers data
 * first (positional defaults follow data.max_len), then the model, train, eval, ablate and tune, and runs
 * the cross-section checks. Diagnostics go to the sink; the spec is undefined when any is an error.
 */
import type { BlockDef, ModelDef, Section } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { Span } from "../../lang/span.js";
import { leafLayers, metricKey, type CheckedSpec, type Metric } from "../../ir/spec.js";
import type { Sink } from "../decode.js";
import type { LoadedFile } from "../load.js";
import { lowerAblate } from "./ablate.js";
import { lowerModel } from "./model.js";
import { lowerData, lowerEval, lowerTrain } from "./sections.js";
import { lowerTune } from "./tune.js";

/** Every block by name; a second definition of a name is an error pointing at both. */
export const collectBlocks = (files: readonly LoadedFile[], sink: Sink): Map<string, BlockDef> => {
  const blocks = new Map<string, BlockDef>();
  for (const f of files) {
    for (const item of f.ast.items) {
      if (item.kind !== "BlockDef") continue;
      const prev = blocks.get(item.name.name);
      if (prev) {
        sink.diags.push(diag("DuplicateBlock", item.name.span, `block '${item.name.name}' is defined twice`, { related: [{ message: "first defined here", span: prev.name.span }] }));
      } else blocks.set(item.name.name, item);
    }
  }
  return blocks;
};

export const lowerSpec = (main: LoadedFile, blocks: ReadonlyMap<string, BlockDef>, sink: Sink): CheckedSpec | undefined => {
  const items = main.ast.items;
  const model = items.find((i): i is ModelDef => i.kind === "ModelDef");
  const section = (name: string): Section | undefined => items.find((i): i is Section => i.kind === "Section" && i.name.name === name);
  const data = lowerData(section("data"), sink);
  const train = lowerTrain(section("train"), sink);
  const lowered = model && lowerModel(model, { sink, blocks, dataMaxLen: data?.maxLen ?? 0 });
  // The mask token of `targets: masked` is an extra row of the model's item table.
  const ir = lowered?.kind === "sequence" && train?.targets === "masked" ? { ...lowered, maskToken: true } : lowered;
  const evalCfg = lowerEval(section("eval"), sink);
  const ablate = ir && lowerAblate(section("ablate"), ir, sink);
  const tune = ir && train && evalCfg ? lowerTune(section("tune"), ir, train, evalCfg, sink) : undefined;

  const d = sink.diags;
  const trainSec = section("train");
  const dataSec = section("data");
  const trainEntry = (key: string) => trainSec?.entries.find((e) => e.key.name === key);
  // A validation metric that early stopping or the schedule watches must be one that eval computes.
  const evalSec = section("eval");
  const needEvalMetric = (code: "EarlyStopMetric" | "PlateauEvalMetric", who: string, m: Metric, span: Span | undefined): void => {
    const key = metricKey(m);
    if (!evalCfg || evalCfg.metrics.some((x) => metricKey(x) === key)) return;
    d.push(diag(code, span ?? main.ast.span, `${who} watches ${key}, which eval.metrics does not compute`, {
      hint: `add ${key} to eval.metrics`,
      ...(evalSec ? { related: [{ message: "eval section here", span: evalSec.name.span }] } : {}),
    }));
  };
  const stop = train?.earlyStopping ?? null;
  if (stop) needEvalMetric("EarlyStopMetric", "early stopping", stop.metric, trainEntry("early_stopping")?.span);
  const sched = train?.schedule;
  if (sched?.kind === "plateau") {
    const sch = trainEntry("schedule");
    needEvalMetric("PlateauEvalMetric", "schedule plateau", sched.metric, sch?.value.span);
    if (stop && metricKey(stop.metric) === metricKey(sched.metric) && stop.patience <= sched.patience) {
      d.push(diag("PlateauPatience", trainEntry("early_stopping")?.span ?? main.ast.span, `early stopping (patience ${stop.patience}) ends training before the plateau schedule's first reduction (patience ${sched.patience}) is ever used`, {
        hint: `give early_stopping a patience above ${sched.patience}`,
        ...(sch ? { related: [{ message: "schedule here", span: sch.value.span }] } : {}),
      }));
    }
  }
  if (data && data.minSeqLen < 3) {
    const e = dataSec?.entries.find((x) => x.key.name === "min_seq_len");
    d.push(diag("MinSeqLen", e?.value.span ?? main.ast.span, `leave_one_out needs at least 3 interactions per user (train, validation, test), but min_seq_len is ${data.minSeqLen}`, { hint: "use min_seq_len: 3 or more" }));
    return undefined;
  }
  if (train && data && train.minContext >= data.maxLen) {
    const e = trainEntry("min_context");
    d.push(diag("MinContext", e?.value.span ?? main.ast.span, `min_context ${train.minContext} leaves no new targets in a window of max_len ${data.maxLen} items`, { hint: `use at most ${data.maxLen - 1} (max_len - 1: every target gets its full context)` }));
    return undefined;
  }
  // With targets at every position, position t's target is the input at t + 1: a layer that looks
  // ahead (attention without its causal mask) would read it.
  if (ir?.kind === "sequence" && train?.targets === "all_positions") {
    const entry = trainEntry("targets");
    for (const l of leafLayers(ir.layers).filter((x) => x.kind === "attention" && !x.causal)) {
      d.push(diag("LookAhead", l.origin.span, `attention(causal: false) lets each position see the items after it, and with train.targets all_positions${entry ? "" : " (the default)"} the next one is that position's own target`, {
        hint: "use causal: true, or train with targets: last (one target after each input, never inside it)",
        related: [...(entry ? [{ message: "targets set here", span: entry.value.span }] : []), ...(l.origin.via ?? []).map((span) => ({ message: "through the block used here", span }))],
      }));
    }
  }
  // A Caser window longer than the inputs: its last slots only ever hold zeros.
  if (ir?.kind === "sequence" && data) {
    for (const l of leafLayers(ir.layers)) {
      if (l.kind === "caser" && l.window > data.maxLen) {
        d.push(diag("CaserWindow", l.origin.span, `caser(window: ${l.window}) is longer than data.max_len ${data.maxLen}: no input fills it, so its last ${l.window - data.maxLen} slots only ever hold zeros and its tallest filters see padding`, {
          hint: `use window: ${data.maxLen} or less`,
        }));
      }
    }
  }
  if (ir?.kind === "sequence" && ir.seen !== "none" && train?.targets === "masked") {
    const out = model?.body.find((l) => l.kind === "Output");
    d.push(diag("SeenMasked", out?.span ?? main.ast.span, `output (seen: ${ir.seen}) adjusts scores by the items before each prediction, but with train.targets masked the predictions sit among masked items and the input holds the mask token`, {
      hint: "drop `seen:`, or train with targets all_positions or last",
      ...(trainEntry("targets") ? { related: [{ message: "targets set here", span: trainEntry("targets")!.value.span }] } : {}),
    }));
  }
  if (train?.earlyStopping && train.earlyStopping.patience >= train.epochs) {
    const e = trainEntry("early_stopping");
    d.push(diag("PatienceTooLong", e?.span ?? main.ast.span, `early-stopping patience ${train.earlyStopping.patience} is not below epochs ${train.epochs}, so it can never stop training early`));
  }
  if (train?.weightAverage && train.weightAverage.start >= train.epochs) {
    d.push(diag("AverageNeverStarts", trainEntry("weight_average")?.value.span ?? main.ast.span, `weight_average starts after epoch ${train.weightAverage.start}, but training ends by epoch ${train.epochs}, so no weights are ever averaged`, {
      hint: `give start a value below ${train.epochs}`,
    }));
  }
  if (ir?.kind === "sequence" && ir.seen !== "none" && evalCfg?.excludeSeen) {
    const out = model?.body.find((l) => l.kind === "Output");
    const entry = section("eval")?.entries.find((e) => e.key.name === "exclude_seen");
    d.push(diag("SeenExcluded", out?.span ?? main.ast.span, `output (seen: ${ir.seen}) adjusts the scores of items in the input, but eval.exclude_seen: true removes those items from the ranking (all but a target that repeats one), so the adjustment can change almost no rank`, {
      hint: "keep seen items in the ranking (exclude_seen: false) to measure it, or drop `seen:`",
      ...(entry ? { related: [{ message: "exclude_seen set here", span: entry.span }] } : {}),
    }));
  }
  if (!ir || !data || !train || !evalCfg || !ablate || tune === undefined) return undefined;
  return { file: main.file, model: ir, data, train, eval: evalCfg, ablate, tune };
};
