/**
 * CST -> AST. The visitor implements the generated `RecCstVisitor` interface (one method per grammar
 * rule, checked by the compiler) and calls `validateVisitor()`, so a rule without a handler fails at
 * start-up. It runs only on a CST without syntax errors, so every mandatory child is present.
 */
import type { CstNode, CstNodeLocation, IToken } from "chevrotain";
import type * as A from "./ast.js";
import type * as C from "./cst.js";
import { recParser } from "./parser.js";
import type { Span } from "./span.js";

export const tokenSpan = (file: string, t: IToken): Span => ({
  file,
  start: { offset: t.startOffset, line: t.startLine ?? 1, col: t.startColumn ?? 1 },
  end: { offset: (t.endOffset ?? t.startOffset) + 1, line: t.endLine ?? t.startLine ?? 1, col: (t.endColumn ?? t.startColumn ?? 0) + 1 },
});

const locSpan = (file: string, l: CstNodeLocation | undefined): Span => ({
  file,
  start: { offset: l?.startOffset ?? 0, line: l?.startLine ?? 1, col: l?.startColumn ?? 1 },
  end: { offset: (l?.endOffset ?? 0) + 1, line: l?.endLine ?? 1, col: (l?.endColumn ?? 0) + 1 },
});

const first = <T>(xs: readonly T[] | undefined): T => xs![0]!;

const BaseVisitor = recParser.getBaseCstVisitorConstructor();

class AstBuilder extends BaseVisitor implements C.RecCstVisitor<void, unknown> {
  constructor(private readonly fileName: string) {
    super();
    this.validateVisitor();
  }

  private span(node: CstNode): Span { return locSpan(this.fileName, node.location); }
  private tok(t: IToken): Span { return tokenSpan(this.fileName, t); }
  private ident(t: IToken): A.Ident { return { name: t.image, span: this.tok(t) }; }
  private num(t: IToken): A.NumberValue { return { kind: "Number", value: Number(t.image), raw: t.image, span: this.tok(t) }; }
  private v<T>(node: CstNode): T { return this.visit(node) as T; }
  private val(node: C.ValueCstNode): A.Value { return this.visit(node) as A.Value; }

  file(ch: C.FileCstChildren): A.TopItem[] {
    const nodes: CstNode[] = [...(ch.importDecl ?? []), ...(ch.blockDecl ?? []), ...(ch.modelDecl ?? []), ...(ch.section ?? [])];
    nodes.sort((a, b) => (a.location?.startOffset ?? 0) - (b.location?.startOffset ?? 0));
    return nodes.map((n) => ({ ...this.v<object>(n), span: this.span(n) }) as A.TopItem);
  }

  importDecl(ch: C.ImportDeclCstChildren): Omit<A.ImportDecl, "span"> {
    const s = first(ch.StringLit);
    return { kind: "Import", path: s.image.slice(1, -1), pathSpan: this.tok(s) };
  }

  blockDecl(ch: C.BlockDeclCstChildren): Omit<A.BlockDef, "span"> {
    return {
      kind: "BlockDef",
      name: this.ident(first(ch.Identifier)),
      params: ch.params ? this.v<A.Param[]>(first(ch.params)) : [],
      body: this.v<A.LayerNode[]>(first(ch.layerBlock)),
    };
  }

  params(ch: C.ParamsCstChildren): A.Param[] {
    return (ch.param ?? []).map((p) => ({ ...this.v<Omit<A.Param, "span">>(p), span: this.span(p) }));
  }

  param(ch: C.ParamCstChildren): Omit<A.Param, "span"> {
    return { kind: "Param", name: this.ident(first(ch.Identifier)), default: ch.value ? this.val(first(ch.value)) : null };
  }

  modelDecl(ch: C.ModelDeclCstChildren): Omit<A.ModelDef, "span"> {
    return { kind: "ModelDef", name: this.ident(first(ch.Identifier)), body: this.v<A.LayerNode[]>(first(ch.layerBlock)) };
  }

  layerBlock(ch: C.LayerBlockCstChildren): A.LayerNode[] {
    return (ch.layer ?? []).map((l) => this.v<A.LayerNode>(l));
  }

  layer(ch: C.LayerCstChildren): A.LayerNode {
    const node = first<CstNode>(ch.residualLayer ?? ch.repeatLayer ?? ch.outputLayer ?? ch.embeddingLayer ?? ch.callLayer);
    return { ...this.v<object>(node), span: this.span(node) } as A.LayerNode;
  }

  residualLayer(ch: C.ResidualLayerCstChildren): Omit<A.ResidualLayer, "span"> {
    return { kind: "Residual", body: this.v<A.LayerNode[]>(first(ch.layerBlock)) };
  }

  repeatLayer(ch: C.RepeatLayerCstChildren): Omit<A.RepeatLayer, "span"> {
    const body = ch.layerBlock
      ? this.v<A.LayerNode[]>(first(ch.layerBlock))
      : ({ ...this.v<Omit<A.CallLayer, "span">>(first(ch.callLayer)), span: this.span(first(ch.callLayer)) } as A.CallLayer);
    return { kind: "Repeat", times: this.v<A.NumberValue | A.NameValue>(first(ch.repeatCount)), body };
  }

  repeatCount(ch: C.RepeatCountCstChildren): A.NumberValue | A.NameValue {
    if (ch.NumberLit) return this.num(first(ch.NumberLit));
    const t = first(ch.Identifier);
    return { kind: "Name", name: t.image, span: this.tok(t) };
  }

  outputLayer(ch: C.OutputLayerCstChildren): Omit<A.OutputLayer, "span"> {
    return { kind: "Output", mode: this.ident(first(ch.Identifier)), args: ch.argList ? this.v<A.Arg[]>(first(ch.argList)) : [], parens: ch.argList !== undefined };
  }

  embeddingLayer(ch: C.EmbeddingLayerCstChildren): Omit<A.EmbeddingLayer, "span"> {
    return { kind: "Embedding", table: this.ident(first(ch.Identifier)), args: ch.argList ? this.v<A.Arg[]>(first(ch.argList)) : [], parens: ch.argList !== undefined };
  }

  callLayer(ch: C.CallLayerCstChildren): Omit<A.CallLayer, "span"> {
    return { kind: "CallLayer", name: this.ident(first(ch.Identifier)), args: ch.argList ? this.v<A.Arg[]>(first(ch.argList)) : [], parens: ch.argList !== undefined };
  }

  argList(ch: C.ArgListCstChildren): A.Arg[] {
    return (ch.arg ?? []).map((a) => ({ ...this.v<Omit<A.Arg, "span">>(a), span: this.span(a) }));
  }

  arg(ch: C.ArgCstChildren): Omit<A.Arg, "span"> {
    return { kind: "Arg", name: ch.Identifier ? this.ident(first(ch.Identifier)) : null, value: this.val(first(ch.value)) };
  }

  section(ch: C.SectionCstChildren): Omit<A.Section, "span"> {
    return { kind: "Section", name: this.ident(first(ch.Identifier)), entries: (ch.entry ?? []).map((e) => ({ ...this.v<Omit<A.Entry, "span">>(e), span: this.span(e) })) };
  }

  entry(ch: C.EntryCstChildren): Omit<A.Entry, "span"> {
    const key = this.ident(first(ch.Identifier));
    if (ch.value) return { kind: "Entry", key, value: this.val(first(ch.value)), form: "colon" };
    const list = first(ch.argList);
    const value: A.CallValue = { kind: "CallValue", name: key, args: this.v<A.Arg[]>(list), span: { ...key.span, end: this.span(list).end } };
    return { kind: "Entry", key, value, form: "call" };
  }

  value(ch: C.ValueCstChildren): A.Value {
    if (ch.NumberLit) return this.num(first(ch.NumberLit));
    if (ch.StringLit) {
      const t = first(ch.StringLit);
      return { kind: "String", value: t.image.slice(1, -1), span: this.tok(t) };
    }
    if (ch.list) return { ...this.v<Omit<A.ListValue, "span">>(first(ch.list)), span: this.span(first(ch.list)) };
    return this.v<A.Value>(first(ch.nameValue));
  }

  list(ch: C.ListCstChildren): Omit<A.ListValue, "span"> {
    return { kind: "List", items: (ch.value ?? []).map((v) => this.val(v)) };
  }

  nameValue(ch: C.NameValueCstChildren): A.Value {
    const id = this.ident(first(ch.Identifier));
    if (ch.argList) {
      const list = first(ch.argList);
      return { kind: "CallValue", name: id, args: this.v<A.Arg[]>(list), span: { ...id.span, end: this.span(list).end } };
    }
    if (ch.NumberLit) {
      const k = this.num(first(ch.NumberLit));
      return { kind: "Metric", name: id, k, span: { ...id.span, end: k.span.end } };
    }
    return { kind: "Name", name: id.name, span: id.span };
  }
}

/** Builds the AST of a file whose CST parsed without errors. */
export const toAst = (file: string, cst: C.FileCstNode, span: Span): A.SpecFile => {
  const builder = new AstBuilder(file);
  const items = builder.visit(cst) as A.TopItem[];
  return { kind: "File", file, items, span };
};
