/**
 * Go to definition and find references for blocks and imports, and the document outline (model,
 * blocks, sections and what they hold). All from the token scan, so they work on broken text too.
 */
import { dirname, resolve } from "node:path";
import { SymbolKind, type DocumentSymbol, type Location } from "vscode-languageserver";
import type { Analysis } from "./analysis.js";
import { offsetAt, pathToUri, tokenRange } from "./positions.js";
import { tokenAt, type Node, type Scan } from "./scan.js";
import { Embedding, Identifier, Output, Repeat, StringLit } from "../../lang/tokens.js";

type Position = { line: number; character: number };

/** The block name or import path under the cursor. */
const target = (a: Analysis, position: Position): { kind: "block"; name: string } | { kind: "import"; path: string } | undefined => {
  const i = tokenAt(a.scan.tokens, offsetAt(a.text, position));
  if (i < 0) return undefined;
  const t = a.scan.tokens[i]!;
  const role = a.scan.roles[i]!.kind;
  if (t.tokenType === StringLit && a.scan.imports.includes(t)) return { kind: "import", path: resolve(dirname(a.file), t.image.slice(1, -1)) };
  if ((role === "layer" || role === "blockName") && a.blocks.has(t.image)) return { kind: "block", name: t.image };
  return undefined;
};

export const definition = (a: Analysis, position: Position): Location | null => {
  const t = target(a, position);
  if (t === undefined) return null;
  if (t.kind === "import") return { uri: pathToUri(t.path), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  const site = a.blocks.get(t.name)!;
  return { uri: pathToUri(site.file), range: tokenRange(site.name) };
};

const usesIn = (s: Scan, name: string): ReturnType<typeof tokenRange>[] =>
  s.tokens.flatMap((t, i) => (t.image === name && s.roles[i]?.kind === "layer" ? [tokenRange(t)] : []));

/**
 * Uses of a block in this document, the files it imports, and the other open documents that see
 * the same definition (those that import its file); with the declaration when asked for.
 * An import's references are the imports of the same file in those documents.
 */
export const references = (a: Analysis, position: Position, includeDeclaration: boolean, others: readonly Analysis[]): Location[] => {
  const t = target(a, position);
  if (t === undefined) return [];
  const docs = [a, ...others.filter((o) => o.uri !== a.uri)];
  if (t.kind === "import") {
    return docs.flatMap((d) => d.scan.imports.filter((s) => resolve(dirname(d.file), s.image.slice(1, -1)) === t.path).map((s) => ({ uri: d.uri, range: tokenRange(s) })));
  }
  const site = a.blocks.get(t.name)!;
  const defPath = resolve(site.file);
  const out = new Map<string, Location>();
  const add = (uri: string, range: Location["range"]): void => { out.set(`${uri}#${range.start.line}:${range.start.character}`, { uri, range }); };
  for (const d of docs) {
    const seen = d.blocks.get(t.name);
    if (seen === undefined || resolve(seen.file) !== defPath) continue;
    for (const r of usesIn(d.scan, t.name)) add(d.uri, r);
    for (const [f, s] of d.imported) {
      if (docs.some((o) => resolve(o.file) === resolve(f))) continue;
      for (const r of usesIn(s, t.name)) add(pathToUri(f), r);
    }
  }
  if (includeDeclaration) add(pathToUri(site.file), tokenRange(site.name));
  return [...out.values()];
};

const rangeOf = (n: Node): DocumentSymbol["range"] => {
  const r = tokenRange(n.head);
  const end = tokenRange(n.close ?? n.open).end;
  return { start: r.start, end };
};

const symbolOf = (n: Node, s: Scan): DocumentSymbol | undefined => {
  const f = n.frame;
  const name = n.name;
  const children = (): DocumentSymbol[] => n.children.flatMap((c) => symbolOf(c, s) ?? []);
  const sel = name ? tokenRange(name) : tokenRange(n.head);
  switch (f.kind) {
    case "layers":
      if (f.owner === "model") return { name: name?.image ?? "model", detail: "model", kind: SymbolKind.Class, range: rangeOf(n), selectionRange: sel, children: layerSymbols(n, s) };
      if (f.owner === "block") return { name: name?.image ?? "block", detail: "block", kind: SymbolKind.Function, range: rangeOf(n), selectionRange: sel, children: layerSymbols(n, s) };
      return { name: n.head.image, kind: SymbolKind.Namespace, range: rangeOf(n), selectionRange: sel, children: layerSymbols(n, s) };
    case "section":
      return { name: f.name, detail: "section", kind: SymbolKind.Struct, range: rangeOf(n), selectionRange: sel, children: entrySymbols(n, s) };
    case "params":
      return undefined;
    default:
      return children().length > 0 ? { name: n.head.image, kind: SymbolKind.Object, range: rangeOf(n), selectionRange: sel, children: children() } : undefined;
  }
};

/**
 * The layers of a `{ }` body in order: `embedding items`, each layer or block use (`repeat N block`
 * as one), nested `residual`/`repeat` bodies, and `output tied`.
 */
const layerSymbols = (n: Node, s: Scan): DocumentSymbol[] => {
  const start = s.tokens.indexOf(n.open);
  const end = n.close ? s.tokens.indexOf(n.close) : s.tokens.length;
  const out: DocumentSymbol[] = [];
  for (const c of n.children) {
    if (c.frame.kind === "layers") { const sym = symbolOf(c, s); if (sym) out.push(sym); }
  }
  const byOpen = new Map(n.children.map((c) => [c.open, c]));
  const add = (first: number, last: number, name: string): void => {
    const next = s.tokens[last + 1];
    const args = next === undefined ? undefined : byOpen.get(next);
    const from = tokenRange(s.tokens[first]!);
    const to = args?.close ? tokenRange(args.close) : tokenRange(s.tokens[last]!);
    out.push({ name, kind: SymbolKind.Field, range: { start: from.start, end: to.end }, selectionRange: tokenRange(s.tokens[last]!) });
  };
  for (let i = start + 1; i < end; i++) {
    if (s.frames[i] !== n.frame) continue;
    const t = s.tokens[i]!;
    const next = s.tokens[i + 1];
    const named = next !== undefined && next.tokenType === Identifier;
    if ((t.tokenType === Embedding || t.tokenType === Output) && named) { add(i, i + 1, `${t.image} ${next.image}`); i++; continue; }
    if (t.tokenType === Repeat && s.tokens[i + 2]?.tokenType === Identifier) { add(i, i + 2, `repeat ${next!.image} ${s.tokens[i + 2]!.image}`); i += 2; continue; }
    if (s.roles[i]?.kind === "layer") add(i, i, t.image);
  }
  return out.sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
};

const entrySymbols = (n: Node, s: Scan): DocumentSymbol[] => {
  const start = s.tokens.indexOf(n.open);
  const end = n.close ? s.tokens.indexOf(n.close) : s.tokens.length;
  const out: DocumentSymbol[] = [];
  for (let i = start + 1; i < end; i++) {
    const t = s.tokens[i]!;
    if (s.roles[i]?.kind !== "entryKey" || s.frames[i] !== n.frame) continue;
    const r = tokenRange(t);
    out.push({ name: t.image, kind: SymbolKind.Property, range: r, selectionRange: r });
  }
  return out;
};

export const documentSymbols = (a: Analysis): DocumentSymbol[] => [
  ...a.scan.imports.map((t) => ({ name: t.image.slice(1, -1), detail: "import", kind: SymbolKind.Module, range: tokenRange(t), selectionRange: tokenRange(t) })),
  ...a.scan.roots.flatMap((n) => symbolOf(n, a.scan) ?? []),
].sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
