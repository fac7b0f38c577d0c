/** Plain reference of the causal depthwise conv + SiLU with tfjs ops (autodiff differentiates it). */
import * as tf from "@tensorflow/tfjs-core";

/** Same contract as causal_conv.ts `causalConvSilu`. */
export const causalConvSiluRef = (x: tf.Tensor3D, w: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D => {
  const [batch, len, channels] = x.shape;
  const kernel = w.shape[1];
  const padded = tf.pad(x, [[0, 0], [kernel - 1, 0], [0, 0]]); // [batch, len + kernel - 1, channels]
  let pre: tf.Tensor3D = tf.add(tf.zeros([batch, len, channels]), bias);
  for (let k = 0; k < kernel; k++) {
    const wk = tf.reshape(tf.slice(w, [0, k], [channels, 1]), [channels]); // [channels]
    pre = tf.add(pre, tf.mul(tf.slice(padded, [0, k, 0], [batch, len, channels]), wk));
  }
  return tf.mul(pre, tf.sigmoid(pre));
};
