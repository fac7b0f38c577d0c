/**
 * Plain reference of the fused linear cross-entropy: the whole [tokens, vocab-1] logits, then
 * logSoftmax, with tfjs ops that autodiff differentiates.
 */
import * as tf from "@tensorflow/tfjs-core";

/** Same contract as linear_ce.ts `linearCrossEntropy`. */
export const linearCrossEntropyRef = (h: tf.Tensor2D, W: tf.Tensor2D, targets: Int32Array, labelSmoothing = 0): tf.Scalar => {
  const [tokens, hidden] = h.shape;
  const real = W.shape[0] - 1;
  const logits = tf.matMul(h, tf.slice(W, [1, 0], [real, hidden]), false, true); // [tokens, vocab-1]
  const logp = tf.logSoftmax(logits); // [tokens, vocab-1]
  const mask = tf.tensor2d(Float32Array.from(targets, (y) => (y > 0 ? 1 : 0)), [tokens, 1]);
  const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(targets, (y) => Math.max(0, y - 1)), "int32"), real);
  const q = tf.mul(tf.add(tf.mul(onehot, 1 - labelSmoothing), labelSmoothing / real), mask); // [tokens, vocab-1]
  return tf.neg(tf.sum(tf.mul(q, logp))) as tf.Scalar;
};
