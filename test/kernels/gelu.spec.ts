/**
 * The memory-lean exact GELU op (TypeScript: composed forward, hand-written backward; native: the
 * addon's kernels) against the plain tfjs reference on the wasm backend, on seeded random inputs,
 * forward and gradient. Tolerances in fast_vs_ref.ts.
 */
import { initBackend } from "../../src/runtime/backend.js";
import { loadNativeKernels } from "../../src/kernels/native.js";
import { geluFused } from "../../src/kernels/gelu.js";
import { geluRef } from "../../src/kernels/gelu_ref.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { Rng } from "../../src/util/rng.js";
import { assertFastMatchesRef, ELEMENTWISE_SHAPES, randomTensor } from "./fast_vs_ref.js";

const native = loadNativeKernels();

describe("GELU (memory-lean fused op)", function () {
  this.timeout(120_000);
  before(async () => {
    await initBackend("wasm");
  });
  after(async () => {
    await setKernelImpl("ts");
  });

  for (const impl of ["ts", "native"] as const) {
    it(`geluFused (${impl} kernels) equals geluRef, forward and gradient`, async function () {
      if (impl === "native" && !native) this.skip();
      await setKernelImpl(impl);
      const rng = new Rng(6);
      for (const shape of ELEMENTWISE_SHAPES) {
        assertFastMatchesRef(`gelu ${shape}`, (a) => geluFused(a!), (a) => geluRef(a!), [randomTensor(rng, shape)], randomTensor(rng, shape));
      }
    });
  }
});
