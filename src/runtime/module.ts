/** What every layer factory returns, and what it is built and run with. */
import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../util/rng.js";
import type { ParamStore } from "./params.js";

/** Build time: where parameters are created. */
export interface BuildContext {
  readonly params: ParamStore;
  /** Rows of a user table (`embedding users`): the training users; absent where no layer needs one. */
  readonly numUsers?: number;
}

/** Run time: training mode switches dropout on; masks are drawn from `rng` (JS side, backend independent). */
export interface ForwardContext {
  readonly training: boolean;
  readonly rng: Rng;
  /**
   * Real items per row of the batch (rows are right-padded with item 0), set by the network for its
   * layers. Layers that look ahead (bidirectional attention) mask the padding with it; absent: no padding.
   */
  readonly lengths?: Int32Array;
  /** Each row's user (index into the training users; -1 for none), for `embedding users`. */
  readonly users?: Int32Array;
}

/** A layer: [batch, len, inDim] -> [batch, len, outDim]. */
export interface Module {
  readonly name: string;
  apply(x: tf.Tensor3D, fwd: ForwardContext): tf.Tensor3D;
  /**
   * In evaluation, each output position is a function of the same input position alone (and of its
   * row's user), not of its place in the sequence or of any other position: so the layer may be
   * applied to one position of each row by itself (`applyLast`'s default for it).
   */
  readonly pointwise?: boolean;
  /**
   * In evaluation only: the output at one position of each row, `pos[b]` of row b, as [batch, outDim],
   * equal to those rows of `apply`'s output (`applyLastReference`) but without computing what no
   * other position needs. Absent: see `applyLast`.
   */
  applyLast?(x: tf.Tensor3D, fwd: ForwardContext, pos: Int32Array): tf.Tensor2D;
}

/** Row `pos[b]` of each sequence b of x [batch, len, dim]: [batch, dim]. */
export const rowsAt = (x: tf.Tensor3D, pos: Int32Array): tf.Tensor2D => {
  const [batch, len, dim] = x.shape;
  if (pos.length !== batch) throw new Error(`rowsAt: ${pos.length} positions for ${batch} rows`);
  const flat = Int32Array.from(pos, (p, b) => {
    if (!Number.isInteger(p) || p < 0 || p >= len) throw new Error(`rowsAt: position ${p} of row ${b} is outside 0..${len - 1}`);
    return b * len + p;
  });
  return tf.gather(tf.reshape(x, [batch * len, dim]), tf.tensor1d(flat, "int32")) as tf.Tensor2D;
};

/** The plain form of `applyLast`: every position computed, then the wanted ones taken (tests, benchmarks). */
export const applyLastReference = (m: Module, x: tf.Tensor3D, fwd: ForwardContext, pos: Int32Array): tf.Tensor2D => rowsAt(m.apply(x, fwd), pos);

/**
 * The output of `m` at position `pos[b]` of each row b, [batch, outDim], for scoring (not training:
 * dropout is off, so a pointwise layer is the same function at one position as at all). The layer's
 * own `applyLast` when it has one; a pointwise layer applied to those positions alone; else every
 * position computed and the wanted ones taken.
 */
export const applyLast = (m: Module, x: tf.Tensor3D, fwd: ForwardContext, pos: Int32Array): tf.Tensor2D => {
  if (fwd.training) throw new Error(`${m.name}: applyLast is for evaluation; training needs every position`);
  if (m.applyLast) return m.applyLast(x, fwd, pos);
  if (m.pointwise) return applyRows(m, rowsAt(x, pos), fwd);
  return applyLastReference(m, x, fwd, pos);
};

/** A pointwise layer applied to one position per row, [batch, inDim] -> [batch, outDim]. */
export const applyRows = (m: Module, rows: tf.Tensor2D, fwd: ForwardContext): tf.Tensor2D => {
  const [batch, dim] = rows.shape;
  const y = m.apply(tf.reshape(rows, [batch, 1, dim]), fwd);
  return tf.reshape(y, [batch, y.shape[2]]);
};

export const evalContext = (rng: Rng): ForwardContext => ({ training: false, rng });
