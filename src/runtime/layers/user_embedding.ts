import * as tf from "@tensorflow/tfjs-core";
import { normalInit } from "../params.js";
import { concatLast } from "../../kernels/concat_last.js";
import type { BuildContext, Module } from "../module.js";

export interface UserEmbeddingOptions {
  /** Width of the state it joins. */
  readonly inDim: number;
  readonly dim: number;
}

/**
 * `embedding users(dim)`: a table of one row per training user (ctx.numUsers) after a zero row 0,
 * as RecBole's user table has its padding user 0; N(0, 1/dim) as RecBole's Caser initialises its
 * embeddings. Each row of the batch gets its user's row (ForwardContext.users: user u is row u + 1),
 * repeated along the sequence and joined after the state: [h, P_u]. A row without a training user
 * (user -1: a history given to `recommend`) gets row 0, which is zero and stays zero (it passes no
 * gradient), so it joins zeros.
 */
export const userEmbedding = (ctx: BuildContext, name: string, cfg: UserEmbeddingOptions): Module => {
  const numUsers = ctx.numUsers;
  if (numUsers === undefined) throw new Error(`${name}: embedding users needs the number of users, which this build context does not give`);
  const table = ctx.params.create(`${name}.weight`, [numUsers + 1, cfg.dim], normalInit(1 / cfg.dim), (v) => v.fill(0, 0, cfg.dim)) as tf.Variable<tf.Rank.R2>;
  return {
    name,
    pointwise: true, // each row's user joins every position alike
    apply: (x, fwd) => {
      const [batch, len] = x.shape;
      const users = fwd.users;
      if (users === undefined || users.length !== batch) throw new Error(`${name}: the batch's ${batch} rows come without their users`);
      const known = Float32Array.from(users, (u) => (u >= 0 ? 1 : 0));
      for (const u of users) if (u >= numUsers) throw new Error(`${name}: user ${u} is outside the table of ${numUsers} users`);
      const rows = tf.mul(tf.gather(table, tf.tensor1d(Int32Array.from(users, (u) => Math.max(0, u + 1)), "int32")), tf.tensor2d(known, [batch, 1])); // [batch, dim]
      // A broadcasting add, not tile or broadcastTo (a Tile too): their gradient is one slice per position.
      const spread = tf.add(tf.zeros([1, len, 1]), tf.expandDims(rows, 1)) as tf.Tensor3D; // [batch, len, dim]
      return concatLast([x, spread]);
    },
  };
};
