/**
 * Completion that knows where the cursor is: layer kinds and blocks in a layer list, the parameters
 * of the layer whose parentheses it is in (with defaults), a parameter's values after `name:`,
 * section keys and their values, metrics, and `.rec` files after `import`.
 */
import { readdirSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type Range } from "vscode-languageserver";
import type { IToken } from "chevrotain";
import { ablatableParams } from "../../check/lower/ablate.js";
import { defaultText, LAYERS, OUTPUT_MODES, SECTION_NAMES, type ParamTable } from "../../check/params.js";
import { Colon, Embedding, Identifier, Import, NumberLit, Output, Repeat, StringLit } from "../../lang/tokens.js";
import type { Analysis } from "./analysis.js";
import { argsTable, KEYWORD_DOCS, targetWhere, OUTPUT_DOCS, paramMarkdown, sectionTable, valuesOf } from "./catalog.js";
import { cursorContext, type CursorContext } from "./context.js";
import { offsetAt } from "./positions.js";
import { blockParams } from "./blocks.js";

const md = (value: string): CompletionItem["documentation"] => ({ kind: "markdown", value });

/** Names already given at depth 0 of the open bracket, as `name:` or `name(`, so they are not offered twice. */
const given = (siblings: readonly IToken[]): Set<string> => {
  const out = new Set<string>();
  let depth = 0;
  siblings.forEach((t, i) => {
    if (t.image === "(" || t.image === "[" || t.image === "{") depth++;
    else if (t.image === ")" || t.image === "]" || t.image === "}") depth--;
    else if (depth === 0 && t.tokenType === Identifier && (siblings[i + 1]?.image === ":" || siblings[i + 1]?.image === "(")) out.add(t.image);
  });
  return out;
};

const paramItems = (table: ParamTable, where: string, skip: ReadonlySet<string>): CompletionItem[] =>
  Object.entries(table).filter(([n]) => !skip.has(n)).map(([n, p]) => ({
    label: n,
    kind: CompletionItemKind.Property,
    detail: `= ${defaultText(p)}`,
    documentation: md(paramMarkdown(where, n, p)),
    insertText: `${n}: `,
  }));

/** The metrics the spec already lists, offered first for `metric:`. */
const listedMetrics = (text: string): string[] => {
  const m = /metrics\s*:\s*\[([^\]]*)\]/.exec(text);
  return m === null ? [] : m[1]!.split(",").map((s) => s.trim()).filter((s) => /^[A-Za-z_]\w*@\d+$/.test(s));
};

const valueItems = (a: Analysis, table: ParamTable | undefined, param: string | undefined, block: string | undefined): CompletionItem[] => {
  const p = param === undefined ? undefined : table?.[param];
  const items: CompletionItem[] = p === undefined ? [] : valuesOf(p, listedMetrics(a.text)).map((v) => ({
    label: v.label,
    kind: CompletionItemKind.EnumMember,
    detail: v.detail,
    ...(v.call ? { insertText: `${v.label}($1)`, insertTextFormat: InsertTextFormat.Snippet } : {}),
  }));
  const site = block === undefined ? undefined : a.blocks.get(block);
  if (site) for (const bp of blockParams(site)) items.push({ label: bp.name, kind: CompletionItemKind.Variable, detail: `parameter of block ${block}` });
  return items;
};

const layerItems = (a: Analysis, inBlock: string | undefined): CompletionItem[] => [
  ...Object.entries(LAYERS).map(([n, def]) => {
    const required = Object.entries(def.params).filter(([, p]) => p.default === undefined).map(([k]) => k);
    const snippet = def.positional !== undefined && required.includes(def.positional) ? `${n}($1)` : required.length > 0 ? `${n}(${required.map((k, i) => `${k}: $${i + 1}`).join(", ")})` : n;
    return {
      label: n,
      kind: CompletionItemKind.Function,
      detail: `layer ${n}(${Object.entries(def.params).map(([k, p]) => `${k}: ${defaultText(p)}`).join(", ")})`,
      documentation: md(def.doc),
      insertText: snippet,
      insertTextFormat: InsertTextFormat.Snippet,
    };
  }),
  ...[...a.blocks].filter(([n]) => n !== inBlock).map(([n, site]) => ({
    label: n, kind: CompletionItemKind.Module, detail: `block ${n}${site.signature}`, documentation: md(`defined in ${basename(site.file)}`),
  })),
  ...Object.entries(KEYWORD_DOCS).map(([k, doc]) => ({ label: k, kind: CompletionItemKind.Keyword, documentation: md(doc) })),
];

/** `.rec` files beside the document and one folder down, as import paths. */
const recFiles = (file: string): string[] => {
  const dir = dirname(file);
  const out: string[] = [];
  const visit = (d: string, depth: number): void => {
    let entries;
    try { entries = readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory() && depth < 1 && !e.name.startsWith(".") && e.name !== "node_modules") visit(p, depth + 1);
      else if (e.isFile() && e.name.endsWith(".rec") && p !== file) out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  visit(dir, 0);
  return out.sort();
};

const importItems = (a: Analysis, c: CursorContext, offset: number): CompletionItem[] | undefined => {
  const open = /import\s+"([^"]*)$/.exec(c.linePrefix);
  const afterImport = c.before[0]?.tokenType === Import && c.word === undefined;
  if (open === null && !afterImport) return undefined;
  const line = a.text.slice(0, offset).split("\n").length - 1;
  const col = c.linePrefix.length;
  const range: Range | undefined = open === null ? undefined : { start: { line, character: col - open[1]!.length }, end: { line, character: col } };
  return recFiles(a.file).map((f) => ({
    label: f,
    kind: CompletionItemKind.File,
    ...(range ? { textEdit: { range, newText: f } } : { insertText: `"${f}"` }),
  }));
};

export const complete = (a: Analysis, position: { line: number; character: number }): CompletionItem[] => {
  const offset = offsetAt(a.text, position);
  const c = cursorContext(a.text, offset);
  const imports = importItems(a, c, offset);
  if (imports) return imports;
  if (c.inNumber) return [];
  const [b0, b1] = c.before;
  if (b0?.tokenType === StringLit) return [];
  const f = c.frame;
  switch (f.kind) {
    case "top": {
      if (b0?.image === "model" || b0?.image === "block") return [];
      const present = new Set(a.scan.tokens.filter((_, i) => a.scan.roles[i]?.kind === "sectionName").map((t) => t.image));
      return [
        ...["model", "block", "import"].map((k) => ({ label: k, kind: CompletionItemKind.Keyword })),
        ...SECTION_NAMES.filter((s) => !present.has(s) || s === c.word?.image).map((s) => ({
          label: s, kind: CompletionItemKind.Struct, insertText: `${s} {\n  $0\n}`, insertTextFormat: InsertTextFormat.Snippet,
        })),
      ];
    }
    case "layers":
      if (b0?.tokenType === Output) return OUTPUT_MODES.map((m) => ({ label: m, kind: CompletionItemKind.EnumMember, detail: OUTPUT_DOCS[m] }));
      if (b0?.tokenType === Embedding) return [{ label: "items", kind: CompletionItemKind.EnumMember, detail: "items(dim: D)", insertText: "items(dim: $1)", insertTextFormat: InsertTextFormat.Snippet }];
      if (b0?.tokenType === Repeat) return [];
      if ((b0?.tokenType === NumberLit || b0?.tokenType === Identifier) && b1?.tokenType === Repeat) {
        return [...a.blocks].filter(([n]) => n !== f.block).map(([n, site]) => ({ label: n, kind: CompletionItemKind.Module, detail: `block ${n}${site.signature}` }));
      }
      return layerItems(a, f.block);
    case "args": {
      const table = argsTable(f.target);
      const where = targetWhere(f.target);
      if (b0?.tokenType === Colon) return valueItems(a, table, b1?.image, f.block);
      if (b0 !== undefined && b0.image !== "(" && b0.image !== ",") return [];
      const skip = given(c.siblings);
      if (table) return paramItems(table, where, skip);
      if (f.target.kind === "layer") {
        const site = a.blocks.get(f.target.name);
        if (site) {
          return blockParams(site).filter((p) => !skip.has(p.name)).map((p) => ({
            label: p.name, kind: CompletionItemKind.Property, detail: p.default === undefined ? "required" : `= ${p.default}`, insertText: `${p.name}: `,
          }));
        }
      }
      return [];
    }
    case "section": {
      if (f.name === "ablate") {
        if (b0?.tokenType === Colon) return [];
        const model = a.checked?.spec.model;
        const skip = given(c.siblings);
        return (model ? ablatableParams(model) : []).filter((n) => !skip.has(n)).map((n) => ({ label: n, kind: CompletionItemKind.Property, insertText: `${n}: [$1]`, insertTextFormat: InsertTextFormat.Snippet }));
      }
      const table = sectionTable(f.name);
      if (b0?.tokenType === Colon) return valueItems(a, table, b1?.image, undefined);
      if (table === undefined) return [];
      return paramItems(table, f.name, given(c.siblings)).map((item) => {
        const p = table[item.label]!;
        // `early_stopping(metric: …)` is written as a call, the key being its own option.
        return p.kind === "choice" && Object.keys(p.variants).length === 1 && Object.hasOwn(p.variants, item.label)
          ? { ...item, insertText: `${item.label}($1)`, insertTextFormat: InsertTextFormat.Snippet }
          : item;
      });
    }
    case "list":
      return valueItems(a, sectionTable(f.section), f.key, undefined).filter((i) => i.label !== "none");
    case "params":
    case "other":
      return [];
  }
};
