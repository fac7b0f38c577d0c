/**
 * The GRU recurrence as plain loops: the TypeScript implementation of GruKernel (types.ts),
 * generic over Float32Array and Float64Array so its backward can be checked against finite
 * differences in float64. One batch row at a time; the backward walks the steps in reverse,
 * carrying dL/dh_{t-1}, and forms dWh and dbh from the per-step gate gradients at the end.
 */
import type { FloatArray, GruDims, GruKernel } from "./types.js";

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const gruTs: GruKernel = {
  forward(d: GruDims, xi: FloatArray, Wh: FloatArray, bh: FloatArray, h: FloatArray, gates: FloatArray): void {
    const { batch, len, hidden: H } = d;
    const G = 3 * H;
    const hh = new Float64Array(G);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < len; t++) {
        const prev = t > 0 ? (b * len + t - 1) * H : -1; // offset of h_{t-1}, or -1 for h_0 = 0
        for (let j = 0; j < G; j++) hh[j] = bh[j]!;
        if (prev >= 0) {
          for (let k = 0; k < H; k++) {
            const hk = h[prev + k]!;
            for (let j = 0; j < G; j++) hh[j] += hk * Wh[k * G + j]!;
          }
        }
        const x = (b * len + t) * G;
        const o = (b * len + t) * H;
        const g = (b * len + t) * 4 * H;
        for (let j = 0; j < H; j++) {
          const r = sigmoid(xi[x + j]! + hh[j]!);
          const z = sigmoid(xi[x + H + j]! + hh[H + j]!);
          const hn = hh[2 * H + j]!;
          const n = Math.tanh(xi[x + 2 * H + j]! + r * hn);
          const hp = prev >= 0 ? h[prev + j]! : 0;
          h[o + j] = (1 - z) * n + z * hp;
          gates[g + j] = r;
          gates[g + H + j] = z;
          gates[g + 2 * H + j] = n;
          gates[g + 3 * H + j] = hn;
        }
      }
    }
  },

  backward(d: GruDims, Wh: FloatArray, h: FloatArray, gates: FloatArray, dh: FloatArray,
           dxi: FloatArray, dWh: FloatArray, dbh: FloatArray): void {
    const { batch, len, hidden: H } = d;
    const G = 3 * H;
    dWh.fill(0);
    dbh.fill(0);
    const carry = new Float64Array(H); // dL/dh_t from step t + 1
    const dhh = new Float64Array(G); // dL/d(h_{t-1} Wh + bh) at step t
    for (let b = 0; b < batch; b++) {
      carry.fill(0);
      for (let t = len - 1; t >= 0; t--) {
        const prev = t > 0 ? (b * len + t - 1) * H : -1;
        const o = (b * len + t) * H;
        const x = (b * len + t) * G;
        const g = (b * len + t) * 4 * H;
        for (let j = 0; j < H; j++) {
          const r = gates[g + j]!, z = gates[g + H + j]!, n = gates[g + 2 * H + j]!, hn = gates[g + 3 * H + j]!;
          const hp = prev >= 0 ? h[prev + j]! : 0;
          const gh = dh[o + j]! + carry[j]!;
          const dan = gh * (1 - z) * (1 - n * n);
          const daz = gh * (hp - n) * z * (1 - z);
          const dar = dan * hn * r * (1 - r);
          dxi[x + j] = dar;
          dxi[x + H + j] = daz;
          dxi[x + 2 * H + j] = dan;
          dhh[j] = dar;
          dhh[H + j] = daz;
          dhh[2 * H + j] = dan * r;
          carry[j] = gh * z; // the direct path h_{t-1} -> h_t; the path through Wh is added below
        }
        for (let j = 0; j < G; j++) dbh[j] += dhh[j]!;
        if (prev >= 0) {
          for (let k = 0; k < H; k++) {
            const hk = h[prev + k]!;
            let acc = 0;
            for (let j = 0; j < G; j++) {
              acc += dhh[j]! * Wh[k * G + j]!;
              dWh[k * G + j] += hk * dhh[j]!;
            }
            carry[k] += acc;
          }
        }
      }
    }
  },
};
