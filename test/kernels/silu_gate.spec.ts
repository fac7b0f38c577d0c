/**
 * The memory-lean SiLU gate y * SiLU(z) (TypeScript: composed forward, hand-written backward;
 * native: the addon's kernels) against the plain tfjs reference on the wasm backend, on seeded
 * random inputs, forward and both gradients. Tolerances in fast_vs_ref.ts.
 */
import { initBackend } from "../../src/runtime/backend.js";
import { loadNativeKernels } from "../../src/kernels/native.js";
import { siluGateFused } from "../../src/kernels/silu_gate.js";
import { siluGateRef } from "../../src/kernels/silu_gate_ref.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { Rng } from "../../src/util/rng.js";
import { assertFastMatchesRef, ELEMENTWISE_SHAPES, randomTensor } from "./fast_vs_ref.js";

const native = loadNativeKernels();

describe("SiLU gate (memory-lean fused op)", function () {
  this.timeout(120_000);
  before(async () => {
    await initBackend("wasm");
  });
  after(async () => {
    await setKernelImpl("ts");
  });

  for (const impl of ["ts", "native"] as const) {
    it(`siluGateFused (${impl} kernels) equals siluGateRef, forward and gradients of y and z`, async function () {
      if (impl === "native" && !native) this.skip();
      await setKernelImpl(impl);
      const rng = new Rng(7);
      for (const shape of ELEMENTWISE_SHAPES) {
        const ins = [randomTensor(rng, shape), randomTensor(rng, shape)];
        assertFastMatchesRef(`silu gate ${shape}`, (y, z) => siluGateFused(y!, z!), (y, z) => siluGateRef(y!, z!), ins, randomTensor(rng, shape));
      }
    });
  }
});
