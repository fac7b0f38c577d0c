import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { checkFile, checkText } from "../../src/check/index.js";
import { printSpec } from "../../src/ir/print.js";
import { validCases } from "../check/golden.js";

const noSpans = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v) => (k === "origin" || k === "span" || k === "file" ? undefined : v)));

describe("printSpec", () => {
  for (const f of ["specs/mamba4rec.rec", "specs/sasrec.rec", "specs/gru4rec.rec", "specs/pop.rec", ...validCases()]) {
    it(`checks back to an equal IR: ${f}`, () => {
      const r = checkFile(f);
      assert.ok(isRight(r));
      const text = printSpec(r.right.spec);
      const back = checkText("printed.rec", text);
      assert.ok(isRight(back), JSON.stringify(back));
      assert.deepEqual(noSpans(back.right.spec), noSpans(r.right.spec));
      assert.equal(printSpec(back.right.spec), text);
    });
  }
});
