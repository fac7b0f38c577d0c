/**
 * Scoring on the webgpu backend: the last-position form of each shipped model's scorer (module.ts,
 * `applyLast`) against its plain form there (every position, then the last row), seeded random
 * weights, histories of mixed lengths.
 */
import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { checkFile } from "../../src/check/index.js";
import { scorerFormsGap } from "../runtime/helpers.js";
import { restoreBackend, useWebgpuOrSkip } from "./helpers.js";

describe("scoring on the webgpu backend", function () {
  before(useWebgpuOrSkip);
  after(restoreBackend);

  for (const name of ["mamba4rec-seen", "sasrec", "bert4rec", "narm", "caser", "gru4rec"]) {
    it(`${name}: the last-position scorer equals every position's, then the last row`, async () => {
      const checked = checkFile(`specs/${name}.rec`);
      assert.ok(isRight(checked));
      const spec = checked.right.spec;
      assert.equal(spec.model.kind, "sequence");
      if (spec.model.kind !== "sequence") return;
      const err = await scorerFormsGap(spec.model, 9);
      assert.ok(err < 1e-4, `${name}: scores differ by ${err}`);
    });
  }
});
