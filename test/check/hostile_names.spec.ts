/**
 * Every name is data: a layer, block, parameter, section key or option named after a member of
 * Object.prototype is refused with a located diagnostic like any unknown name, never inherited
 * from the prototype, never silently dropped, and never a crash.
 */
import { strict as assert } from "node:assert";
import { isLeft } from "fp-ts/lib/Either.js";
import { checkText } from "../../src/check/index.js";

const NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__defineGetter__"];

const base = (model: string, sections = ""): string => `model M {\n  embedding items(dim: 8)\n${model}\n  output tied\n}\n${sections}`;

/** The spec's error diagnostics as `code line:col`; fails if the spec checks (or if the checker throws). */
const errors = (text: string): string[] => {
  const r = checkText("hostile.rec", text);
  assert.ok(isLeft(r), `expected errors for:\n${text}`);
  return r.left.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.span.start.line}:${d.span.start.col}`);
};

describe("names from Object.prototype", () => {
  for (const name of NAMES) {
    describe(`'${name}'`, () => {
      it("as a layer: REC2007 unknown layer, at the name", () => {
        assert.deepEqual(errors(base(`  ${name}(rate: 0.1)`)), ["REC2007 3:3"]);
      });
      it("as a parameter of a layer: REC2008 unknown parameter, at the name", () => {
        assert.deepEqual(errors(base(`  layernorm(${name}: 1)`)), ["REC2008 3:13"]);
        assert.deepEqual(errors(base(`  mamba(${name}: 4)`)), ["REC2008 3:9"]);
      });
      it("as a section key: REC2003 unknown key, at the key", () => {
        assert.deepEqual(errors(base("  dropout(0.1)", `data { ${name}: 3 }\n`)), ["REC2003 6:8"]);
      });
      it("as an option of a choice: REC2014 unknown option, at the option", () => {
        assert.deepEqual(errors(base("  dropout(0.1)", `train { optimizer: ${name} }\n`)), ["REC2014 6:20"]);
        assert.deepEqual(errors(base("  dropout(0.1)", `train { schedule: ${name}(every: 2) }\n`)), ["REC2014 6:19"]);
      });
      it("as a block and its use: checks like any other block name", () => {
        const r = checkText("hostile.rec", `block ${name}(p) {\n  dropout(p)\n}\n${base(`  ${name}(p: 0.1)`)}`);
        // A block may carry any name that is not a built-in layer's; using it must work or be refused, never crash.
        if (isLeft(r)) assert.ok(r.left.length > 0);
        else assert.equal(r.right.spec.model.kind, "sequence");
      });
    });
  }
});
