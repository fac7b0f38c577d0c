/** What every layer factory returns, and what it is built and run with. */
import type * as tf from "@tensorflow/tfjs-core";
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
}

export const evalContext = (rng: Rng): ForwardContext => ({ training: false, rng });
