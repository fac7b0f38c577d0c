/**
 * The .rec abstract syntax tree. Every node carries the span it was read from; `kind` names the node
 * type and keys the checker's rule registry (src/check/registry.ts).
 */
import type { Span } from "./span.js";

export interface Ident { readonly name: string; readonly span: Span }

export interface NumberValue { readonly kind: "Number"; readonly value: number; readonly raw: string; readonly span: Span }
export interface StringValue { readonly kind: "String"; readonly value: string; readonly span: Span }
/** A bare name: an enum value (`gelu`), a boolean (`true`), or a block parameter reference. */
export interface NameValue { readonly kind: "Name"; readonly name: string; readonly span: Span }
/** `k_core(5)`, `adam(lr: 0.001)`. */
export interface CallValue { readonly kind: "CallValue"; readonly name: Ident; readonly args: readonly Arg[]; readonly span: Span }
export interface MetricValue { readonly kind: "Metric"; readonly name: Ident; readonly k: NumberValue; readonly span: Span }
export interface ListValue { readonly kind: "List"; readonly items: readonly Value[]; readonly span: Span }
export type Value = NumberValue | StringValue | NameValue | CallValue | MetricValue | ListValue;

/** `name: value` or a positional `value`. */
export interface Arg { readonly kind: "Arg"; readonly name: Ident | null; readonly value: Value; readonly span: Span }

/** A layer by name: `dropout(0.2)`, `popularity`, `mambaLayer(d_state: 32)`. `parens` records whether `()` was written. */
export interface CallLayer { readonly kind: "CallLayer"; readonly name: Ident; readonly args: readonly Arg[]; readonly parens: boolean; readonly span: Span }
export interface EmbeddingLayer { readonly kind: "Embedding"; readonly table: Ident; readonly args: readonly Arg[]; readonly parens: boolean; readonly span: Span }
export interface ResidualLayer { readonly kind: "Residual"; readonly body: readonly LayerNode[]; readonly span: Span }
/** `repeat N { ... }` (body) or `repeat N blockName(args)` (call). `times` is a number or a parameter name. */
export interface RepeatLayer {
  readonly kind: "Repeat";
  readonly times: NumberValue | NameValue;
  readonly body: readonly LayerNode[] | CallLayer;
  readonly span: Span;
}
/** `output tied` or `output tied(seen: recency)`. */
export interface OutputLayer { readonly kind: "Output"; readonly mode: Ident; readonly args: readonly Arg[]; readonly parens: boolean; readonly span: Span }
export type LayerNode = CallLayer | EmbeddingLayer | ResidualLayer | RepeatLayer | OutputLayer;

export interface ImportDecl { readonly kind: "Import"; readonly path: string; readonly pathSpan: Span; readonly span: Span }
export interface Param { readonly kind: "Param"; readonly name: Ident; readonly default: Value | null; readonly span: Span }
export interface BlockDef { readonly kind: "BlockDef"; readonly name: Ident; readonly params: readonly Param[]; readonly body: readonly LayerNode[]; readonly span: Span }
export interface ModelDef { readonly kind: "ModelDef"; readonly name: Ident; readonly body: readonly LayerNode[]; readonly span: Span }
/** `key: value`, or `key(args)` (form "call", e.g. `early_stopping(metric: ndcg@10)`), whose value is a CallValue named `key`. */
export interface Entry { readonly kind: "Entry"; readonly key: Ident; readonly value: Value; readonly form: "colon" | "call"; readonly span: Span }
export interface Section { readonly kind: "Section"; readonly name: Ident; readonly entries: readonly Entry[]; readonly span: Span }
export type TopItem = ImportDecl | BlockDef | ModelDef | Section;

export interface SpecFile { readonly kind: "File"; readonly file: string; readonly items: readonly TopItem[]; readonly span: Span }

export type AstNode = SpecFile | TopItem | Param | Entry | Arg | LayerNode | Value;
export type AstKind = AstNode["kind"];
export type NodeOfKind<K extends AstKind> = Extract<AstNode, { kind: K }>;

/** The direct children of a node, in source order: the one place that knows the tree's shape. */
export const childrenOf = (n: AstNode): readonly AstNode[] => {
  switch (n.kind) {
    case "File": return n.items;
    case "Import": case "Number": case "String": case "Name": return [];
    case "Output": return n.args;
    case "BlockDef": return [...n.params, ...n.body];
    case "Param": return n.default ? [n.default] : [];
    case "ModelDef": return n.body;
    case "Section": return n.entries;
    case "Entry": return [n.value];
    case "Arg": return [n.value];
    case "CallLayer": case "Embedding": return n.args;
    case "Residual": return n.body;
    case "Repeat": return [n.times, ...(Array.isArray(n.body) ? n.body : [n.body as CallLayer])];
    case "CallValue": return n.args;
    case "Metric": return [n.k];
    case "List": return n.items;
  }
};

/** Visits every node depth-first, parents before children. Iterative: nesting depth is bounded by the parser, but stay safe. */
export const walk = (root: AstNode, visit: (n: AstNode) => void): void => {
  const stack: AstNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    visit(n);
    const kids = childrenOf(n);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
};
