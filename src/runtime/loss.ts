/**
 * Training loss: softmax cross-entropy over the whole catalogue (padding column excluded), with
 * label smoothing, averaged over a batch's prediction targets. Which positions carry targets is the
 * batch's business (trainer.ts): every position (`all_positions`) or the last of each prefix (`last`).
 */
import * as tf from "@tensorflow/tfjs-core";
import { linearCrossEntropy, type ScoreAdjustment } from "../kernels/linear_ce.js";
import { linearCrossEntropyRef } from "../kernels/linear_ce_ref.js";
import type { ForwardContext } from "./module.js";
import type { SequenceNet } from "./net.js";

/** A training batch: `rows` right-padded rows of `len`; targets[i] = 0 where position i predicts nothing. */
export interface TrainBatch {
  readonly rows: number;
  readonly len: number;
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  /** Number of non-zero targets. */
  readonly count: number;
  /** Each row's user (index of its training sequence), for a user table. */
  readonly users?: Int32Array;
}

/** Hidden states at target positions only, [count, dim], their targets, and their flat positions in the batch. */
const targetStates = (net: SequenceNet, b: TrainBatch, fwd: ForwardContext): { h: tf.Tensor2D; targets: Int32Array; positions: Int32Array } => {
  const h = net.hidden(b.inputs, b.rows, b.len, b.users ? { ...fwd, users: b.users } : fwd); // [rows, len, dim]
  const positions = new Int32Array(b.count);
  const targets = new Int32Array(b.count);
  let k = 0;
  for (let i = 0; i < b.targets.length; i++) {
    if (b.targets[i]! > 0) {
      positions[k] = i;
      targets[k++] = b.targets[i]!;
    }
  }
  const flat = tf.reshape(h, [b.rows * b.len, h.shape[2]]) as tf.Tensor2D; // [rows * len, dim]
  // Every position a target (all_positions without padding): the gather would be the identity.
  if (k === b.targets.length) return { h: flat, targets, positions };
  return { h: tf.gather(flat, tf.tensor1d(positions, "int32")) as tf.Tensor2D, targets, positions }; // [count, dim]
};

/** The seen-aware adjustment of the batch's predictions, when the model has one: from each row's items up to the prediction's position. */
const adjustment = (net: SequenceNet, b: TrainBatch, h: tf.Tensor2D, positions: Int32Array): ScoreAdjustment | null =>
  net.seen ? net.seen.adjustment(h, b.inputs, b.len, positions, net.numItems) : null;

/**
 * Cross-entropy summed over the batch's targets and divided by `per` (by default their count: the
 * mean), through the fused linear cross-entropy op. A micro-batch divides by its whole batch's
 * count, so that the parts' losses and gradients add up to the batch's.
 */
export const sequenceLoss = (net: SequenceNet, b: TrainBatch, labelSmoothing: number, fwd: ForwardContext, per = b.count): tf.Scalar => {
  const { h, targets, positions } = targetStates(net, b, fwd);
  return tf.div(linearCrossEntropy(h, net.outputMatrix(), targets, labelSmoothing, adjustment(net, b, h, positions)), per);
};

/** The same loss from full logits and logSoftmax (tests only: holds [count, items]). */
export const sequenceLossRef = (net: SequenceNet, b: TrainBatch, labelSmoothing: number, fwd: ForwardContext): tf.Scalar => {
  const { h, targets, positions } = targetStates(net, b, fwd);
  return tf.div(linearCrossEntropyRef(h, net.outputMatrix(), targets, labelSmoothing, adjustment(net, b, h, positions)), b.count);
};
