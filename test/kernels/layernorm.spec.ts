/**
 * The memory-lean LayerNorm op (TypeScript: composed forward, hand-written backward; native: the
 * addon's kernels) against the plain tfjs reference on the wasm backend, on seeded random inputs,
 * forward and every gradient. Tolerances in fast_vs_ref.ts.
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { loadNativeKernels } from "../../src/kernels/native.js";
import { layerNormFused } from "../../src/kernels/layernorm.js";
import { layerNormRef } from "../../src/kernels/layernorm_ref.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { Rng } from "../../src/util/rng.js";
import { assertFastMatchesRef, ELEMENTWISE_SHAPES, randomTensor } from "./fast_vs_ref.js";

const native = loadNativeKernels();

describe("LayerNorm (memory-lean fused op)", function () {
  this.timeout(120_000);
  before(async () => {
    await initBackend("wasm");
  });
  after(async () => {
    await setKernelImpl("ts");
  });

  for (const impl of ["ts", "native"] as const) {
    it(`layerNormFused (${impl} kernels) equals layerNormRef, forward and gradients of x, gamma, beta`, async function () {
      if (impl === "native" && !native) this.skip();
      await setKernelImpl(impl);
      const rng = new Rng(5);
      for (const shape of ELEMENTWISE_SHAPES) {
        const dim = shape[2]!;
        const x = randomTensor(rng, shape);
        const gamma = tf.add(randomTensor(rng, [dim]), 1);
        const beta = randomTensor(rng, [dim]);
        assertFastMatchesRef(`layernorm ${shape}`, (a, g, b) => layerNormFused(a!, g!, b!, 1e-12),
          (a, g, b) => layerNormRef(a as tf.Tensor3D, g!, b!, 1e-12), [x, gamma, beta], randomTensor(rng, shape));
      }
    });
  }
});
