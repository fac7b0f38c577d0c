/**
 * The Mamba output gate y * SiLU(z) as one memory-lean tfjs op: one tf.customGrad, so the gradient
 * tape keeps only y and z. The addon's kernel when the native set is selected
 * (native_elementwise.ts); otherwise the composed tfjs ops inside a tidy. Same math as
 * `siluGateRef` (silu_gate_ref.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { nativeElementwise } from "./native_elementwise.js";
import { fused } from "./zero_copy.js";
import { onWebgpu } from "./webgpu/ops.js";

/** y * SiLU(z) = y * z * sigmoid(z), y and z of one shape. */
export const siluGateFused = <T extends tf.Tensor>(y: T, z: T): T => {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [ys, zs] = args as tf.Tensor[];
    (args[2] as tf.GradSaveFunc)([ys!, zs!]);
    const ew = onWebgpu() ? null : nativeElementwise();
    if (ew && ys!.dtype === "float32" && zs!.dtype === "float32" && ys!.size === zs!.size) {
      const [value] = fused([ys!, zs!], [ys!.shape], ([yv, zv], [o]) => ew.siluGateForward(yv!, zv!, o!), false);
      return {
        value: value!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => fused([saved[0]!, saved[1]!, dy], [ys!.shape, zs!.shape],
          ([yv, zv, d], [dY, dZ]) => ew.siluGateBackward(yv!, zv!, d!, dY!, dZ!), false),
      };
    }
    const value = tf.tidy(() => tf.mul(ys!, tf.mul(zs!, tf.sigmoid(zs!))));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [y0, z0] = saved as [tf.Tensor, tf.Tensor];
        const sig = tf.sigmoid(z0);
        const dY = tf.mul(dy, tf.mul(z0, sig));
        const dZ = tf.mul(tf.mul(dy, y0), tf.mul(sig, tf.add(1, tf.mul(z0, tf.sub(1, sig)))));
        return [dY, dZ];
      }),
    };
  });
  return op(y, z) as T;
};
