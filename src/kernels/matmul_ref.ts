/** Plain reference of the native BatchMatMul (matmul.ts): three loops per batch. */
import type { MatMulDims } from "./matmul.js";

/** out[b] = op(A[b]) op(B[b]) for b < max(batchA, batchB); A[b] is [M,K] ([K,M] when transA), B[b] [K,N] ([N,K] when transB). */
export const batchMatMulInto = (d: MatMulDims, A: Float32Array, B: Float32Array, out: Float32Array): void => {
  const { M, N, K, transA, transB } = d;
  const batch = Math.max(d.batchA, d.batchB);
  for (let b = 0; b < batch; b++) {
    const a0 = (d.batchA === 1 ? 0 : b) * M * K;
    const b0 = (d.batchB === 1 ? 0 : b) * K * N;
    const o0 = b * M * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = transA ? A[a0 + k * M + i]! : A[a0 + i * K + k]!;
          const bv = transB ? B[b0 + j * K + k]! : B[b0 + k * N + j]!;
          s += av * bv;
        }
        out[o0 + i * N + j] = s;
      }
    }
  }
};
