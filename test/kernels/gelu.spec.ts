/**
 * The memory-lean exact GELU op (TypeScript: composed forward, hand-written backward; native: the
 * addon's kernels) against the plain tfjs reference on the wasm backend, on seeded random inputs,
 * forward and gradient. Tolerances in fast_vs_ref.ts.
 */
import { geluFused } from "../../src/kernels/gelu.js";
import { geluRef } from "../../src/kernels/gelu_ref.js";
import { assertFastMatchesRef, ELEMENTWISE_SHAPES, randomTensor } from "./fast_vs_ref.js";
import { describeElementwiseOp } from "./kernel_sets.js";

describeElementwiseOp("GELU (memory-lean fused op)", (impl) => `geluFused (${impl} kernels) equals geluRef, forward and gradient`, 6, (rng) => {
  for (const shape of ELEMENTWISE_SHAPES) {
    assertFastMatchesRef(`gelu ${shape}`, (a) => geluFused(a!), (a) => geluRef(a!), [randomTensor(rng, shape)], randomTensor(rng, shape));
  }
});
