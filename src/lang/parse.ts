/**
 * Text -> AST: lex, guard the nesting depth, parse with recovery, build the AST. Syntax errors come
 * back as diagnostics (several per run); the AST is built only when there are none.
 */
import type { IToken } from "chevrotain";
import type { SpecFile } from "./ast.js";
import { diag } from "./codes.js";
import type { FileCstNode } from "./cst.js";
import type { Diagnostic } from "./diagnostic.js";
import { recParser } from "./parser.js";
import type { Position, Span } from "./span.js";
import { toAst, tokenSpan } from "./toAst.js";
import { CLOSERS, NumberLit, OPENERS, recLexer } from "./tokens.js";

/** Deeper bracket nesting than this is refused before parsing, so recursion in later stages stays shallow. */
export const MAX_DEPTH = 64;

export interface Comment { readonly text: string; readonly span: Span }

export interface ParseResult {
  readonly ast: SpecFile | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly comments: readonly Comment[];
  readonly tokens: readonly IToken[];
}

/** The position just after the last character of `text`. */
export const endPosition = (text: string): Position => {
  let line = 1;
  let lastNl = -1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) { line++; lastNl = i; }
  return { offset: text.length, line, col: text.length - lastNl };
};

/** The position of a UTF-16 offset, for spans that do not come from a token. */
export const positionAt = (text: string, offset: number): Position => {
  let line = 1;
  let lastNl = -1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) { line++; lastNl = i; }
  return { offset, line, col: offset - lastNl };
};

const pointSpan = (file: string, p: Position): Span => ({ file, start: p, end: p });

const lexDiagnostics = (file: string, text: string, errors: readonly { offset: number; length: number }[]): Diagnostic[] =>
  errors.map((e) => {
    const start = positionAt(text, e.offset);
    const ch = text[e.offset] ?? "";
    const end: Position = { offset: e.offset + e.length, line: start.line, col: start.col + e.length };
    const span = { file, start, end: e.length > 0 && !text.slice(e.offset, e.offset + e.length).includes("\n") ? end : { ...start, offset: start.offset + 1, col: start.col + 1 } };
    if (ch === '"') return diag("UnterminatedString", span, "string is missing its closing '\"'", { hint: "strings end on the line they start" });
    const cp = text.codePointAt(e.offset) ?? 0;
    const shown = cp < 0x20 || cp === 0x7f ? `U+${cp.toString(16).toUpperCase().padStart(4, "0")}` : `'${String.fromCodePoint(cp)}'`;
    return diag("UnexpectedChar", span, `unexpected character ${shown}`, {
      hint: ch === "#" ? "comments start with '//'" : ch === ";" ? "entries need no separator; remove the ';'" : undefined,
    });
  });

const depthDiagnostic = (file: string, tokens: readonly IToken[]): Diagnostic | null => {
  let depth = 0;
  for (const t of tokens) {
    if (OPENERS.has(t.tokenType)) {
      depth++;
      if (depth > MAX_DEPTH) {
        return diag("TooDeep", tokenSpan(file, t), `brackets are nested more than ${MAX_DEPTH} deep`, { hint: "flatten the spec, or move repeated structure into a block" });
      }
    } else if (CLOSERS.has(t.tokenType)) depth = Math.max(0, depth - 1);
  }
  return null;
};

export const parseText = (file: string, text: string): ParseResult => {
  if (text.includes("\u0000")) {
    const at = positionAt(text, text.indexOf("\u0000"));
    return { ast: null, diagnostics: [diag("Binary", pointSpan(file, at), "file contains NUL bytes: it is not a .rec text file")], comments: [], tokens: [] };
  }
  const lexed = recLexer.tokenize(text);
  const comments = (lexed.groups["comments"] ?? []).map((t) => ({ text: t.image.replace(/\s+$/, ""), span: tokenSpan(file, t) }));
  const diagnostics: Diagnostic[] = lexDiagnostics(file, text, lexed.errors);
  for (const t of lexed.tokens) {
    if (t.tokenType === NumberLit && !Number.isFinite(Number(t.image))) {
      diagnostics.push(diag("BadNumber", tokenSpan(file, t), `number ${t.image.length > 30 ? `${t.image.slice(0, 30)}…` : t.image} is too large to represent`));
    }
  }
  const deep = depthDiagnostic(file, lexed.tokens);
  if (deep) return { ast: null, diagnostics: [...diagnostics, deep], comments, tokens: lexed.tokens };

  recParser.input = lexed.tokens;
  const cst = recParser.file() as FileCstNode;
  const eof = endPosition(text);
  for (const e of recParser.errors) {
    const t = e.token;
    const atEof = Number.isNaN(t.startOffset) || t.tokenType.name === "EOF";
    const prev = (e as { previousToken?: IToken }).previousToken;
    const span = atEof
      ? (prev && !Number.isNaN(prev.startOffset) ? pointSpan(file, tokenSpan(file, prev).end) : pointSpan(file, eof))
      : tokenSpan(file, t);
    const code = e.name === "MismatchedTokenException" ? "ExpectedToken" : e.name === "NotAllInputParsedException" ? "TrailingInput" : "UnexpectedToken";
    diagnostics.push(diag(code, span, e.message));
  }
  if (diagnostics.length > 0) return { ast: null, diagnostics, comments, tokens: lexed.tokens };
  const ast = toAst(file, cst, { file, start: { offset: 0, line: 1, col: 1 }, end: eof });
  return { ast, diagnostics, comments, tokens: lexed.tokens };
};
