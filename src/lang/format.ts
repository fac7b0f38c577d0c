/**
 * The canonical printer: one layer or entry per line, two-space indents, a blank line between
 * top-level declarations, numbers as written, comments kept (own-line comments above the line that
 * follows them, trailing comments at the end of their line). Only syntactically valid text is formatted.
 */
import type { IToken } from "chevrotain";
import type { Arg, Entry, LayerNode, SpecFile, TopItem, Value } from "./ast.js";
import type { Diagnostic } from "./diagnostic.js";
import { parseText, type Comment } from "./parse.js";

interface Line { readonly indent: number; text: string; readonly at: number; readonly closing: boolean }

export const printValue = (v: Value): string => {
  switch (v.kind) {
    case "Number": return v.raw;
    case "String": return `"${v.value}"`;
    case "Name": return v.name;
    case "CallValue": return `${v.name.name}(${printArgs(v.args)})`;
    case "Metric": return `${v.name.name}@${v.k.raw}`;
    case "List": return `[${v.items.map(printValue).join(", ")}]`;
  }
};

const printArgs = (args: readonly Arg[]): string => args.map((a) => (a.name ? `${a.name.name}: ${printValue(a.value)}` : printValue(a.value))).join(", ");

class Printer {
  readonly lines: (Line | null)[] = [];
  line(indent: number, text: string, at: number, closing = false): void { this.lines.push({ indent, text, at, closing }); }

  layers(body: readonly LayerNode[], indent: number): void { for (const l of body) this.layer(l, indent); }

  /** A `{ ... }` body whose closing brace is the last character of `end`. */
  closing(indent: number, end: number): void { this.line(indent, "}", end - 1, true); }

  layer(l: LayerNode, indent: number): void {
    const at = l.span.start.offset;
    switch (l.kind) {
      case "CallLayer": this.line(indent, `${l.name.name}${l.parens ? `(${printArgs(l.args)})` : ""}`, at); return;
      case "Embedding": this.line(indent, `embedding ${l.table.name}${l.parens ? `(${printArgs(l.args)})` : ""}`, at); return;
      case "Output": this.line(indent, `output ${l.mode.name}${l.parens ? `(${printArgs(l.args)})` : ""}`, at); return;
      case "Residual":
        this.line(indent, "residual {", at);
        this.layers(l.body, indent + 1);
        this.closing(indent, l.span.end.offset);
        return;
      case "Repeat":
        if (Array.isArray(l.body)) {
          this.line(indent, `repeat ${printValue(l.times)} {`, at);
          this.layers(l.body as readonly LayerNode[], indent + 1);
          this.closing(indent, l.span.end.offset);
        } else {
          const c = l.body as Extract<LayerNode, { kind: "CallLayer" }>;
          this.line(indent, `repeat ${printValue(l.times)} ${c.name.name}${c.parens ? `(${printArgs(c.args)})` : ""}`, at);
        }
        return;
    }
  }

  entry(e: Entry, indent: number): void {
    const text = e.form === "call" && e.value.kind === "CallValue" ? `${e.key.name}(${printArgs(e.value.args)})` : `${e.key.name}: ${printValue(e.value)}`;
    this.line(indent, text, e.span.start.offset);
  }

  item(item: TopItem, prev: TopItem | undefined): void {
    if (prev !== undefined && !(prev.kind === "Import" && item.kind === "Import")) this.lines.push(null);
    const at = item.span.start.offset;
    switch (item.kind) {
      case "Import": this.line(0, `import "${item.path}"`, at); return;
      case "BlockDef":
        this.line(0, `block ${item.name.name}(${item.params.map((p) => (p.default ? `${p.name.name} = ${printValue(p.default)}` : p.name.name)).join(", ")}) {`, at);
        this.layers(item.body, 1);
        this.closing(0, item.span.end.offset);
        return;
      case "ModelDef":
        this.line(0, `model ${item.name.name} {`, at);
        this.layers(item.body, 1);
        this.closing(0, item.span.end.offset);
        return;
      case "Section":
        this.line(0, `${item.name.name} {`, at);
        for (const e of item.entries) this.entry(e, 1);
        this.closing(0, item.span.end.offset);
        return;
    }
  }
}

const INDENT = "  ";

/** Prints a parsed file, weaving its comments back in. `tokens` are the file's non-comment tokens. */
export const printFile = (ast: SpecFile, comments: readonly Comment[], tokens: readonly IToken[]): string => {
  const p = new Printer();
  ast.items.forEach((item, i) => p.item(item, ast.items[i - 1]));
  const lines = p.lines;
  const real = lines.filter((l): l is Line => l !== null);
  const trailing = new Map<Line, string[]>();
  const before = new Map<Line, Comment[]>();
  const atEnd: Comment[] = [];
  let ti = 0;
  for (const c of comments) {
    const off = c.span.start.offset;
    while (ti < tokens.length && tokens[ti]!.startOffset < off) ti++;
    const prevTok = tokens[ti - 1];
    if (prevTok !== undefined && (prevTok.endLine ?? 0) === c.span.start.line) {
      const owner = [...real].reverse().find((l) => l.at <= prevTok.startOffset);
      if (owner) { trailing.set(owner, [...(trailing.get(owner) ?? []), c.text]); continue; }
    }
    const next = real.find((l) => l.at > off);
    if (next) before.set(next, [...(before.get(next) ?? []), c]);
    else atEnd.push(c);
  }
  const out: string[] = [];
  for (const l of lines) {
    if (l === null) { out.push(""); continue; }
    for (const c of before.get(l) ?? []) out.push(`${INDENT.repeat(l.indent + (l.closing ? 1 : 0))}${c.text}`);
    out.push(`${INDENT.repeat(l.indent)}${l.text}${(trailing.get(l) ?? []).map((t) => `  ${t}`).join("")}`);
  }
  if (atEnd.length > 0 && out.length > 0) out.push("");
  for (const c of atEnd) out.push(c.text);
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
};

/** The canonical text of a file, or its syntax errors. */
export const formatSource = (file: string, text: string): { ok: true; text: string } | { ok: false; diagnostics: readonly Diagnostic[] } => {
  const parsed = parseText(file, text);
  if (parsed.ast === null) return { ok: false, diagnostics: parsed.diagnostics };
  return { ok: true, text: printFile(parsed.ast, parsed.comments, parsed.tokens) };
};
