import { strict as assert } from "node:assert";
import { walk, type AstNode } from "../../src/lang/ast.js";
import { MAX_DEPTH, parseText } from "../../src/lang/parse.js";
import { readFileSync } from "node:fs";

describe("parser", () => {
  it("reports several syntax errors in one run", () => {
    const r = parseText("x.rec", "model M { dropout(0.2,) mamba(d_state 32) }\ntrain { batch: }\n");
    assert.equal(r.ast, null);
    assert.ok(r.diagnostics.length >= 3, JSON.stringify(r.diagnostics.map((d) => d.message)));
    for (const d of r.diagnostics) assert.match(d.code, /^REC1\d{3}$/);
  });

  it("gives every AST node a span inside the file", () => {
    const text = readFileSync("specs/mamba4rec.rec", "utf8");
    const r = parseText("specs/mamba4rec.rec", text);
    assert.ok(r.ast);
    let n = 0;
    walk(r.ast, (node: AstNode) => {
      n++;
      assert.ok(node.span.start.offset <= node.span.end.offset && node.span.end.offset <= text.length, node.kind);
      assert.ok(node.span.start.line >= 1 && node.span.start.col >= 1);
    });
    assert.ok(n > 50);
  });

  it("points a parse error at line and column", () => {
    const r = parseText("x.rec", "model M {\n  dropout(0.2\n  layernorm\n}\n");
    assert.equal(r.diagnostics[0]!.span.start.line, 3);
    assert.equal(r.diagnostics[0]!.span.start.col, 3);
  });

  it("refuses nesting deeper than the limit without recursing", () => {
    const depth = 5000;
    const text = `model M {\n embedding items(dim: 8)\n${"residual {".repeat(depth)}${"}".repeat(depth)}\n}\n`;
    const r = parseText("deep.rec", text);
    assert.equal(r.ast, null);
    assert.equal(r.diagnostics[0]!.code, "REC1006");
    assert.match(r.diagnostics[0]!.message, new RegExp(String(MAX_DEPTH)));
  });

  it("lexes a 2 MB identifier", () => {
    const r = parseText("big.rec", `model ${"a".repeat(2_000_000)} { popularity }`);
    assert.ok(r.ast);
  });

  it("calls a file with NUL bytes binary", () => {
    assert.equal(parseText("b.rec", "model\u0000").diagnostics[0]!.code, "REC1009");
  });
});
