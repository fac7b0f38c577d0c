/**
 * The parameter table (src/check/params.ts) read for the editor: which table applies at a place,
 * each parameter as a row of docs/language.md, and the values a parameter accepts.
 */
import {
  defaultText, EMBEDDING, isLayerName, LAYERS, METRIC_NAMES, OUTPUT, OUTPUT_MODES, SECTIONS, type ParamDef, type ParamTable,
} from "../../check/params.js";
import type { ArgsTarget } from "./scan.js";

export const sectionTable = (section: string): ParamTable | undefined =>
  Object.hasOwn(SECTIONS, section) ? (SECTIONS as Readonly<Record<string, ParamTable>>)[section] : undefined;

/** The options of a section key that takes them (`optimizer`: adam, adamw, sgd). */
export const optionTable = (section: string, key: string, option: string): ParamTable | undefined => {
  const p = sectionTable(section)?.[key];
  return p?.kind === "choice" && Object.hasOwn(p.variants, option) ? p.variants[option] : undefined;
};

/** The table of the parameters a `(...)` takes; undefined for blocks (their parameters are their own). */
export const argsTable = (target: ArgsTarget): ParamTable | undefined => {
  if (target.kind === "embedding") return EMBEDDING.params;
  if (target.kind === "output") return OUTPUT.params;
  if (target.kind === "layer") return isLayerName(target.name) ? LAYERS[target.name].params : undefined;
  return optionTable(target.section, target.key, target.option);
};

/** How a parameter's owner reads in completion details and hovers: `layer mamba`, `output`, `train adam(…)`. */
export const targetWhere = (target: ArgsTarget): string =>
  target.kind === "layer" ? `layer ${target.name}` : target.kind === "embedding" ? "embedding items"
    : target.kind === "output" ? "output" : `${target.section} ${target.option}(…)`;

export const typeText = (p: ParamDef): string =>
  `${p.kind === "scalar" ? p.typeText : p.kind === "metrics" ? (p.list ? "[metric@K, ...]" : "metric@K") : Object.keys(p.variants).join(" | ")}${p.nullable ? " | none" : ""}`;

/** One parameter as docs/language.md's table shows it: type, range, default, meaning. */
export const paramMarkdown = (where: string, name: string, p: ParamDef): string => {
  const range = p.kind === "scalar" && p.rangeText !== "" ? `, ${p.rangeText}` : "";
  const lines = [
    `**${name}** (${where}): \`${typeText(p)}\`${range}, default \`${defaultText(p)}\``,
    "",
    p.doc,
  ];
  if (p.kind === "choice") {
    for (const [option, table] of Object.entries(p.variants)) {
      const params = Object.entries(table).map(([n, q]) => `${n}: ${defaultText(q)}`);
      lines.push("", `- \`${option}${params.length > 0 ? `(${params.join(", ")})` : ""}\``);
    }
  }
  return lines.join("\n");
};

export const STANDARD_METRICS: readonly string[] = METRIC_NAMES.flatMap((n) => [`${n}@10`, `${n}@20`]);

export interface ValueChoice { readonly label: string; readonly detail: string; readonly call: boolean }

/** The values a parameter takes by name: options, enum values, booleans, `none`, metrics. */
export const valuesOf = (p: ParamDef, metrics: readonly string[]): ValueChoice[] => {
  const out: ValueChoice[] = [];
  if (p.kind === "scalar") {
    if (p.typeText === "boolean") out.push({ label: "true", detail: "boolean", call: false }, { label: "false", detail: "boolean", call: false });
    else if (p.typeText.includes(" | ") || !["integer", "number"].includes(p.typeText)) {
      for (const v of p.typeText.split(" | ")) out.push({ label: v, detail: p.doc, call: false });
    }
  } else if (p.kind === "choice") {
    for (const [option, table] of Object.entries(p.variants)) {
      const params = Object.entries(table).map(([n, q]) => `${n}: ${defaultText(q)}`);
      out.push({ label: option, detail: params.length > 0 ? `${option}(${params.join(", ")})` : option, call: params.length > 0 });
    }
  } else {
    for (const m of [...new Set([...metrics, ...STANDARD_METRICS])]) out.push({ label: m, detail: "metric@K", call: false });
  }
  if (p.nullable) out.push({ label: "none", detail: "no value", call: false });
  return out;
};

export const OUTPUT_DOCS: Readonly<Record<(typeof OUTPUT_MODES)[number], string>> = {
  tied: "scores = h . E^T over the item embedding (default)",
  linear: "scores from a separate [items, dim] output matrix",
};

export const KEYWORD_DOCS: Readonly<Record<string, string>> = {
  embedding: "`embedding items(dim: D)`: the item table, first in every sequence model. `embedding users(dim: D)`, later, joins the user's own embedding to the state ([h, P_u]).",
  residual: "`residual { ... }`: x + body(x); the body keeps the width.",
  repeat: "`repeat N { ... }` or `repeat N block(args)`: N copies, each with its own weights; the body keeps the width.",
  output: "`output tied | linear`: how scores over the catalogue are computed (default `tied`).",
};
