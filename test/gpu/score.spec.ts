/**
 * Scoring on the webgpu backend: the last-position form of each shipped model's scorer (module.ts,
 * `applyLast`) against its plain form there (every position, then the last row), seeded random
 * weights, histories of mixed lengths.
 */
import { strict as assert } from "node:assert";
import { isRight } from "fp-ts/lib/Either.js";
import { checkFile } from "../../src/check/index.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { Rng } from "../../src/util/rng.js";
import { enlarge } from "../runtime/helpers.js";
import { relErr, restoreBackend, useWebgpuOrSkip } from "./helpers.js";

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
      const numItems = 29;
      const maxLen = 9;
      const net = SequenceNet.fromIR(spec.model, numItems, maxLen, new Rng(5), 4);
      enlarge(net.params, new Rng(6));
      const rng = new Rng(8);
      const histories = Array.from({ length: 10 }, (_, i) => Int32Array.from({ length: i === 0 ? 20 : 1 + rng.int(maxLen + 2) }, () => 1 + rng.int(numItems)));
      const users = Int32Array.from(histories, (_, i) => (i % 5) - 1);
      let fast: Float32Array, ref: Float32Array;
      try {
        fast = await net.scorer()(histories, users);
        ref = await net.scorer(maxLen, { reference: true })(histories, users);
      } finally {
        net.dispose(); // tf variable names are global: none may outlive the test
      }
      const finite = (a: Float32Array) => a.filter((_, j) => j % (numItems + 1) !== 0);
      const err = relErr(finite(fast), finite(ref));
      assert.ok(err < 1e-4, `${name}: scores differ by ${err}`);
    });
  }
});
