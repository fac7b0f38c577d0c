/**
 * Where the cursor is, for completion: the frame it sits in (a model's layers, a layer's
 * parentheses, a section), the name being typed, and the tokens just before it. Works on any text,
 * finished or not.
 */
import type { IToken } from "chevrotain";
import { Identifier, NumberLit } from "../../lang/tokens.js";
import { lex, scanTokens, type Frame } from "./scan.js";

export interface CursorContext {
  readonly frame: Frame;
  /** The name under or just before the cursor, which completion replaces. */
  readonly word: IToken | undefined;
  /** Tokens before the word (or the cursor), nearest first. */
  readonly before: readonly IToken[];
  /** Tokens of the innermost open bracket, from its opener to the cursor: the arguments or keys already written. */
  readonly siblings: readonly IToken[];
  /** The cursor is in or right after a number: nothing to complete. */
  readonly inNumber: boolean;
  /** Text of the line up to the cursor (for an import path still missing its closing quote). */
  readonly linePrefix: string;
}

export const cursorContext = (text: string, offset: number): CursorContext => {
  const { tokens, comments } = lex(text);
  let end = 0;
  while (end < tokens.length && tokens[end]!.startOffset < offset) end++;
  const last = tokens[end - 1];
  const typing = last !== undefined && (last.tokenType === Identifier || last.tokenType === NumberLit) && (last.endOffset ?? 0) + 1 >= offset;
  const word = typing && last.tokenType === Identifier ? last : undefined;
  const stop = typing ? end - 1 : end;
  const scan = scanTokens(tokens, comments, stop);
  const frame = scan.stack[scan.stack.length - 1]!;
  let open = stop - 1;
  for (let depth = 0; open >= 0; open--) {
    const img = tokens[open]!.image;
    if (img === ")" || img === "}" || img === "]") depth++;
    else if (img === "(" || img === "{" || img === "[") {
      if (depth === 0) break;
      depth--;
    }
  }
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return {
    frame,
    word,
    inNumber: typing && last.tokenType === NumberLit,
    before: tokens.slice(Math.max(0, stop - 4), stop).reverse(),
    siblings: tokens.slice(open + 1, stop),
    linePrefix: text.slice(lineStart, offset),
  };
};
