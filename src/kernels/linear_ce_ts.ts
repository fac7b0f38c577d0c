/**
 * Fused linear cross-entropy as plain loops: scores = h . W^T (+ bias) over items 1..vocab-1 in
 * chunks of `ITEM_CHUNK` items with an online logsumexp, so a token's full score row is never held;
 * a second pass recomputes each chunk's scores to write the gradients. Generic over float32 and
 * float64 (`linearCrossEntropyLoops`) for gradient checks; `linearCeTs` is the float32 kernel.
 *
 * With label smoothing e over the V-1 real items, q = (1-e) onehot(target) + e/(V-1), and
 *   loss_t = logsumexp_j s_j - sum_j q_j s_j,   dloss_t/ds_j = softmax_j - q_j.
 * A sparse adjustment (ScoreAdjust) is part of s_j; its gradient is dloss_t/ds_j at its entries.
 */
import type { FloatArray, LinearCrossEntropyDims, LinearCrossEntropyKernel, ScoreAdjust } from "./types.js";

const ITEM_CHUNK = 512;

export const linearCrossEntropyLoops = (
  dims: LinearCrossEntropyDims,
  h: FloatArray,
  W: FloatArray,
  bias: FloatArray | null,
  targets: Int32Array,
  dh: FloatArray | null,
  dW: FloatArray | null,
  dBias: FloatArray | null,
  adjust: ScoreAdjust | null = null,
): number => {
  const { tokens, hidden: H, vocab: V, labelSmoothing: e } = dims;
  const real = V - 1;
  const uniform = real > 0 ? e / real : 0;
  dh?.fill(0);
  dW?.fill(0);
  dBias?.fill(0);
  adjust?.dValues?.fill(0);
  const scores = new Float64Array(ITEM_CHUNK);
  // The current token's adjustment as a dense row (entries set for token t, cleared after it).
  const adj = new Float64Array(V);
  const score = (t: number, j: number): number => {
    let acc = (bias ? bias[j]! : 0) + adj[j]!;
    const ht = t * H;
    const wj = j * H;
    for (let k = 0; k < H; k++) acc += h[ht + k]! * W[wj + k]!;
    return acc;
  };
  let total = 0;
  for (let t = 0; t < tokens; t++) {
    const y = targets[t]!;
    if (y === 0) continue;
    const k0 = adjust ? adjust.offsets[t]! : 0;
    const k1 = adjust ? adjust.offsets[t + 1]! : 0;
    for (let k = k0; k < k1; k++) adj[adjust!.items[k]!] = adjust!.values[k]!;
    let m = -Infinity;
    let sumExp = 0;
    let sumScores = 0;
    let targetScore = 0;
    for (let j0 = 1; j0 < V; j0 += ITEM_CHUNK) {
      const j1 = Math.min(V, j0 + ITEM_CHUNK);
      let cm = -Infinity;
      for (let j = j0; j < j1; j++) {
        const s = score(t, j);
        scores[j - j0] = s;
        if (s > cm) cm = s;
        sumScores += s;
        if (j === y) targetScore = s;
      }
      const nm = Math.max(m, cm);
      let cs = 0;
      for (let j = j0; j < j1; j++) cs += Math.exp(scores[j - j0]! - nm);
      sumExp = sumExp * Math.exp(m - nm) + cs;
      m = nm;
    }
    const lse = m + Math.log(sumExp);
    total += lse - (1 - e) * targetScore - uniform * sumScores;
    const grad = (j: number): number => Math.exp(score(t, j) - lse) - uniform - (j === y ? 1 - e : 0);
    if (adjust?.dValues) for (let k = k0; k < k1; k++) adjust.dValues[k] = grad(adjust.items[k]!);
    if (dh || dW || dBias) {
      const ht = t * H;
      for (let j = 1; j < V; j++) {
        const g = grad(j);
        const wj = j * H;
        if (dh) for (let k = 0; k < H; k++) dh[ht + k]! += g * W[wj + k]!;
        if (dW) for (let k = 0; k < H; k++) dW[wj + k]! += g * h[ht + k]!;
        if (dBias) dBias[j]! += g;
      }
    }
    for (let k = k0; k < k1; k++) adj[adjust!.items[k]!] = 0;
  }
  return total;
};

export const linearCeTs: LinearCrossEntropyKernel = {
  lossAndGrad: (dims, h, W, bias, targets, dh, dW, dBias, adjust) =>
    linearCrossEntropyLoops(dims, h, W, bias, targets, dh, dW, dBias, adjust ?? null),
};
