/**
 * The TextMate grammar (editors/vscode/syntaxes/rec.tmLanguage.json, the one file the VS Code
 * extension ships) tokenized by vscode-textmate with the Oniguruma engine VS Code uses. Over every
 * shipped spec, each comment, string, number and keyword that the compiler's own lexer finds gets
 * the matching scope, and nothing else does.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import type { IToken as TmToken } from "vscode-textmate";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";
import { LAYERS } from "../../../src/check/params.js";
import { recLexer } from "../../../src/lang/tokens.js";
import { ROOT } from "./client.js";

const GRAMMAR = join(ROOT, "editors/vscode/syntaxes/rec.tmLanguage.json");

const loadGrammar = async (): Promise<vsctm.IGrammar> => {
  const wasm = readFileSync(join(createRequire(import.meta.url).resolve("vscode-oniguruma"), "../onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => oniguruma.createOnigScanner(p), createOnigString: (s: string) => oniguruma.createOnigString(s) }),
    loadGrammar: async (scope: string) => (scope === "source.rec" ? vsctm.parseRawGrammar(readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null),
  });
  const g = await registry.loadGrammar("source.rec");
  assert.ok(g, "the grammar loads");
  return g;
};

/** The scopes of every character of `text`, by line and column (0-based). */
const scopesOf = (g: vsctm.IGrammar, text: string): string[][][] => {
  let state = vsctm.INITIAL;
  return text.split("\n").map((line) => {
    const r = g.tokenizeLine(line, state);
    state = r.ruleStack;
    const perChar: string[][] = [];
    r.tokens.forEach((t: TmToken) => { for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) perChar[i] = t.scopes; });
    return perChar;
  });
};

const specFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? specFiles(join(dir, e.name)) : e.name.endsWith(".rec") ? [join(dir, e.name)] : []);

/** The scope class the compiler's lexer says a token should get. */
const EXPECTED: Readonly<Record<string, RegExp>> = {
  Comment: /^comment\.line\.double-slash\.rec$/,
  StringLit: /^string\.quoted\.double\.rec$/,
  NumberLit: /^constant\.numeric\.rec$/,
  Model: /^keyword\.declaration\./, Block: /^keyword\.declaration\./, Import: /^keyword\.control\.import\.rec$/,
  Residual: /^keyword\.control\.rec$/, Repeat: /^keyword\.control\.rec$/, Output: /^keyword\.other\.rec$/, Embedding: /^keyword\.other\.rec$/,
};
const CLASSES = [/^comment\./, /^string\./, /^constant\.numeric\./, /^keyword\.(declaration|control|other)\./];

describe("TextMate grammar for .rec (editors/vscode)", function () {
  this.timeout(60_000);
  let g: vsctm.IGrammar;
  before(async () => { g = await loadGrammar(); });

  const files = specFiles(join(ROOT, "specs"));
  it("covers the shipped specs", () => assert.ok(files.length >= 40, `${files.length} specs`));

  for (const file of files) {
    it(`${relative(ROOT, file)}: comments, strings, numbers and keywords where the compiler's lexer puts them`, () => {
      const text = readFileSync(file, "utf8");
      const scopes = scopesOf(g, text);
      const lexed = recLexer.tokenize(text);
      assert.deepEqual(lexed.errors, []);
      const tokens = [...lexed.tokens, ...(lexed.groups["comments"] ?? [])];
      let checked = 0;
      for (const t of tokens) {
        const want = EXPECTED[t.tokenType.name];
        for (let col = t.startColumn! - 1; col < t.endColumn!; col++) {
          const at = scopes[t.startLine! - 1]![col] ?? [];
          const inner = at.slice(1);
          if (want) {
            assert.ok(inner.some((s) => want.test(s)), `${relative(ROOT, file)}:${t.startLine}:${col + 1} '${t.image}' (${t.tokenType.name}) has ${inner.join(" ")}`);
            checked++;
          } else {
            // Names and punctuation must not look like comments, strings, numbers or keywords.
            const wrong = inner.filter((s) => CLASSES.some((c) => c.test(s)));
            assert.deepEqual(wrong, [], `${relative(ROOT, file)}:${t.startLine}:${col + 1} '${t.image}' (${t.tokenType.name})`);
          }
        }
      }
      assert.ok(checked > 0);
    });
  }

  it("scopes chosen tokens of specs/mamba4rec-tuned.rec and specs/sasrec.rec", () => {
    const at = (path: string, needle: string, delta = 0): string[] => {
      const text = readFileSync(join(ROOT, path), "utf8");
      const off = text.indexOf(needle) + delta;
      assert.ok(off >= delta, needle);
      const line = text.slice(0, off).split("\n").length - 1;
      const col = off - (text.lastIndexOf("\n", off - 1) + 1);
      return scopesOf(g, text)[line]![col]!;
    };
    const tuned = "specs/mamba4rec-tuned.rec";
    assert.ok(at(tuned, "// Mamba4Rec tuned").includes("comment.line.double-slash.rec"));
    assert.ok(at(tuned, "block mambaLayer").includes("keyword.declaration.block.rec"));
    assert.ok(at(tuned, "block mambaLayer", 6).includes("entity.name.function.block.rec"));
    assert.ok(at(tuned, "model Mamba4RecTuned", 6).includes("entity.name.type.model.rec"));
    assert.ok(at(tuned, "mamba(d_state").includes("support.function.layer.rec"));
    assert.ok(at(tuned, "d_state: 32").includes("variable.parameter.rec"));
    assert.ok(at(tuned, "d_state: 32", 9).includes("constant.numeric.rec"));
    assert.ok(at(tuned, "eps: 1e-12", 5).includes("constant.numeric.rec"));
    assert.ok(at(tuned, "eps: 1e-12", 9).includes("constant.numeric.rec"), "the exponent belongs to the number");
    assert.ok(at(tuned, "repeat 3").includes("keyword.control.rec"));
    assert.ok(at(tuned, "\ndata {", 1).includes("entity.name.section.rec"));
    assert.ok(at(tuned, "ndcg@10").includes("support.constant.metric.rec"));
    assert.ok(at(tuned, "ndcg@10", 5).includes("constant.numeric.rec"));
    assert.ok(at(tuned, "exclude_seen: false", 14).includes("constant.language.rec"));
    assert.ok(at("specs/sasrec.rec", "import \"blocks.rec\"").includes("keyword.control.import.rec"));
    assert.ok(at("specs/sasrec.rec", "\"blocks.rec\"", 3).includes("string.quoted.double.rec"));
  });

  it("names every built-in layer of the parameter table", () => {
    const g0 = JSON.parse(readFileSync(GRAMMAR, "utf8")) as { repository: { layer: { match: string } } };
    const listed = /\\b\(([^)]*)\)\\b/.exec(g0.repository.layer.match)![1]!.split("|").sort();
    assert.deepEqual(listed, Object.keys(LAYERS).sort());
  });
});
