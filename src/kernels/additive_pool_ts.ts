/**
 * Causal additive attention pooling (types.ts, AdditivePoolKernel) as plain loops, generic over
 * Float32Array and Float64Array so the backward can be checked against finite differences in
 * float64. The weights a_tj are not kept: the backward recomputes each one with the sigmoids it
 * needs anyway, so the op holds no [batch, len, len] buffer between forward and backward.
 */
import type { AdditivePoolKernel, FloatArray, PoolDims } from "./types.js";

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const additivePoolTs: AdditivePoolKernel = {
  forward(d: PoolDims, key: FloatArray, query: FloatArray, v: FloatArray, x: FloatArray, c: FloatArray): void {
    const { batch, len, dim: H } = d;
    const acc = new Float64Array(H);
    for (let b = 0; b < batch; b++) {
      const row = b * len * H;
      for (let t = 0; t < len; t++) {
        const qt = row + t * H;
        acc.fill(0);
        for (let j = 0; j <= t; j++) {
          const kj = row + j * H;
          let a = 0;
          for (let k = 0; k < H; k++) a += v[k]! * sigmoid(key[kj + k]! + query[qt + k]!);
          for (let k = 0; k < H; k++) acc[k] += a * x[kj + k]!;
        }
        for (let k = 0; k < H; k++) c[qt + k] = acc[k]!;
      }
    }
  },

  backward(d: PoolDims, key: FloatArray, query: FloatArray, v: FloatArray, x: FloatArray, dc: FloatArray,
    dkey: FloatArray, dquery: FloatArray, dv: FloatArray, dx: FloatArray): void {
    const { batch, len, dim: H } = d;
    const s = new Float64Array(H);
    const dvAcc = new Float64Array(H);
    // Accumulated in float64 whatever the arrays are, then written once.
    const dk = new Float64Array(len * H);
    const dq = new Float64Array(len * H);
    const dxr = new Float64Array(len * H);
    for (let b = 0; b < batch; b++) {
      const row = b * len * H;
      dk.fill(0);
      dq.fill(0);
      dxr.fill(0);
      for (let t = 0; t < len; t++) {
        const qt = row + t * H;
        for (let j = 0; j <= t; j++) {
          const kj = row + j * H;
          let a = 0;
          let ga = 0; // dL/da_tj = dc_t . x_j
          for (let k = 0; k < H; k++) {
            const sk = sigmoid(key[kj + k]! + query[qt + k]!);
            s[k] = sk;
            a += v[k]! * sk;
            ga += dc[qt + k]! * x[kj + k]!;
          }
          for (let k = 0; k < H; k++) {
            dxr[j * H + k] += a * dc[qt + k]!;
            const sk = s[k]!;
            dvAcc[k] += ga * sk;
            const dpre = ga * v[k]! * sk * (1 - sk);
            dk[j * H + k] += dpre;
            dq[t * H + k] += dpre;
          }
        }
      }
      for (let i = 0; i < len * H; i++) {
        dkey[row + i] = dk[i]!;
        dquery[row + i] = dq[i]!;
        dx[row + i] = dxr[i]!;
      }
    }
    for (let k = 0; k < H; k++) dv[k] = dvAcc[k]!;
  },
};
