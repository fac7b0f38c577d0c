/**
 * Causal depthwise conv1d with bias, then SiLU, as plain loops: the TypeScript implementation of
 * CausalConvKernel, generic over Float32Array and Float64Array. The backward recomputes the
 * pre-activation instead of storing it.
 */
import type { CausalConvKernel, ConvDims, FloatArray } from "./types.js";

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

const preActivation = (dims: ConvDims, x: FloatArray, w: FloatArray, bias: FloatArray, b: number, t: number, c: number): number => {
  const { len, channels: Ch, kernel: K } = dims;
  let acc = bias[c]!;
  for (let k = 0; k < K; k++) {
    const s = t - (K - 1) + k;
    if (s >= 0) acc += w[c * K + k]! * x[(b * len + s) * Ch + c]!;
  }
  return acc;
};

export const causalConvTs: CausalConvKernel = {
  forward(dims, x, w, bias, y): void {
    const { batch, len, channels } = dims;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < len; t++) {
        for (let c = 0; c < channels; c++) {
          const p = preActivation(dims, x, w, bias, b, t, c);
          y[(b * len + t) * channels + c] = p * sigmoid(p);
        }
      }
    }
  },

  backward(dims, x, w, bias, dy, dx, dw, dbias): void {
    const { batch, len, channels: Ch, kernel: K } = dims;
    dx.fill(0);
    dw.fill(0);
    dbias.fill(0);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < len; t++) {
        for (let c = 0; c < Ch; c++) {
          const p = preActivation(dims, x, w, bias, b, t, c);
          const s = sigmoid(p);
          const g = dy[(b * len + t) * Ch + c]! * s * (1 + p * (1 - s)); // d silu / d pre
          dbias[c]! += g;
          for (let k = 0; k < K; k++) {
            const src = t - (K - 1) + k;
            if (src < 0) continue;
            const xi = (b * len + src) * Ch + c;
            dw[c * K + k]! += g * x[xi]!;
            dx[xi]! += g * w[c * K + k]!;
          }
        }
      }
    }
  },
};
