/** Plain reference of the causal additive attention pooling with tfjs ops (autodiff differentiates it). */
import * as tf from "@tensorflow/tfjs-core";

/**
 * Same contract as additive_pool.ts `additivePool`: key, query, x [batch, len, H], v [H] -> c [batch, len, H].
 * Forms the whole [batch, len, len, H] tensor of sigmoids: a reference, not a fast path.
 */
export const additivePoolRef = (key: tf.Tensor3D, query: tf.Tensor3D, v: tf.Tensor1D, x: tf.Tensor3D): tf.Tensor3D => {
  const len = key.shape[1];
  const s = tf.sigmoid(tf.add(tf.expandDims(query, 2), tf.expandDims(key, 1))); // [batch, t, j, H]
  const a = tf.sum(tf.mul(s, v), -1); // [batch, t, j]
  const causal = tf.linalg.bandPart(tf.ones([len, len]), -1, 0); // 1 where j <= t
  return tf.matMul(tf.mul(a, causal), x) as tf.Tensor3D;
};
