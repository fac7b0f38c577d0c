/**
 * The memory-lean LayerNorm op (TypeScript: composed forward, hand-written backward; native: the
 * addon's kernels) against the plain tfjs reference on the wasm backend, on seeded random inputs,
 * forward and every gradient. Tolerances in fast_vs_ref.ts.
 */
import * as tf from "@tensorflow/tfjs-core";
import { layerNormFused } from "../../src/kernels/layernorm.js";
import { layerNormRef } from "../../src/kernels/layernorm_ref.js";
import { assertFastMatchesRef, ELEMENTWISE_SHAPES, randomTensor } from "./fast_vs_ref.js";
import { describeElementwiseOp } from "./kernel_sets.js";

describeElementwiseOp("LayerNorm (memory-lean fused op)", (impl) => `layerNormFused (${impl} kernels) equals layerNormRef, forward and gradients of x, gamma, beta`, 5, (rng) => {
  for (const shape of ELEMENTWISE_SHAPES) {
    const dim = shape[2]!;
    const x = randomTensor(rng, shape);
    const gamma = tf.add(randomTensor(rng, [dim]), 1);
    const beta = randomTensor(rng, [dim]);
    assertFastMatchesRef(`layernorm ${shape}`, (a, g, b) => layerNormFused(a!, g!, b!, 1e-12),
      (a, g, b) => layerNormRef(a as tf.Tensor3D, g!, b!, 1e-12), [x, gamma, beta], randomTensor(rng, shape));
  }
});
