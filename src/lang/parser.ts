/**
 * The .rec grammar as a Chevrotain CST parser. Rules are typed class properties, so a misspelled rule
 * does not compile; `cst.ts` holds the CST types generated from these rules (test/lang/cst.spec.ts
 * regenerates and diffs them). Error recovery is on, so one run reports several syntax errors.
 */
import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import * as T from "./tokens.js";

const RULE_WORDS: Readonly<Record<string, string>> = {
  file: "the file", importDecl: "an import", blockDecl: "a block definition", params: "block parameters",
  param: "a block parameter", modelDecl: "a model", layerBlock: "a layer list", layer: "a layer",
  residualLayer: "a residual", repeatLayer: "a repeat", repeatCount: "a repeat count", outputLayer: "an output",
  embeddingLayer: "an embedding", callLayer: "a layer", argList: "an argument list", arg: "an argument",
  section: "a section", entry: "a section entry", value: "a value", nameValue: "a value", list: "a list",
};

const describeToken = (tok: IToken): string =>
  tok.tokenType === EOF ? "the end of the file" : `'${tok.image.length > 40 ? `${tok.image.slice(0, 40)}…` : tok.image}'`;
const label = (t: TokenType): string => t.LABEL ?? t.name;
const firstTokens = (paths: readonly (readonly TokenType[])[]): string => {
  const names = [...new Set(paths.filter((p) => p.length > 0).map((p) => label(p[0]!)))];
  return names.length <= 1 ? (names[0] ?? "nothing") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
};

/** Parse errors in the language's own words rather than Chevrotain's "Expecting --> ';' <--". */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, ruleName }) =>
    `expected ${label(expected)} in ${RULE_WORDS[ruleName] ?? ruleName}, found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `unexpected ${describeToken(firstRedundant)}: expected 'model', 'block', 'import' or a section name`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) =>
    `unexpected ${describeToken(actual[0]!)} in ${RULE_WORDS[ruleName] ?? ruleName}: expected ${firstTokens(expectedPathsPerAlt.flat())}`,
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, ruleName }) =>
    `unexpected ${describeToken(actual[0]!)} in ${RULE_WORDS[ruleName] ?? ruleName}: expected ${firstTokens(expectedIterationPaths)}`,
};

export class RecParser extends CstParser {
  constructor() {
    super([...T.allTokens], { recoveryEnabled: true, nodeLocationTracking: "full", errorMessageProvider: messages, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  public file = this.RULE("file", () => {
    this.MANY(() => this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.blockDecl) },
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.section) },
    ]));
  });

  private importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit);
  });

  private blockDecl = this.RULE("blockDecl", () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.params));
    this.CONSUME(T.RParen);
    this.SUBRULE(this.layerBlock);
  });

  private params = this.RULE("params", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
  });

  private param = this.RULE("param", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.value);
    });
  });

  private modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.layerBlock);
  });

  private layerBlock = this.RULE("layerBlock", () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.layer));
    this.CONSUME(T.RCurly);
  });

  private layer = this.RULE("layer", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.residualLayer) },
      { ALT: () => this.SUBRULE(this.repeatLayer) },
      { ALT: () => this.SUBRULE(this.outputLayer) },
      { ALT: () => this.SUBRULE(this.embeddingLayer) },
      { ALT: () => this.SUBRULE(this.callLayer) },
    ]);
  });

  private residualLayer = this.RULE("residualLayer", () => {
    this.CONSUME(T.Residual);
    this.SUBRULE(this.layerBlock);
  });

  private repeatLayer = this.RULE("repeatLayer", () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.repeatCount);
    this.OR([
      { ALT: () => this.SUBRULE(this.layerBlock) },
      { ALT: () => this.SUBRULE(this.callLayer) },
    ]);
  });

  private repeatCount = this.RULE("repeatCount", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.Identifier) },
    ]);
  });

  private outputLayer = this.RULE("outputLayer", () => {
    this.CONSUME(T.Output);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  private embeddingLayer = this.RULE("embeddingLayer", () => {
    this.CONSUME(T.Embedding);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  private callLayer = this.RULE("callLayer", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  private argList = this.RULE("argList", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) });
    this.CONSUME(T.RParen);
  });

  private arg = this.RULE("arg", () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.value);
  });

  private section = this.RULE("section", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.entry));
    this.CONSUME(T.RCurly);
  });

  private entry = this.RULE("entry", () => {
    this.CONSUME(T.Identifier);
    this.OR([
      { ALT: () => { this.CONSUME(T.Colon); this.SUBRULE(this.value); } },
      { ALT: () => this.SUBRULE(this.argList) },
    ]);
  });

  private value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.nameValue) },
    ]);
  });

  private nameValue = this.RULE("nameValue", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.OR([
      { ALT: () => this.SUBRULE(this.argList) },
      { ALT: () => { this.CONSUME(T.At); this.CONSUME(T.NumberLit); } },
    ]));
  });

  private list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.value) });
    this.CONSUME(T.RBracket);
  });
}

/** One parser instance, reused: Chevrotain parsers are stateful but cheap to reset via `input`. */
export const recParser = new RecParser();
