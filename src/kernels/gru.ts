/**
 * The GRU recurrence as one tfjs op (one tf.customGrad, so the gradient tape records one node)
 * running the selected kernel (select.ts). The gates of every step are kept in JS memory for the
 * backward, so an op whose gradient is never asked for leaks nothing.
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { gruRecurrenceRef } from "./gru_ref.js";
import { kernels } from "./select.js";
import { gruGatesSize, type GruDims } from "./types.js";
import { fused } from "./zero_copy.js";
import { onWebgpu } from "./webgpu/ops.js";

/**
 * The GRU recurrence (types.ts, GruKernel): xi [batch, len, 3H] (the input projection, its bias
 * included), Wh [H, 3H], bh [3H] -> h [batch, len, H]. On webgpu it is the step-by-step tfjs-ops
 * reference.
 */
export const gruRecurrence = (xi: tf.Tensor3D, Wh: tf.Tensor2D, bh: tf.Tensor1D): tf.Tensor3D => {
  if (onWebgpu()) return gruRecurrenceRef(xi, Wh, bh);
  const [batch, len, G] = xi.shape;
  const hidden = Wh.shape[0];
  if (G !== 3 * hidden || Wh.shape[1] !== 3 * hidden || bh.shape[0] !== 3 * hidden) {
    throw new Error(`gruRecurrence: xi ${xi.shape}, Wh ${Wh.shape}, bh ${bh.shape} do not fit hidden ${hidden}`);
  }
  const dims: GruDims = { batch, len, hidden };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ins = args.slice(0, 3) as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const gates = new Float32Array(gruGatesSize(dims));
    const kernel = kernels().gru;
    const [value] = fused(ins, [[batch, len, hidden]], ([x, w, b], [h]) => kernel.forward(dims, x!, w!, b!, h!, gates));
    save([ins[1]!, value!]);
    return {
      value: value as tf.Tensor3D,
      gradFunc: (dh: tf.Tensor, saved: tf.Tensor[]) =>
        fused([...saved, dh], [xi.shape, Wh.shape, bh.shape], ([w, h, g], [dxi, dW, db]) =>
          kernel.backward(dims, w!, h!, gates, g!, dxi!, dW!, db!)),
    };
  });
  return op(xi, Wh, bh) as tf.Tensor3D;
};
