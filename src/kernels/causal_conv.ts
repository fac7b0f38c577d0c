/**
 * The causal depthwise conv + SiLU as one tfjs op (one tf.customGrad, so the gradient tape records
 * one node) running the selected kernel (select.ts). On webgpu, the WGSL op.
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { kernels } from "./select.js";
import { fused } from "./zero_copy.js";
import { causalConvSiluWebgpu, onWebgpu } from "./webgpu/ops.js";

/**
 * Causal depthwise conv1d with bias, then SiLU. x: [batch, len, channels]; w: [channels, kernel];
 * bias: [channels]. Returns [batch, len, channels].
 */
export const causalConvSilu = (x: tf.Tensor3D, w: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D => {
  if (onWebgpu()) return causalConvSiluWebgpu(x, w, bias);
  const [batch, len, channels] = x.shape;
  const dims = { batch, len, channels, kernel: w.shape[1] };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ins = args.slice(0, 3) as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const kernel = kernels().conv;
    const [value] = fused(ins, [x.shape], ([xs, ws, bs], [y]) => kernel.forward(dims, xs!, ws!, bs!, y!));
    save(ins);
    return {
      value: value as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        fused([...saved, dy], [x.shape, w.shape, bias.shape], ([xs, ws, bs, g], [dx, dw, db]) =>
          kernel.backward(dims, xs!, ws!, bs!, g!, dx!, dw!, db!)),
    };
  });
  return op(x, w, bias) as tf.Tensor3D;
};
