/** The comparison the memory-lean elementwise ops' tests share. */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../../src/util/rng.js";
import { relErr } from "../runtime/helpers.js";

export const randomTensor = (rng: Rng, shape: number[]): tf.Tensor =>
  tf.tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.normal()), shape);

/** Small, and large enough (> 65,536 elements) for the native kernels' threaded paths. */
export const ELEMENTWISE_SHAPES: number[][] = [[3, 7, 16], [4, 300, 64]];

/**
 * `fast` against `ref` on `ins`: the outputs (relative error < 1e-6), the loss sum(op * w) (< 1e-4
 * of max(1, |loss|)) and its gradient with respect to every input (relative error < 2e-5).
 */
export const assertFastMatchesRef = (name: string, fast: (...t: tf.Tensor[]) => tf.Tensor,
  ref: (...t: tf.Tensor[]) => tf.Tensor, ins: tf.Tensor[], w: tf.Tensor): void => {
  const loss = (f: (...t: tf.Tensor[]) => tf.Tensor) => (...t: tf.Tensor[]) => tf.sum(tf.mul(f(...t), w)) as tf.Scalar;
  const a = tf.valueAndGrads(loss(fast))(ins);
  const r = tf.valueAndGrads(loss(ref))(ins);
  const fwd = relErr(fast(...ins).dataSync(), ref(...ins).dataSync());
  assert.ok(fwd < 1e-6, `${name} forward: relative error ${fwd}`);
  const lr = r.value.dataSync()[0]!;
  assert.ok(Math.abs(a.value.dataSync()[0]! - lr) < 1e-4 * Math.max(1, Math.abs(lr)), `${name} loss`);
  a.grads.forEach((g, i) => {
    const err = relErr(g.dataSync(), r.grads[i]!.dataSync());
    assert.ok(err < 2e-5, `${name} gradient ${i}: relative error ${err}`);
  });
};
