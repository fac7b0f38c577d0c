/**
 * Spec paths reach generated code in comments and strings; a path is the user's and may hold a
 * comment terminator, a line break, a quote or a JavaScript line separator. The emitted module must
 * still parse, keep the path as data, and run nothing written in it.
 */
import { strict as assert } from "node:assert";
import { isLeft } from "fp-ts/lib/Either.js";
import { ts } from "ts-morph";
import { checkText } from "../../src/check/index.js";
import { emitModule } from "../../src/codegen/emit.js";

const SPEC = `model M {
  embedding items(dim: 8)
  repeat 2 { residual { mamba(d_state: 4)  dropout(0.1) } }
  output tied
}
`;

const PATHS = [
  "a*/b.rec",
  "dir\nname/spec.rec",
  "x\u2028y.rec",
  "q\"uote's.rec",
  "*/ globalThis.pwned = 1; /*.rec",
  "back\\slash\r\n// also.rec",
];

/** Every call expression in the module, as source text of its callee. */
const calls = (code: string): string[] => {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) out.push(n.expression.getText());
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) out.push(`assign ${n.left.getText()}`);
    n.forEachChild(visit);
  };
  visit(ts.createSourceFile("m.ts", code, ts.ScriptTarget.ES2022, true));
  return out;
};

describe("codegen: hostile spec paths", () => {
  const benign = (() => {
    const r = checkText("specs/m.rec", SPEC);
    assert.ok(!isLeft(r));
    return emitModule(r.right.spec, { specPath: "specs/m.rec", runtimeImport: "reccompile/api" });
  })();

  for (const path of PATHS) {
    it(`${JSON.stringify(path)}: the module parses, and runs the same calls as for a plain path`, () => {
      const r = checkText(path, SPEC);
      assert.ok(!isLeft(r), "the spec checks");
      const code = emitModule(r.right.spec, { specPath: path, runtimeImport: "reccompile/api" });
      const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      assert.deepEqual(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")), []);
      assert.deepEqual(calls(code), calls(benign));
      assert.equal(code.split("\n").length, benign.split("\n").length, "no line added by the path");
    });
  }
});
