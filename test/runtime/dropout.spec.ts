/**
 * The dropout mask's fast paths (src/runtime/layers/dropout.ts `fillMask`: the JS loop with the
 * generator state in locals, and the addon's `dropoutMask` when the native kernels are selected)
 * draw exactly what Rng.uniform() draws, and leave the generator where it would. Native skips
 * when the addon is not built.
 */
import { strict as assert } from "node:assert";
import { loadNativeKernels } from "../../src/kernels/native.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { fillMask, fillMaskRef } from "../../src/runtime/layers/dropout.js";
import { Rng } from "../../src/util/rng.js";

const native = loadNativeKernels();

describe("dropout mask", () => {
  after(async () => {
    await setKernelImpl("ts");
  });

  for (const impl of ["ts", "native"] as const) it(`fillMask (${impl}) draws exactly what Rng.uniform() draws`, async function () {
    if (impl === "native" && !native) this.skip();
    await setKernelImpl(impl);
    for (const keep of [0.8, 0.5, 0.1, 1]) {
      const a = new Rng(11);
      const b = new Rng(11);
      a.normal(); // leaves a spare normal: the state must survive
      b.normal();
      const m1 = new Float32Array(10_007);
      const m2 = new Float32Array(10_007);
      fillMaskRef(a, m1, keep, 1 / keep);
      fillMask(b, m2, keep, 1 / keep);
      assert.deepEqual(m2, m1);
      assert.equal(b.normal(), a.normal());
      assert.equal(b.uniform(), a.uniform());
    }
    await setKernelImpl("ts");
  });
});
