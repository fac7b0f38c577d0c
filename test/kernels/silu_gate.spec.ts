/**
 * The memory-lean SiLU gate y * SiLU(z) (TypeScript: composed forward, hand-written backward;
 * native: the addon's kernels) against the plain tfjs reference on the wasm backend, on seeded
 * random inputs, forward and both gradients. Tolerances in fast_vs_ref.ts.
 */
import { siluGateFused } from "../../src/kernels/silu_gate.js";
import { siluGateRef } from "../../src/kernels/silu_gate_ref.js";
import { assertFastMatchesRef, ELEMENTWISE_SHAPES, randomTensor } from "./fast_vs_ref.js";
import { describeElementwiseOp } from "./kernel_sets.js";

describeElementwiseOp("SiLU gate (memory-lean fused op)", (impl) => `siluGateFused (${impl} kernels) equals siluGateRef, forward and gradients of y and z`, 7, (rng) => {
  for (const shape of ELEMENTWISE_SHAPES) {
    const ins = [randomTensor(rng, shape), randomTensor(rng, shape)];
    assertFastMatchesRef(`silu gate ${shape}`, (y, z) => siluGateFused(y!, z!), (y, z) => siluGateRef(y!, z!), ins, randomTensor(rng, shape));
  }
});
