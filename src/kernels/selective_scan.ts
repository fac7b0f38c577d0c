/**
 * The selective scan as one tfjs op (one tf.customGrad, so the gradient tape records one node): the
 * forward runs the selected kernel (select.ts) and keeps its state checkpoints in JS memory for the
 * backward, so an op whose gradient is never asked for leaks nothing. On webgpu, the WGSL op.
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { kernels } from "./select.js";
import { scanCheckpointSize, type ScanDims, type ScanInputs } from "./types.js";
import { fused } from "./zero_copy.js";
import { onWebgpu, selectiveScanWebgpu } from "./webgpu/ops.js";

/**
 * Selective scan with softplus(delta + deltaBias) fused (see types.ts for the equations).
 * u, delta: [batch, len, dInner]; A: [dInner, dState]; B, C: [batch, len, dState]; D, deltaBias: [dInner].
 * Returns y [batch, len, dInner]. States are checkpointed every `chunk` steps.
 */
export const selectiveScan = (u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D,
  D: tf.Tensor1D, deltaBias: tf.Tensor1D, chunk = 16): tf.Tensor3D => {
  if (onWebgpu()) return selectiveScanWebgpu(u, delta, A, B, C, D, deltaBias, chunk);
  const [batch, len, dInner] = u.shape;
  const dState = A.shape[1];
  const dims: ScanDims = { batch, len, dInner, dState, chunk };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ins = args.slice(0, 7) as tf.Tensor[];
    const save = args[7] as tf.GradSaveFunc;
    const checkpoints = new Float32Array(scanCheckpointSize(dims));
    const kernel = kernels().scan;
    const asInputs = (v: Float32Array[]): ScanInputs<Float32Array> =>
      ({ u: v[0]!, delta: v[1]!, A: v[2]!, B: v[3]!, C: v[4]!, D: v[5]!, deltaBias: v[6]! });
    const [value] = fused(ins, [[batch, len, dInner]], (v, [y]) => kernel.forward(dims, asInputs(v), { y: y!, checkpoints }));
    save(ins);
    return {
      value: value as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        fused([...saved, dy], [u.shape, u.shape, A.shape, B.shape, C.shape, [dInner], [dInner]], (v, o) => {
          kernel.backward(dims, asInputs(v), checkpoints, v[7]!,
            { du: o[0]!, ddelta: o[1]!, dA: o[2]!, dB: o[3]!, dC: o[4]!, dD: o[5]!, dDeltaBias: o[6]! });
        }),
    };
  });
  return op(u, delta, A, B, C, D, deltaBias) as tf.Tensor3D;
};
