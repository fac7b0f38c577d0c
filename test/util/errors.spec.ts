import { strict as assert } from "node:assert";
import { fatalReport, UserError } from "../../src/util/errors.js";

// The errors tfjs-backend-wasm throws (this project's TypeScript lib has no WebAssembly types).
const { RuntimeError } = (globalThis as unknown as { WebAssembly: { RuntimeError: new (message: string) => Error } }).WebAssembly;

describe("fatal error reports", () => {
  it("a user error: its message alone, exit 1", () => {
    assert.deepEqual(fatalReport(new UserError("spec.rec:3:4: error REC1003: expected '{'")), { message: "spec.rec:3:4: error REC1003: expected '{'", code: 1 });
  });

  it("the wasm heap running out: what to lower, exit 1, no stack trace", () => {
    for (const err of [
      new RuntimeError("memory access out of bounds"),
      new RuntimeError("Aborted(OOM)"),
      new RangeError("Array buffer allocation failed"),
      new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded"),
    ]) {
      const r = fatalReport(err);
      assert.equal(r.code, 1, err.message);
      assert.match(r.message, /^reccompile: out of memory \(.+\)\. .*train\.batch or data\.max_len/);
      assert.doesNotMatch(r.message, /\n\s+at /);
    }
  });

  it("anything else: an internal error with its stack, exit 2", () => {
    for (const err of [new TypeError("x is undefined"), new RuntimeError("unreachable"), new RangeError("Invalid array length"), "a string"]) {
      const r = fatalReport(err);
      assert.equal(r.code, 2);
      assert.match(r.message, /^reccompile: internal error: /);
    }
    assert.match(fatalReport(new TypeError("x is undefined")).message, /\n\s+at /);
  });
});
