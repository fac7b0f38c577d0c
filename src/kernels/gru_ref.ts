/** Plain reference of the GRU recurrence with tfjs ops, one step at a time (autodiff differentiates it). */
import * as tf from "@tensorflow/tfjs-core";

/** Same contract as gru.ts `gruRecurrence`: xi [batch, len, 3H], Wh [H, 3H], bh [3H] -> h [batch, len, H]. */
export const gruRecurrenceRef = (xi: tf.Tensor3D, Wh: tf.Tensor2D, bh: tf.Tensor1D): tf.Tensor3D => {
  const [batch, len, G] = xi.shape;
  const H = G / 3;
  let h: tf.Tensor2D = tf.zeros([batch, H]);
  const outs: tf.Tensor2D[] = [];
  for (let t = 0; t < len; t++) {
    const xt = tf.reshape(tf.slice(xi, [0, t, 0], [batch, 1, G]), [batch, G]);
    const hh = tf.add(tf.matMul(h, Wh), bh); // [batch, 3H]
    const [xr, xz, xn] = tf.split(xt, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const [hr, hz, hn] = tf.split(hh, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    outs.push(h);
  }
  return tf.stack(outs, 1) as tf.Tensor3D;
};
