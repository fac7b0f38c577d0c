/** The `ablate` section: which parameters this model lets a study sweep, and the lists of values. */
import type { Section } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { Span } from "../../lang/span.js";
import type { CheckedSpec, Layer, Model } from "../../ir/spec.js";
import type { Sink } from "../decode.js";
import { didYouMean } from "../suggest.js";

const LAYER_PARAM_NAMES: Readonly<Record<Layer["kind"], readonly string[]>> = {
  dropout: ["rate"], layernorm: ["eps"], positional: ["max_len"], mamba: ["d_state", "d_conv", "expand", "dt_rank"],
  attention: ["heads", "dropout"], gru: ["hidden"], attention_pool: [], caser: ["window", "horizontal", "vertical"], user_embedding: [], ffn: ["inner", "dropout"], linear: ["dim"], residual: [], repeat: ["layers"],
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
