/**
 * Plain reference of the selective scan: a loop over time with tfjs ops that autodiff
 * differentiates. Holds every state, so it is for small sizes only (tests).
 */
import * as tf from "@tensorflow/tfjs-core";

/** Same contract as selective_scan.ts `selectiveScan`. */
export const selectiveScanRef = (u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D,
  D: tf.Tensor1D, deltaBias: tf.Tensor1D): tf.Tensor3D => {
  const [batch, len, dInner] = u.shape;
  const dState = A.shape[1];
  const dt = tf.softplus(tf.add(delta, deltaBias)); // [batch, len, dInner]
  let h: tf.Tensor3D = tf.zeros([batch, dInner, dState]);
  const ys: tf.Tensor2D[] = [];
  for (let t = 0; t < len; t++) {
    const dtT = tf.reshape(tf.slice(dt, [0, t, 0], [batch, 1, dInner]), [batch, dInner]); // [batch, dInner]
    const uT = tf.reshape(tf.slice(u, [0, t, 0], [batch, 1, dInner]), [batch, dInner]); // [batch, dInner]
    const bT = tf.slice(B, [0, t, 0], [batch, 1, dState]); // [batch, 1, dState]
    const cT = tf.slice(C, [0, t, 0], [batch, 1, dState]); // [batch, 1, dState]
    const decay = tf.exp(tf.mul(tf.expandDims(dtT, 2), A)); // [batch, dInner, dState]
    h = tf.add(tf.mul(decay, h), tf.mul(tf.expandDims(tf.mul(dtT, uT), 2), bT)); // [batch, dInner, dState]
    ys.push(tf.add(tf.sum(tf.mul(h, cT), 2), tf.mul(D, uT))); // [batch, dInner]
  }
  return tf.stack(ys, 1) as tf.Tensor3D; // [batch, len, dInner]
};
