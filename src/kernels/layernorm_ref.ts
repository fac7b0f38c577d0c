/** Plain reference of the LayerNorm with tfjs ops (autodiff differentiates it). */
import * as tf from "@tensorflow/tfjs-core";

/** Same contract as layernorm.ts `layerNormFused` on [batch, len, dim]. */
export const layerNormRef = (x: tf.Tensor3D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor3D => {
  const mean = tf.mean(x, -1, true); // [batch, len, 1]
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true); // [batch, len, 1]
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor3D;
};
