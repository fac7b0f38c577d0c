/** The .rec lexicon. Keywords are identifiers with a reserved meaning; everything else is a plain name. */
import { createToken, Lexer, type TokenType } from "chevrotain";

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });
const keyword = (word: string): TokenType =>
  createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });

export const Model = keyword("model");
export const Block = keyword("block");
export const Import = keyword("import");
export const Residual = keyword("residual");
export const Repeat = keyword("repeat");
export const Output = keyword("output");
export const Embedding = keyword("embedding");

export const NumberLit = createToken({ name: "NumberLit", pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, label: "a number" });
export const StringLit = createToken({ name: "StringLit", pattern: /"[^"\\\r\n]*"/, label: "a string" });
export const LCurly = createToken({ name: "LCurly", pattern: /{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /}/, label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
export const At = createToken({ name: "At", pattern: /@/, label: "'@'" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='" });
export const Comment = createToken({ name: "Comment", pattern: /\/\/[^\r\n]*/, group: "comments" });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });

export const allTokens: readonly TokenType[] = [
  WhiteSpace, Comment,
  Model, Block, Import, Residual, Repeat, Output, Embedding,
  Identifier, NumberLit, StringLit,
  LCurly, RCurly, LParen, RParen, LBracket, RBracket, Comma, Colon, At, Equals,
];

export const recLexer = new Lexer([...allTokens], { positionTracking: "full", ensureOptimizations: false });

/** Opening and closing brackets of every kind, for the nesting-depth guard that runs before parsing. */
export const OPENERS: ReadonlySet<TokenType> = new Set([LCurly, LParen, LBracket]);
export const CLOSERS: ReadonlySet<TokenType> = new Set([RCurly, RParen, RBracket]);
