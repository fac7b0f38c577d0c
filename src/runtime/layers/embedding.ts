import * as tf from "@tensorflow/tfjs-core";
import type { BuildContext } from "../module.js";
import { WEIGHT_STD } from "./common.js";

export interface ItemEmbeddingOptions {
  /** Real items; the table has numItems + 1 rows, row 0 being padding. */
  readonly numItems: number;
  readonly dim: number;
  /** One more row, numItems + 1: the mask token of `targets: masked` (BERT4Rec). */
  readonly maskToken?: boolean;
}

export interface ItemEmbedding {
  readonly name: string;
  /** [numItems + 1, dim] (+1 row with a mask token); row 0 is zero and stays zero (padding never passes a gradient to it). */
  readonly table: tf.Variable<tf.Rank.R2>;
  /** ids [batch * len] row-major -> [batch, len, dim]; padding positions give zero vectors. */
  lookup(ids: Int32Array, batch: number, len: number): tf.Tensor3D;
}

/** Item embedding N(0, 0.02) with a zero padding row 0. */
export const itemEmbedding = (ctx: BuildContext, name: string, cfg: ItemEmbeddingOptions): ItemEmbedding => {
  // Row 0 zeroed in the drawn values before the variable is made: nothing is read back.
  const table = ctx.params.create(`${name}.weight`, [cfg.numItems + 1 + (cfg.maskToken ? 1 : 0), cfg.dim], { kind: "normal", std: WEIGHT_STD },
    (values) => values.fill(0, 0, cfg.dim)) as tf.Variable<tf.Rank.R2>;
  return {
    name,
    table,
    lookup: (ids, batch, len) => {
      const mask = tf.tensor3d(Float32Array.from(ids, (i) => (i > 0 ? 1 : 0)), [batch, len, 1]);
      const rows = tf.gather(table, tf.tensor1d(ids, "int32")); // [batch * len, dim]
      return tf.mul(tf.reshape(rows, [batch, len, cfg.dim]), mask);
    },
  };
};
