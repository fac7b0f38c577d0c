import * as tf from "@tensorflow/tfjs-core";
import { addAll } from "../../kernels/add_all.js";

/**
 * Scales `grads` in place (replacing, and disposing, the tensors) so their global L2 norm is at most
 * `maxNorm`, as torch.nn.utils.clip_grad_norm_. Returns the norm before clipping.
 */
export const clipByGlobalNorm = (grads: Record<string, tf.Tensor>, maxNorm: number): number => {
  const sq = squaredNorm(grads);
  const norm = Math.sqrt(sq.dataSync()[0]!);
  sq.dispose();
  return scaleTo(grads, norm, maxNorm);
};

/** `clipByGlobalNorm` reading the norm with `await data()` (every backend, webgpu included). */
export const clipByGlobalNormAsync = async (grads: Record<string, tf.Tensor>, maxNorm: number): Promise<number> => {
  const sq = squaredNorm(grads);
  const norm = Math.sqrt((await sq.data())[0]!);
  sq.dispose();
  return scaleTo(grads, norm, maxNorm);
};

const squaredNorm = (grads: Record<string, tf.Tensor>): tf.Tensor =>
  tf.tidy(() => addAll(Object.values(grads).map((g) => tf.sum(tf.square(g)))));

const scaleTo = (grads: Record<string, tf.Tensor>, norm: number, maxNorm: number): number => {
  const scale = maxNorm / (norm + 1e-6);
  if (scale < 1) {
    for (const k of Object.keys(grads)) {
      const g = grads[k]!;
      grads[k] = tf.mul(g, scale);
      g.dispose();
    }
  }
  return norm;
};
