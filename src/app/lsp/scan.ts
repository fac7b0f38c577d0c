/**
 * The structure of a possibly half-typed `.rec` text, read from its tokens alone: which bracket
 * opens what (a model's layers, a section, a layer's arguments, an option's arguments) and what
 * role each name plays. The parser builds an AST only from text without syntax errors; an editor
 * needs completion, hover and an outline while the text is broken, so this never fails: unknown
 * brackets open an `other` frame and a closer pops whatever is open.
 */
import type { IToken, TokenType } from "chevrotain";
import {
  Block, Colon, Embedding, Equals, Identifier, Import, LBracket, LCurly, LParen, Model, NumberLit, Output, RBracket,
  RCurly, Repeat, Residual, RParen, StringLit, recLexer,
} from "../../lang/tokens.js";

/** What a `(...)` holds arguments for. */
export type ArgsTarget =
  | { readonly kind: "layer"; readonly name: string }
  | { readonly kind: "embedding" }
  /** `output tied(`: the output's arguments (`seen`). */
  | { readonly kind: "output" }
  /** `optimizer: adam(` (option `adam` of `train.optimizer`) or `early_stopping(` (option of the same name). */
  | { readonly kind: "option"; readonly section: string; readonly key: string; readonly option: string };

export type Frame =
  | { readonly kind: "top" }
  /** A layer list; `block` names the enclosing block, whose parameters may be used as values. */
  | { readonly kind: "layers"; readonly owner: "model" | "block" | "residual" | "repeat"; readonly block: string | undefined }
  | { readonly kind: "section"; readonly name: string }
  | { readonly kind: "args"; readonly target: ArgsTarget; readonly block: string | undefined }
  | { readonly kind: "list"; readonly section: string; readonly key: string }
  | { readonly kind: "params"; readonly block: string }
  | { readonly kind: "other" };

/** What a name stands for where it is written. */
export type Role =
  | { readonly kind: "modelName" }
  | { readonly kind: "blockName" }
  | { readonly kind: "sectionName" }
  /** A layer kind or block name in a layer list (also `repeat N name`). */
  | { readonly kind: "layer"; readonly block: string | undefined }
  | { readonly kind: "outputMode" }
  | { readonly kind: "embeddingTable" }
  | { readonly kind: "entryKey"; readonly section: string }
  | { readonly kind: "argName"; readonly target: ArgsTarget }
  /** A value: of a layer argument, a section entry (`param` is the key), or an option's argument. */
  | { readonly kind: "value"; readonly frame: Frame; readonly param: string | undefined }
  | { readonly kind: "blockParam"; readonly block: string }
  | { readonly kind: "other" };

export interface Node {
  readonly frame: Frame;
  /** The first token of the construct (`model`, `residual`, the section's name, the layer's name). */
  readonly head: IToken;
  /** The name token that labels it in an outline, when there is one. */
  readonly name: IToken | undefined;
  readonly open: IToken;
  close: IToken | undefined;
  readonly children: Node[];
}

export interface Scan {
  readonly tokens: readonly IToken[];
  readonly comments: readonly IToken[];
  /** Parallel to `tokens`: the role of each identifier (and `other` for the rest). */
  readonly roles: readonly Role[];
  /** Parallel to `tokens`: the innermost frame the token sits in. */
  readonly frames: readonly Frame[];
  /** Bracketed constructs in source order, nested. */
  readonly roots: readonly Node[];
  /** Top-level `import "…"` strings. */
  readonly imports: readonly IToken[];
}

const OTHER: Frame = { kind: "other" };
const TOP: Frame = { kind: "top" };

const is = (t: IToken | undefined, type: TokenType): boolean => t !== undefined && t.tokenType === type;

/** The frame a `{`, `(` or `[` at `tokens[i]` opens, given the frame it is in and the bracket that closed last. */
const opened = (tokens: readonly IToken[], i: number, within: Frame, lastClosed: Node | undefined): { frame: Frame; head: IToken; name: IToken | undefined } => {
  const t = tokens[i]!;
  const p1 = tokens[i - 1];
  const p2 = tokens[i - 2];
  const p3 = tokens[i - 3];
  const self = { frame: OTHER, head: t, name: undefined };
  if (is(t, LCurly)) {
    if (within.kind === "top") {
      if (is(p1, Identifier) && is(p2, Model)) return { frame: { kind: "layers", owner: "model", block: undefined }, head: p2!, name: p1 };
      if (is(p1, Identifier) && !is(p2, Block)) return { frame: { kind: "section", name: p1!.image }, head: p1!, name: p1 };
      // `block name(params) {`: the parameter list is the bracket that closed just before.
      if (is(p1, RParen) && lastClosed?.close === p1 && lastClosed.frame.kind === "params") {
        return { frame: { kind: "layers", owner: "block", block: lastClosed.frame.block }, head: lastClosed.head, name: lastClosed.name };
      }
      return self;
    }
    if (within.kind === "layers") {
      if (is(p1, Residual)) return { frame: { kind: "layers", owner: "residual", block: within.block }, head: p1!, name: undefined };
      if ((is(p1, NumberLit) || is(p1, Identifier)) && is(p2, Repeat)) return { frame: { kind: "layers", owner: "repeat", block: within.block }, head: p2!, name: undefined };
    }
    return self;
  }
  if (is(t, LParen)) {
    if (within.kind === "top" && is(p1, Identifier) && is(p2, Block)) return { frame: { kind: "params", block: p1!.image }, head: p2!, name: p1 };
    if (within.kind === "layers" && is(p1, Identifier)) {
      if (is(p2, Embedding)) return { frame: { kind: "args", target: { kind: "embedding" }, block: within.block }, head: p2!, name: p1 };
      if (is(p2, Output)) return { frame: { kind: "args", target: { kind: "output" }, block: within.block }, head: p2!, name: p1 };
      return { frame: { kind: "args", target: { kind: "layer", name: p1!.image }, block: within.block }, head: is(p3, Repeat) ? p3! : p1!, name: p1 };
    }
    if (within.kind === "section" && is(p1, Identifier)) {
      if (is(p2, Colon) && is(p3, Identifier)) {
        return { frame: { kind: "args", target: { kind: "option", section: within.name, key: p3!.image, option: p1!.image }, block: undefined }, head: p1!, name: p1 };
      }
      return { frame: { kind: "args", target: { kind: "option", section: within.name, key: p1!.image, option: p1!.image }, block: undefined }, head: p1!, name: p1 };
    }
    return self;
  }
  if (is(t, LBracket) && within.kind === "section" && is(p1, Colon) && is(p2, Identifier)) {
    return { frame: { kind: "list", section: within.name, key: p2!.image }, head: p2!, name: p2 };
  }
  return self;
};

const roleOf = (tokens: readonly IToken[], i: number, frame: Frame): Role => {
  const p1 = tokens[i - 1];
  const p2 = tokens[i - 2];
  const n1 = tokens[i + 1];
  switch (frame.kind) {
    case "top":
      if (is(p1, Model)) return { kind: "modelName" };
      if (is(p1, Block)) return { kind: "blockName" };
      return { kind: "sectionName" };
    case "layers":
      if (is(p1, Output)) return { kind: "outputMode" };
      if (is(p1, Embedding)) return { kind: "embeddingTable" };
      if (is(p1, Repeat)) return { kind: "value", frame, param: "repeat" };
      return { kind: "layer", block: frame.block };
    case "section":
      if (is(p1, Colon) && is(p2, Identifier)) return { kind: "value", frame, param: p2!.image };
      return { kind: "entryKey", section: frame.name };
    case "args":
      if (is(n1, Colon)) return { kind: "argName", target: frame.target };
      if (is(p1, Colon) && is(p2, Identifier)) return { kind: "value", frame, param: p2!.image };
      return { kind: "value", frame, param: undefined };
    case "list":
      return { kind: "value", frame, param: frame.key };
    case "params":
      if (is(p1, Equals)) return { kind: "value", frame, param: p2?.image };
      return { kind: "blockParam", block: frame.block };
    case "other":
      return { kind: "other" };
  }
};

/** Scans `tokens[0..end)`; the frame stack at `end` is what completion needs. */
export const scanTokens = (tokens: readonly IToken[], comments: readonly IToken[], end = tokens.length): Scan & { readonly stack: readonly Frame[] } => {
  const roles: Role[] = [];
  const frames: Frame[] = [];
  const roots: Node[] = [];
  const imports: IToken[] = [];
  const stack: Node[] = [];
  let lastClosed: Node | undefined;
  const frameNow = (): Frame => stack[stack.length - 1]?.frame ?? TOP;
  for (let i = 0; i < end; i++) {
    const t = tokens[i]!;
    const ty = t.tokenType;
    const frame = frameNow();
    frames.push(frame);
    if (ty === LCurly || ty === LParen || ty === LBracket) {
      const o = opened(tokens, i, frame, lastClosed);
      const node: Node = { frame: o.frame, head: o.head, name: o.name, open: t, close: undefined, children: [] };
      (stack[stack.length - 1]?.children ?? roots).push(node);
      stack.push(node);
      roles.push({ kind: "other" });
      continue;
    }
    if (ty === RCurly || ty === RParen || ty === RBracket) {
      const node = stack.pop();
      if (node) node.close = t;
      lastClosed = node;
      roles.push({ kind: "other" });
      continue;
    }
    if (ty === StringLit && frame.kind === "top" && is(tokens[i - 1], Import)) imports.push(t);
    roles.push(ty === Identifier ? roleOf(tokens, i, frame) : { kind: "other" });
  }
  return { tokens, comments, roles, frames, roots, imports, stack: [TOP, ...stack.map((n) => n.frame)] };
};

export const lex = (text: string): { tokens: readonly IToken[]; comments: readonly IToken[] } => {
  const r = recLexer.tokenize(text);
  return { tokens: r.tokens, comments: r.groups["comments"] ?? [] };
};

export const scanText = (text: string): Scan => {
  const { tokens, comments } = lex(text);
  return scanTokens(tokens, comments);
};

/** The index of the token covering `offset` (a cursor right after a token counts as on it), or -1. */
export const tokenAt = (tokens: readonly IToken[], offset: number): number => {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid]!;
    if ((t.endOffset ?? t.startOffset) + 1 < offset) lo = mid + 1;
    else if (t.startOffset > offset) hi = mid - 1;
    else {
      // Between two adjacent tokens (`a(`), prefer the one that starts here.
      const next = tokens[mid + 1];
      return next !== undefined && next.startOffset === offset ? mid + 1 : mid;
    }
  }
  return -1;
};
