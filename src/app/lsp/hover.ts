/**
 * Hover: on a layer, its resolved parameters with defaults, input and output shapes, parameter
 * count and FLOPs per token (from `explain`); on a parameter or section key, its row of the
 * parameter table; on a block use or definition, its signature.
 */
import type { IToken } from "chevrotain";
import type { Hover } from "vscode-languageserver";
import { camelCase, defaultText, EMBEDDING, isLayerName, LAYERS, type ParamDef } from "../../check/params.js";
import { explain, type LayerRow } from "../../ir/explain.js";
import type { CheckedSpec, Layer } from "../../ir/spec.js";
import { Embedding, Output, Repeat, Residual } from "../../lang/tokens.js";
import type { Analysis } from "./analysis.js";
import { blockParams } from "./blocks.js";
import { argsTable, KEYWORD_DOCS, targetWhere, OUTPUT_DOCS, paramMarkdown, sectionTable } from "./catalog.js";
import { offsetAt, tokenRange } from "./positions.js";
import { tokenAt, type Frame } from "./scan.js";

/** The catalogue size hover sizes the embeddings with: ML-1M's, as `reccompile explain` by default. */
export const HOVER_ITEMS = 3416;

const n = (x: number): string => Math.round(x).toLocaleString("en-US");

interface Placed { readonly layer: Layer; readonly row: LayerRow }

/**
 * Every IR layer with its `explain` row, keyed by where its source starts (`file:offset`). A layer
 * in a block body has one entry per use. Rows follow explain's order: the embedding, then the
 * layers depth first, then the output.
 */
const placeLayers = (spec: CheckedSpec, items: number): { byStart: Map<string, Placed[]>; rows: readonly LayerRow[] } => {
  const byStart = new Map<string, Placed[]>();
  const e = explain(spec, items);
  if (spec.model.kind !== "sequence") return { byStart, rows: e.layers };
  let i = 1;
  const visit = (ls: readonly Layer[]): void => {
    for (const l of ls) {
      const key = `${l.origin.span.file}:${l.origin.span.start.offset}`;
      byStart.set(key, [...(byStart.get(key) ?? []), { layer: l, row: e.layers[i++]! }]);
      if (l.kind === "residual" || l.kind === "repeat") visit(l.body);
    }
  };
  visit(spec.model.layers);
  return { byStart, rows: e.layers };
};

const cache = new WeakMap<CheckedSpec, ReturnType<typeof placeLayers>>();
const placed = (spec: CheckedSpec): ReturnType<typeof placeLayers> => {
  let p = cache.get(spec);
  if (!p) { p = placeLayers(spec, HOVER_ITEMS); cache.set(spec, p); }
  return p;
};

const shapeOf = (spec: CheckedSpec, w: number): string => `[batch, ${spec.data.maxLen}, ${w}]`;

const figures = (spec: CheckedSpec, p: Placed): string[] => [
  `input \`${shapeOf(spec, p.layer.inDim)}\` → output \`${shapeOf(spec, p.layer.outDim)}\``,
  "",
  `parameters **${n(p.row.params)}** · FLOPs per token **${n(p.row.flopsPerToken)}** (for ${n(HOVER_ITEMS)} items; \`reccompile explain\` convention)`,
];

/** The value a resolved layer has for a parameter of the table (`linear`'s `dim` is its output width). */
const resolvedValue = (l: Layer, name: string): string => {
  const v = (l as unknown as Record<string, unknown>)[camelCase(name)] ?? (name === "dim" ? l.outDim : undefined);
  return v === undefined ? "" : String(v);
};

const layerHover = (a: Analysis, name: string, start: IToken): string => {
  const def = LAYERS[name as keyof typeof LAYERS];
  const instances = a.checked ? placed(a.checked.spec).byStart.get(`${a.file}:${start.startOffset}`) ?? [] : [];
  const lines = [`**${name}** — ${def.doc}`, ""];
  const params = Object.entries(def.params as Readonly<Record<string, ParamDef>>);
  const first = instances[0];
  if (params.length > 0) {
    lines.push(first ? "| parameter | value | default |" : "| parameter | default |", first ? "|---|---|---|" : "|---|---|");
    for (const [p, d] of params) lines.push(first ? `| \`${p}\` | ${resolvedValue(first.layer, p)} | ${defaultText(d)} |` : `| \`${p}\` | ${defaultText(d)} |`);
    lines.push("");
  }
  if (first && a.checked) {
    lines.push(...figures(a.checked.spec, first));
    if (instances.length > 1) lines.push("", `${instances.length} uses of this block body; figures for the first (line ${first.layer.origin.via?.[0]?.start.line ?? start.startLine}).`);
  } else {
    lines.push(a.outcome.library ? "_In a library of blocks: shapes and counts are shown where a model uses it._" : "_Shapes, parameter count and FLOPs appear once the spec checks without errors._");
  }
  return lines.join("\n");
};

/** `residual`, `repeat`: their explain row (the whole body's parameters and FLOPs). */
const structureHover = (a: Analysis, t: IToken): string => {
  const doc = KEYWORD_DOCS[t.image] ?? "";
  const p = a.checked ? placed(a.checked.spec).byStart.get(`${a.file}:${t.startOffset}`)?.[0] : undefined;
  return p && a.checked ? [doc, "", `**${p.row.layer.trim()}**: ${p.row.detail}`, "", ...figures(a.checked.spec, p)].join("\n") : doc;
};

const embeddingHover = (a: Analysis): string => {
  const lines = [KEYWORD_DOCS["embedding"]!, "", paramMarkdown("embedding items", "dim", EMBEDDING.params.dim)];
  const row = a.checked ? placed(a.checked.spec).rows[0] : undefined;
  if (row && a.checked?.spec.model.kind === "sequence") {
    lines.push("", `${row.detail}; output \`${row.shape}\``, "", `parameters **${n(row.params)}** (for ${n(HOVER_ITEMS)} items)`);
  }
  return lines.join("\n");
};

const outputHover = (a: Analysis): string => {
  const rows = a.checked ? placed(a.checked.spec).rows : [];
  const row = rows[rows.length - 1];
  const lines = [KEYWORD_DOCS["output"]!, "", ...Object.entries(OUTPUT_DOCS).map(([m, d]) => `- \`${m}\`: ${d}`)];
  if (row && row.layer.startsWith("output")) {
    lines.push("", `${row.detail}; output \`${row.shape}\``, "", `parameters **${n(row.params)}** · FLOPs per token **${n(row.flopsPerToken)}** (for ${n(HOVER_ITEMS)} items)`);
  }
  return lines.join("\n");
};

const blockHover = (a: Analysis, name: string): string | undefined => {
  const site = a.blocks.get(name);
  if (!site) return undefined;
  const params = blockParams(site);
  const uses = a.scan.tokens.filter((t, i) => t.image === name && a.scan.roles[i]?.kind === "layer").length;
  return [
    "```rec",
    `block ${name}${site.signature}`,
    "```",
    params.length > 0 ? `parameters: ${params.map((p) => (p.default === undefined ? `\`${p.name}\` (required)` : `\`${p.name}\` = ${p.default}`)).join(", ")}` : "no parameters",
    "",
    `defined in ${site.file === a.file ? "this file" : `\`${site.file}\``}, line ${site.name.startLine}; used ${uses} time${uses === 1 ? "" : "s"} here`,
  ].join("\n");
};

const sectionHover = (name: string): string | undefined => {
  if (name === "ablate") return "**ablate** — sweeps `param: [values]` over parameters this model has (`layers` means repeat counts). `reccompile ablate` generates one spec per value.";
  if (name === "tune") return "**tune** — a hyperparameter search: `param: choice([…]) | uniform(a, b) | log_uniform(a, b) | int_uniform(a, b)` over parameters `ablate` can sweep, and `trials`, `algorithm: random | grid | asha(min_epochs, max_epochs, reduction)`, `metric` (validation), `seed`. `reccompile tune` trains it (docs/tune.md).";
  const table = sectionTable(name);
  if (!table) return undefined;
  return [`**${name}** section`, "", "| key | type | default |", "|---|---|---|",
    ...Object.entries(table).map(([k, p]) => `| \`${k}\` | ${paramType(p)} | ${defaultText(p).replace(/\|/g, "\\|")} |`)].join("\n");
};

const paramType = (p: ParamDef): string => (p.kind === "scalar" ? p.typeText : p.kind === "metrics" ? "metric" : Object.keys(p.variants).join(", ")).replace(/\|/g, "\\|");

/** A name used as a value: an option (`adam`, `k_core`), an enum value, or a block parameter. */
const valueHover = (a: Analysis, frame: Frame, param: string | undefined, value: string): string | undefined => {
  const block = frame.kind === "args" || frame.kind === "layers" ? frame.block : undefined;
  const site = block === undefined ? undefined : a.blocks.get(block);
  if (site && blockParams(site).some((p) => p.name === value)) return `parameter \`${value}\` of block \`${block}\``;
  const table = frame.kind === "section" ? sectionTable(frame.name) : frame.kind === "args" ? argsTable(frame.target) : undefined;
  const p = param === undefined ? undefined : table?.[param];
  if (p?.kind === "choice" && Object.hasOwn(p.variants, value)) {
    const opts = Object.entries(p.variants[value]!);
    return [`**${value}** — option of \`${param}\``, "", ...opts.map(([k, q]) => `- \`${k}\` = ${defaultText(q)}: ${q.doc}`)].join("\n");
  }
  return p ? paramMarkdown(frame.kind === "section" ? frame.name : "", param!, p) : undefined;
};

const contents = (a: Analysis, i: number): string | undefined => {
  const t = a.scan.tokens[i]!;
  const role = a.scan.roles[i]!;
  if (t.tokenType === Embedding) return embeddingHover(a);
  if (t.tokenType === Output) return outputHover(a);
  if (t.tokenType === Residual || t.tokenType === Repeat) return structureHover(a, t);
  switch (role.kind) {
    case "layer":
      if (isLayerName(t.image)) return layerHover(a, t.image, t);
      return blockHover(a, t.image);
    case "blockName": return blockHover(a, t.image);
    case "sectionName": return sectionHover(t.image);
    case "entryKey": {
      const p = sectionTable(role.section)?.[t.image];
      return p ? paramMarkdown(role.section, t.image, p) : undefined;
    }
    case "argName": {
      const table = argsTable(role.target);
      const p = table?.[t.image];
      if (p) return paramMarkdown(targetWhere(role.target), t.image, p);
      if (role.target.kind === "layer") {
        const bp = a.blocks.get(role.target.name) && blockParams(a.blocks.get(role.target.name)!).find((q) => q.name === t.image);
        if (bp) return `parameter \`${bp.name}\` of block \`${role.target.name}\`${bp.default === undefined ? " (required)" : `, default ${bp.default}`}`;
      }
      return undefined;
    }
    case "value": return valueHover(a, role.frame, role.param, t.image);
    case "outputMode": return OUTPUT_DOCS[t.image as keyof typeof OUTPUT_DOCS];
    case "blockParam": return `parameter \`${t.image}\` of block \`${role.block}\``;
    default: return undefined;
  }
};

export const hover = (a: Analysis, position: { line: number; character: number }): Hover | null => {
  const i = tokenAt(a.scan.tokens, offsetAt(a.text, position));
  if (i < 0) return null;
  const value = contents(a, i);
  return value === undefined ? null : { contents: { kind: "markdown", value }, range: tokenRange(a.scan.tokens[i]!) };
};
