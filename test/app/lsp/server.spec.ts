/**
 * The language server at the protocol level: `reccompile lsp --stdio` started as a child process
 * and driven by a JSON-RPC client, as an editor drives it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { CodeAction, CompletionItem, Diagnostic, DocumentSymbol, FoldingRange, Hover, Location, TextEdit } from "vscode-languageserver";
import { formatSource } from "../../../src/lang/format.js";
import { LspClient, positionOf, ROOT, uriOf } from "./client.js";

/** A spec beside specs/blocks.rec (so its import resolves) that is never written to disk. */
const BAD_URI = uriOf("specs/__lsp_bad.rec");
const BAD = `import "blocks.rec"

model Bad {
  embedding items(dim: 64)
  dropuot(0.2)
  dropout(0)
  repeat 2 transformerLayer(heads: 3, inner: 256)
  output tied
}

eval { metrics: [hr@10] }
`;
const FIXED = BAD.replace("dropuot", "dropout").replace("dropout(0)\n", "").replace("heads: 3", "heads: 2");

const TUNED_PATH = "specs/mamba4rec-tuned.rec";
const TUNED = readFileSync(`${ROOT}/${TUNED_PATH}`, "utf8");
const TUNED_URI = uriOf(TUNED_PATH);

const labels = (items: readonly CompletionItem[]): string[] => items.map((i) => i.label);
const text = (h: Hover | null): string => {
  assert.ok(h !== null, "no hover");
  const c = h.contents;
  return typeof c === "object" && "value" in c ? c.value : JSON.stringify(c);
};

describe("reccompile lsp (language server over stdio)", function () {
  this.timeout(120_000);
  let c: LspClient;
  before(async () => { c = await LspClient.start(); });
  after(async () => { await c.stop(); });

  const completion = (uri: string, position: { line: number; character: number }): Promise<CompletionItem[]> =>
    c.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri }, position });
  const hover = (uri: string, position: { line: number; character: number }): Promise<Hover | null> =>
    c.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position });

  describe("diagnostics", () => {
    let diags: Diagnostic[];
    before(async () => { diags = await c.open(BAD_URI, BAD); });

    it("publishes the checker's diagnostics on open, with codes, severities and hints", () => {
      const byCode = new Map(diags.map((d) => [d.code, d]));
      assert.deepEqual([...byCode.keys()].sort(), ["REC2007", "REC2017", "REC2102"]);
      const unknown = byCode.get("REC2007")!;
      assert.equal(unknown.severity, 1);
      assert.deepEqual(unknown.range, { start: positionOf(BAD, "dropuot"), end: positionOf(BAD, "dropuot", 7) });
      assert.match(String(unknown.message), /unknown layer or block 'dropuot'\nhint: did you mean 'dropout'\?/);
      assert.equal(byCode.get("REC2102")!.severity, 2, "a zero dropout is a warning");
    });

    it("shows an error inside an imported block at its use here, with the block's line as related information", () => {
      const heads = diags.find((d) => d.code === "REC2017")!;
      assert.equal(heads.range.start.line, positionOf(BAD, "transformerLayer").line);
      assert.match(String(heads.message), /^in .*blocks\.rec:6:5: 3 attention heads do not divide the width 64/);
      const rel = heads.relatedInformation ?? [];
      assert.ok(rel.some((r) => r.location.uri === uriOf("specs/blocks.rec") && r.location.range.start.line === 5), JSON.stringify(rel));
      assert.ok(rel.some((r) => r.location.uri === BAD_URI && /used here/.test(r.message)), JSON.stringify(rel));
    });

    it("offers the did-you-mean hint as a quick fix that writes the name", async () => {
      const unknown = diags.find((d) => d.code === "REC2007")!;
      const actions = await c.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri: BAD_URI }, range: unknown.range, context: { diagnostics: diags } });
      assert.equal(actions.length, 1, "only the misspelled name has a fix");
      assert.deepEqual(actions[0]!.edit!.changes![BAD_URI], [{ range: unknown.range, newText: "dropout" }]);
    });

    it("a change that fixes the errors empties the diagnostics", async () => {
      assert.deepEqual(await c.change(BAD_URI, FIXED), []);
      assert.notEqual((await c.change(BAD_URI, BAD)).length, 0);
    });
  });

  describe("on a checked spec (specs/mamba4rec-tuned.rec)", () => {
    before(async () => { assert.deepEqual(await c.openFile(TUNED_PATH), []); });

    it("hover on a layer: resolved parameters with defaults, shapes, parameter count and FLOPs per token", async () => {
      const h = text(await hover(TUNED_URI, positionOf(TUNED, "mamba(d_state", 2)));
      assert.match(h, /\*\*mamba\*\*/);
      assert.match(h, /\| `d_state` \| 32 \| 16 \|/);
      assert.match(h, /\| `dt_rank` \| 4 \| ceil\(width \/ 16\) \|/);
      assert.match(h, /input `\[batch, 200, 64\]` → output `\[batch, 200, 64\]`/);
      // explain's formulas for d=64, expand 2 (dInner 128), d_state 32, d_conv 4, dt_rank 4.
      const e = 128, d = 64, n = 32, k = 4, r = 4;
      const params = d * 2 * e + (e * k + e) + e * (r + 2 * n) + (r * e + e) + e * n + e + e * d;
      assert.match(h, new RegExp(`parameters \\*\\*${params.toLocaleString("en-US")}\\*\\*`));
      assert.match(h, /FLOPs per token \*\*[\d,]+\*\*/);
    });

    it("hover on a parameter shows its row of the parameter table; on a block use, its signature", async () => {
      const p = text(await hover(TUNED_URI, positionOf(TUNED, "activation: gelu", 3)));
      assert.match(p, /\*\*activation\*\* \(layer ffn\): `gelu \| relu`, default `"gelu"`/);
      assert.match(p, /Activation between the two dense layers\./);
      const s = text(await hover(TUNED_URI, positionOf(TUNED, "patience: 20", 2)));
      assert.match(s, /\*\*patience\*\* \(train plateau\(…\)\): `integer`, >= 1, default `10`/);
      const b = text(await hover(TUNED_URI, positionOf(TUNED, "mambaLayer(d_state: 32)", 3)));
      assert.match(b, /block mambaLayer\(d_state = 32\)/);
      assert.match(b, /defined in this file, line 7/);
    });

    it("completion inside a model offers layer kinds, blocks and keywords", async () => {
      const items = await completion(TUNED_URI, positionOf(TUNED, "  output tied", 2));
      const names = labels(items);
      for (const want of ["mamba", "dropout", "attention", "mambaLayer", "residual", "repeat"]) assert.ok(names.includes(want), `${want} in ${names.join(" ")}`);
      assert.ok(!names.includes("max_len"), "no section keys among layers");
    });

    it("completion inside a layer's parentheses offers its parameters with their defaults, minus those given", async () => {
      const items = await completion(TUNED_URI, positionOf(TUNED, "mamba(d_state", 6));
      assert.deepEqual(labels(items).sort(), ["d_conv", "d_state", "dt_init", "dt_rank", "expand"].sort());
      const after = await completion(TUNED_URI, positionOf(TUNED, "expand: 2", 9));
      assert.equal(after.length, 0, "after a value, before ',' there is nothing to offer");
      const value = await completion(TUNED_URI, positionOf(TUNED, "d_conv: 4", 8));
      assert.deepEqual(labels(value), ["d_state"], "an integer has no listed values; in a block body, the block's parameters are offered");
      const text2 = TUNED.replace("expand: 2)", "expand: 2, )");
      await c.change(TUNED_URI, text2);
      const rest = await completion(TUNED_URI, positionOf(text2, "expand: 2, ", 11));
      assert.deepEqual(labels(rest).sort(), ["dt_init", "dt_rank"]);
      assert.equal(rest.find((i) => i.label === "dt_rank")!.detail, "= ceil(width / 16)");
      await c.change(TUNED_URI, TUNED);
    });

    it("completion inside `output tied(` offers `seen`; after `seen:` its forms", async () => {
      const text2 = TUNED.replace("  output tied", "  output tied(seen: )");
      await c.change(TUNED_URI, text2);
      assert.deepEqual(labels(await completion(TUNED_URI, positionOf(text2, "output tied(", 12))), ["seen"]);
      const forms = labels(await completion(TUNED_URI, positionOf(text2, "seen: ", 6)));
      for (const f of ["bias", "recency", "gated", "none"]) assert.ok(forms.includes(f), forms.join(" "));
      await c.change(TUNED_URI, TUNED);
    });

    it("completion after `activation:` offers the activations; after `optimizer:` the optimizers; in `metrics: [` the metrics", async () => {
      const act = labels(await completion(TUNED_URI, positionOf(TUNED, "activation: ", 12)));
      assert.ok(act.includes("gelu") && act.includes("relu"), act.join(" "));
      assert.ok(!act.includes("adam"));
      assert.deepEqual(labels(await completion(TUNED_URI, positionOf(TUNED, "optimizer: ", 11))), ["adam", "adamw", "sgd"]);
      const sched = labels(await completion(TUNED_URI, positionOf(TUNED, "schedule: ", 10)));
      assert.deepEqual(sched, ["constant", "cosine", "step", "plateau"]);
      const metrics = labels(await completion(TUNED_URI, positionOf(TUNED, "metrics: [", 10)));
      assert.ok(metrics.includes("ndcg@10") && metrics.includes("recall@20"), metrics.join(" "));
      const targets = labels(await completion(TUNED_URI, positionOf(TUNED, "targets: ", 9)));
      assert.deepEqual(targets, ["all_positions", "last", "masked"]);
    });

    it("completion in a section offers the keys not yet written; at the top level, the missing sections", async () => {
      const text2 = TUNED.replace("  split: leave_one_out\n", "  split: leave_one_out\n  \n");
      await c.change(TUNED_URI, text2);
      const keys = labels(await completion(TUNED_URI, positionOf(text2, "leave_one_out\n  ", 16)));
      assert.deepEqual(keys.sort(), ["min_rating", "min_seq_len", "time_order"]);
      const top = labels(await completion(TUNED_URI, positionOf(text2, "\n\ndata {", 1)));
      assert.ok(top.includes("model") && top.includes("ablate") && !top.includes("train"), top.join(" "));
      await c.change(TUNED_URI, TUNED);
    });

    it("go to definition and find references of a block", async () => {
      const def = await c.request<Location>("textDocument/definition", { textDocument: { uri: TUNED_URI }, position: positionOf(TUNED, "repeat 3 mambaLayer", 12) });
      assert.deepEqual(def, { uri: TUNED_URI, range: { start: positionOf(TUNED, "mambaLayer"), end: positionOf(TUNED, "mambaLayer", 10) } });
      const refs = await c.request<Location[]>("textDocument/references", { textDocument: { uri: TUNED_URI }, position: positionOf(TUNED, "mambaLayer", 1), context: { includeDeclaration: false } });
      assert.deepEqual(refs.map((r) => r.range.start), [positionOf(TUNED, "mambaLayer", 0, 1)]);
    });

    it("document symbols outline the block, the model and the sections", async () => {
      const syms = await c.request<DocumentSymbol[]>("textDocument/documentSymbol", { textDocument: { uri: TUNED_URI } });
      assert.deepEqual(syms.map((s) => `${s.detail}:${s.name}`), ["block:mambaLayer", "model:Mamba4RecTuned", "section:data", "section:train", "section:eval"]);
      assert.deepEqual(syms[1]!.children!.map((s) => s.name), ["embedding items", "dropout", "layernorm", "repeat 3 mambaLayer", "output tied"]);
      assert.deepEqual(syms[0]!.children!.map((s) => s.name), ["residual", "layernorm", "residual", "layernorm"]);
      assert.deepEqual(syms[0]!.children![0]!.children!.map((s) => s.name), ["mamba", "dropout"]);
      assert.deepEqual(syms[3]!.children!.map((s) => s.name), ["loss", "targets", "optimizer", "schedule", "batch", "epochs", "early_stopping", "seed"]);
    });

    it("folding ranges cover every multi-line body and the header comment", async () => {
      const folds = await c.request<FoldingRange[]>("textDocument/foldingRange", { textDocument: { uri: TUNED_URI } });
      assert.ok(folds.some((f) => f.kind === "comment" && f.startLine === 0 && f.endLine === 5), JSON.stringify(folds));
      const modelLine = positionOf(TUNED, "model Mamba4RecTuned").line;
      assert.ok(folds.some((f) => f.startLine === modelLine && f.endLine === modelLine + 5), JSON.stringify(folds));
    });
  });

  describe("across files", () => {
    it("definition of a block from an imported file, and of the import itself", async () => {
      const sas = readFileSync(`${ROOT}/specs/sasrec.rec`, "utf8");
      await c.openFile("specs/sasrec.rec");
      const def = await c.request<Location>("textDocument/definition", { textDocument: { uri: uriOf("specs/sasrec.rec") }, position: positionOf(sas, "transformerLayer", 3) });
      assert.equal(def.uri, uriOf("specs/blocks.rec"));
      assert.equal(def.range.start.line, positionOf(readFileSync(`${ROOT}/specs/blocks.rec`, "utf8"), "transformerLayer").line);
      const imp = await c.request<Location>("textDocument/definition", { textDocument: { uri: uriOf("specs/sasrec.rec") }, position: positionOf(sas, "\"blocks.rec\"", 3) });
      assert.equal(imp.uri, uriOf("specs/blocks.rec"));
      const refs = await c.request<Location[]>("textDocument/references", { textDocument: { uri: uriOf("specs/sasrec.rec") }, position: positionOf(sas, "transformerLayer", 3), context: { includeDeclaration: true } });
      // The other open document that imports blocks.rec uses the block too.
      assert.deepEqual(refs.map((r) => r.uri).sort(), [BAD_URI, uriOf("specs/blocks.rec"), uriOf("specs/sasrec.rec")].sort());
      const files = labels(await completion(uriOf("specs/sasrec.rec"), positionOf(sas, "import \"", 8)));
      assert.ok(files.includes("blocks.rec") && files.includes("tuning/mamba4rec-cosine.rec") && !files.includes("sasrec.rec"), files.join(" "));
    });
  });

  describe("formatting", () => {
    it("formats the whole document through the formatter", async () => {
      const uri = uriOf("specs/__lsp_fmt.rec");
      const messy = "model M {embedding items(dim: 64)   dropout(0.2)\n output tied}\neval{metrics:[hr@10]} // kept\n";
      await c.open(uri, messy);
      const edits = await c.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
      const want = formatSource("x.rec", messy);
      assert.ok(want.ok);
      assert.equal(edits.length, 1);
      assert.equal(edits[0]!.newText, want.text);
      assert.deepEqual(edits[0]!.range, { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } });
      await c.change(uri, want.text);
      assert.deepEqual(await c.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }), []);
      await c.change(uri, "model M { embedding items(dim: 64\n");
      assert.deepEqual(await c.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }), [], "text with syntax errors is left alone");
    });
  });

  describe("broken text", () => {
    it("a malformed document gets syntax diagnostics and every request still answers", async () => {
      const uri = uriOf("specs/__lsp_malformed.rec");
      const junk = "model { ( ] } } @@ \"unterminated\n#; block ( = = ) { { [ \u0001\nmodel X { repeat repeat 3 { } output }";
      const diags = await c.open(uri, junk);
      assert.ok(diags.length > 0 && diags.every((d) => /^REC1/.test(String(d.code))), JSON.stringify(diags));
      for (let line = 0; line < 3; line++) {
        for (let character = 0; character < 40; character += 3) {
          const position = { line, character };
          await hover(uri, position);
          await completion(uri, position);
          await c.request("textDocument/definition", { textDocument: { uri }, position });
          await c.request("textDocument/references", { textDocument: { uri }, position, context: { includeDeclaration: true } });
        }
      }
      await c.request("textDocument/documentSymbol", { textDocument: { uri } });
      await c.request("textDocument/foldingRange", { textDocument: { uri } });
      assert.equal(c.exitCode, null);
      assert.deepEqual(c.logs.filter((l) => /failed/.test(l)), [], "no handler failed on malformed text");
    });

    it("every prefix of a spec, as it is typed, is answered: diagnostics, completion and hover at the cursor", async () => {
      const uri = uriOf("specs/__lsp_typing.rec");
      await c.open(uri, "");
      const cuts = new Set<number>();
      for (let i = 0; i < TUNED.length; i += 37) cuts.add(i);
      for (const m of TUNED.matchAll(/[(:,{\[]/g)) cuts.add(m.index + 1);
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        const prefix = TUNED.slice(0, cut);
        await c.change(uri, prefix);
        const end = positionOf(prefix + "\u0000", "\u0000");
        const items = await completion(uri, end);
        assert.ok(Array.isArray(items));
        await hover(uri, end.character > 0 ? { line: end.line, character: end.character - 1 } : end);
      }
      // Half-typed positions answer what the text so far allows.
      const half = TUNED.slice(0, TUNED.indexOf("activation: gelu") + "activation: ".length);
      await c.change(uri, half);
      assert.deepEqual(labels(await completion(uri, positionOf(half + "\u0000", "\u0000"))).slice(0, 2), ["gelu", "relu"]);
      const half2 = TUNED.slice(0, TUNED.indexOf("d_conv: 4"));
      await c.change(uri, half2);
      assert.ok(labels(await completion(uri, positionOf(half2 + "\u0000", "\u0000"))).includes("d_conv"));
      assert.equal(c.exitCode, null);
      assert.deepEqual(c.logs.filter((l) => /failed/.test(l)), []);
    });

    it("an internal error is logged to the client, the request answered, and the server keeps serving", async () => {
      const h = await c.request<Hover | null>("textDocument/hover", { textDocument: null, position: { line: 0, character: 0 } });
      assert.equal(h, null);
      assert.match(await c.logged((m) => /hover failed/.test(m)), /reccompile lsp: hover failed: TypeError/);
      assert.match(text(await hover(TUNED_URI, positionOf(TUNED, "ffn(", 1))), /\*\*ffn\*\*/);
    });
  });
});
