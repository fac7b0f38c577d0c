/**
 * Exact GELU as one memory-lean tfjs op: one tf.customGrad, so the gradient tape keeps only x. The
 * addon's kernel when the native set is selected (native_elementwise.ts; erf as tfjs's, A&S
 * 7.1.26); otherwise the composed tfjs ops inside a tidy. Same math as `geluRef` (gelu_ref.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { nativeElementwise } from "./native_elementwise.js";
import { fused } from "./zero_copy.js";
import { onWebgpu } from "./webgpu/ops.js";

/** Exact GELU 0.5 x (1 + erf(x / sqrt 2)); gradient 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2 / 2) / sqrt(2 pi). */
export const geluFused = <T extends tf.Tensor>(x: T): T => {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([xs]);
    const ew = xs.dtype === "float32" && !onWebgpu() ? nativeElementwise() : null;
    if (ew) {
      const [value] = fused([xs], [xs.shape], ([v], [y]) => ew.geluForward(v!, y!), false);
      return {
        value: value!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => fused([saved[0]!, dy], [xs.shape], ([v, d], [dx]) => ew.geluBackward(v!, d!, dx!), false)[0]!,
      };
    }
    const value = tf.tidy(() => tf.mul(tf.mul(xs, 0.5), tf.add(tf.erf(tf.mul(xs, Math.SQRT1_2)), 1)));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const x0 = saved[0]!;
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(x0, Math.SQRT1_2)), 1), 0.5);
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(x0), -0.5)), 1 / Math.sqrt(2 * Math.PI));
        return tf.mul(dy, tf.add(cdf, tf.mul(x0, pdf)));
      }),
    };
  });
  return op(x) as T;
};
