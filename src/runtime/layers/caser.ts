import * as tf from "@tensorflow/tfjs-core";
import { concatLast } from "../../kernels/concat_last.js";
import type { BuildContext, Module } from "../module.js";

export interface CaserOptions {
  readonly dim: number;
  /** L: the states each position's convolutions see. */
  readonly window: number;
  /** n_h: filters per height 1..L. */
  readonly horizontal: number;
  /** n_v: vertical filters. */
  readonly vertical: number;
}

/**
 * Row indices, into the [batch * len + 1, dim] states with a zero row last, of each position's
 * window as RecBole lays out a prefix: the last `L` states up to t, oldest first, and zero rows after
 * a prefix shorter than L: at every position t of each row, or at `at[b]` of each row b alone. Then,
 * for height h, the windows' runs of h consecutive slots.
 */
const windowRows = (batch: number, len: number, L: number, at?: Int32Array): Int32Array => {
  const zero = batch * len;
  const positions = at ? batch : batch * len;
  const idx = new Int32Array(positions * L);
  for (let n = 0; n < positions; n++) {
    const b = at ? n : Math.floor(n / len);
    const t = at ? at[n]! : n % len;
    const s = Math.max(0, t - L + 1);
    for (let i = 0; i < L; i++) idx[n * L + i] = s + i <= t ? b * len + s + i : zero;
  }
  return idx;
};

const runsOf = (win: Int32Array, positions: number, L: number, h: number): Int32Array => {
  const starts = L - h + 1;
  const idx = new Int32Array(positions * starts * h);
  let o = 0;
  for (let n = 0; n < positions; n++) for (let k = 0; k < starts; k++) for (let a = 0; a < h; a++) idx[o++] = win[n * L + k + a]!;
  return idx;
};

/**
 * Caser's convolutions (Tang and Wang, WSDM 2018, as RecBole 1.2's caser.py) at every position t over
 * its window E_t (L x dim, see `windowRows`):
 *  - horizontal, for each height h = 1..L: n_h filters F [h, dim] (+ bias) at every start k:
 *    relu(sum F * E_t[k..k+h)) + b), max over k: n_h numbers per height, heights in order;
 *  - vertical: n_v filters v [L] (+ bias): sum_i v_i E_t[i, :] + b, a dim-wide row each.
 * The max passes its gradient to the first maximal start only, as PyTorch's max pooling does.
 * Output [vertical rows (n_v * dim, filter-major), horizontal (n_h * L, height-major)], RecBole's
 * `cat([out_v, out_h])`. Each convolution is a gather of the windows' rows and one matmul. Init as
 * PyTorch's Conv2d default, which RecBole keeps for Caser: U(+-1/sqrt(fan_in)) for weights and biases.
 */
export const caser = (ctx: BuildContext, name: string, cfg: CaserOptions): Module => {
  const { dim: d, window: L, horizontal: nh, vertical: nv } = cfg;
  const uniform = (fanIn: number) => ({ kind: "uniform", bound: 1 / Math.sqrt(fanIn) }) as const;
  const conv = Array.from({ length: L }, (_, i) => {
    const h = i + 1;
    return {
      W: ctx.params.create(`${name}.conv_h.${i}.weight`, [h * d, nh], uniform(h * d)) as tf.Variable<tf.Rank.R2>,
      b: ctx.params.create(`${name}.conv_h.${i}.bias`, [nh], uniform(h * d)) as tf.Variable<tf.Rank.R1>,
    };
  });
  const V = ctx.params.create(`${name}.conv_v.weight`, [L, nv], uniform(L)) as tf.Variable<tf.Rank.R2>;
  const bv = ctx.params.create(`${name}.conv_v.bias`, [nv], uniform(L)) as tf.Variable<tf.Rank.R1>;
  // The convolutions' output [N, nv * d + nh * L] at the N positions whose windows `win` lists.
  const convolve = (x: tf.Tensor3D, win: Int32Array): tf.Tensor2D => {
    const [batch, len] = x.shape;
    const N = win.length / L;
    const states = tf.concat([tf.reshape(x, [batch * len, d]), tf.zeros([1, d])], 0); // [batch * len + 1, d], zero row last
    // Vertical: [N, d, L] . [L, nv] -> [N, nv, d] (+ bias per filter).
    const E = tf.reshape(tf.gather(states, tf.tensor1d(win, "int32")), [N, L, d]);
    const vert = tf.matMul(tf.reshape(tf.transpose(E, [0, 2, 1]), [N * d, L]), V); // [N * d, nv]
    const outV = tf.reshape(tf.add(tf.transpose(tf.reshape(vert, [N, d, nv]), [0, 2, 1]), tf.reshape(bv, [1, nv, 1])), [N, nv * d]);
    const outH = conv.map(({ W, b }, i) => {
      const h = i + 1;
      const starts = L - h + 1;
      const runs = tf.reshape(tf.gather(states, tf.tensor1d(runsOf(win, N, L, h), "int32")), [N * starts, h * d]);
      const act = tf.transpose(tf.reshape(tf.relu(tf.add(tf.matMul(runs, W), b)), [N, starts, nh]), [0, 2, 1]); // [N, nh, starts]
      // Max over the starts with its gradient to the first maximum only, as PyTorch's max pooling
      // (tf.max would pass it to every tied start, and zero-padded windows tie).
      if (starts === 1) return tf.reshape(act, [N, nh]);
      const first = tf.cast(tf.oneHot(tf.argMax(act, 2), starts), "float32"); // [N, nh, starts] (int32 first: wasm's float32 oneHot writes integer bits)
      return tf.sum(tf.mul(act, first), 2); // [N, nh]
    });
    return concatLast([outV, ...outH] as tf.Tensor2D[]);
  };
  return {
    name,
    apply: (x) => {
      const [batch, len] = x.shape;
      return tf.reshape(convolve(x, windowRows(batch, len, L)), [batch, len, nv * d + nh * L]) as tf.Tensor3D;
    },
    // Only the windows ending at pos[b].
    applyLast: (x, _fwd, pos) => convolve(x, windowRows(x.shape[0], x.shape[1], L, pos)),
  };
};
