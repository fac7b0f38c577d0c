/**
 * LayerNorm as one memory-lean tfjs op: one tf.customGrad, so the gradient tape keeps only x and
 * gamma instead of every intermediate of the composed form. The addon's kernel when the native set
 * is selected (native_elementwise.ts); otherwise the composed tfjs ops inside a tidy, the backward
 * recomputing what it needs. Same math as `layerNormRef` (layernorm_ref.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { nativeElementwise } from "./native_elementwise.js";
import { fused } from "./zero_copy.js";
import { onWebgpu } from "./webgpu/ops.js";

/** The leading axes of x (all but the last): the axes a per-feature gradient sums over. */
const leadingAxes = (x: tf.Tensor): number[] => x.shape.slice(0, -1).map((_, i) => i);

/** LayerNorm over the last axis, y = (x - mean) / sqrt(var + eps) * gamma + beta, biased variance. */
export const layerNormFused = <T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, eps: number): T => {
  const normalise = (xs: tf.Tensor) => {
    const mean = tf.mean(xs, -1, true);
    const centred = tf.sub(xs, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    return { xhat: tf.mul(centred, rstd), rstd };
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    (args[3] as tf.GradSaveFunc)([xs!, g!]);
    const ew = onWebgpu() ? null : nativeElementwise();
    const n = xs!.shape[xs!.shape.length - 1]!;
    if (ew && n > 0 && g!.size === n && b!.size === n && [xs!, g!, b!].every((t) => t.dtype === "float32")) {
      const rows = xs!.size / n;
      const [value] = fused([xs!, g!, b!], [xs!.shape], ([xv, gv, bv], [y]) => ew.layerNormForward(rows, n, xv!, gv!, bv!, eps, y!), false);
      return {
        value: value!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => fused([saved[0]!, saved[1]!, dy], [xs!.shape, g!.shape, b!.shape],
          ([xv, gv, d], [dx, dg, db]) => ew.layerNormBackward(rows, n, xv!, gv!, d!, eps, dx!, dg!, db!), false),
      };
    }
    const value = tf.tidy(() => tf.add(tf.mul(normalise(xs!).xhat, g!), b!));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [xs0, g0] = saved as [tf.Tensor, tf.Tensor];
        const { xhat, rstd } = normalise(xs0);
        const dxhat = tf.mul(dy, g0);
        const s1 = tf.mean(dxhat, -1, true);
        const s2 = tf.mean(tf.mul(dxhat, xhat), -1, true);
        const dx = tf.mul(tf.sub(tf.sub(dxhat, s1), tf.mul(xhat, s2)), rstd);
        const axes = leadingAxes(dy);
        return [dx, tf.sum(tf.mul(dy, xhat), axes), tf.sum(dy, axes)];
      }),
    };
  });
  return op(x, gamma, beta) as T;
};
