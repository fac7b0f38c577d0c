/**
 * Plain reference of the fused linear cross-entropy: the whole [tokens, vocab-1] logits, then
 * logSoftmax, with tfjs ops that autodiff differentiates.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ScoreAdjustment } from "./linear_ce.js";

/**
 * The adjustment as a dense [tokens, vocab-1] term: a gather from [0, ...values] by a matrix that
 * holds k + 1 where token t lists item i (entry k) and 0 elsewhere, so autodiff reaches `values`.
 */
export const denseAdjustment = (a: ScoreAdjustment, tokens: number, real: number): tf.Tensor2D => {
  const at = new Int32Array(tokens * real);
  for (let t = 0; t < tokens; t++)
    for (let k = a.offsets[t]!; k < a.offsets[t + 1]!; k++) at[t * real + a.items[k]! - 1] = k + 1;
  const padded = tf.concat([tf.zeros([1]), a.values]);
  return tf.reshape(tf.gather(padded, tf.tensor1d(at, "int32")), [tokens, real]);
};

/** Same contract as linear_ce.ts `linearCrossEntropy`. */
export const linearCrossEntropyRef = (h: tf.Tensor2D, W: tf.Tensor2D, targets: Int32Array, labelSmoothing = 0,
  adjust: ScoreAdjustment | null = null): tf.Scalar => {
  const [tokens, hidden] = h.shape;
  const real = W.shape[0] - 1;
  const plain = tf.matMul(h, tf.slice(W, [1, 0], [real, hidden]), false, true); // [tokens, vocab-1]
  const logits = adjust ? tf.add(plain, denseAdjustment(adjust, tokens, real)) : plain;
  const logp = tf.logSoftmax(logits); // [tokens, vocab-1]
  const mask = tf.tensor2d(Float32Array.from(targets, (y) => (y > 0 ? 1 : 0)), [tokens, 1]);
  const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(targets, (y) => Math.max(0, y - 1)), "int32"), real);
  const q = tf.mul(tf.add(tf.mul(onehot, 1 - labelSmoothing), labelSmoothing / real), mask); // [tokens, vocab-1]
  return tf.neg(tf.sum(tf.mul(q, logp))) as tf.Scalar;
};
