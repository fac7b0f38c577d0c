import * as tf from "@tensorflow/tfjs-core";

/**
 * Scales `grads` in place (replacing, and disposing, the tensors) so their global L2 norm is at most
 * `maxNorm`, as torch.nn.utils.clip_grad_norm_. Returns the norm before clipping.
 */
export const clipByGlobalNorm = (grads: Record<string, tf.Tensor>, maxNorm: number): number => {
  const sq = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt(sq.dataSync()[0]!);
  sq.dispose();
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
