/**
 * BatchMatMul through the native addon's sgemm (OpenBLAS or its portable fallback), registered
 * over the wasm backend's own kernel (and the cpu backend's). The wasm kernel is single-threaded and
 * very slow with transposeA/transposeB or batches (DESIGN.md: 1-3.5 GFLOP/s), which is exactly what
 * every matmul gradient asks for; sgemm takes the transposes as flags and uses both cores. tfjs's
 * own BatchMatMul gradient (more BatchMatMuls) runs through it too, so there is no custom gradient.
 *
 * Zero-copy on wasm: inputs and output are Float32Array views of the wasm heap (the output
 * allocated with the backend's makeOutput first, since an allocation may grow and detach the heap).
 * The native path runs only while the native kernel set is selected (select.ts); otherwise, and for
 * any shape it does not handle (non-float32, batch dims that neither match nor broadcast from 1),
 * the backend's own kernel runs. `batchMatMulInto` (matmul_ref.ts) is the plain reference.
 */
import * as tf from "@tensorflow/tfjs-core";
import { activeNative } from "./active_native.js";
import { type WasmLike, type CpuLike } from "./backend_memory.js";
import type { NativeKernels } from "./native.js";

export interface MatMulDims {
  /** Batches of A and of B (each equal to `batch` or 1: broadcast). */
  readonly batchA: number;
  readonly batchB: number;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

/** `batchMatMulInto` through native sgemm: one call per batch (each threaded), or one call when A's batches stack. */
export const batchMatMulNative = (nk: NativeKernels, d: MatMulDims, A: Float32Array, B: Float32Array, out: Float32Array): void => {
  const { M, N, K, transA, transB } = d;
  const batch = Math.max(d.batchA, d.batchB);
  if (M === 0 || N === 0 || batch === 0) return;
  if (d.batchB === 1 && !transA && batch > 1) {
    // A's batches are consecutive [M, K] blocks: one [batch*M, K] x [K, N] product.
    nk.sgemm(false, transB, batch * M, N, K, 1, A, B, 0, out);
    return;
  }
  for (let b = 0; b < batch; b++) {
    const a0 = (d.batchA === 1 ? 0 : b) * M * K;
    const b0 = (d.batchB === 1 ? 0 : b) * K * N;
    const o0 = b * M * N;
    nk.sgemm(transA, transB, M, N, K, 1, A.subarray(a0, a0 + M * K), B.subarray(b0, b0 + K * N), 0, out.subarray(o0, o0 + M * N));
  }
};

/** Shapes of a BatchMatMul call, or null when the native path does not handle it. */
export const matMulDims = (a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): { dims: MatMulDims; outShape: number[] } | null => {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const M = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const K2 = transB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const N = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (K !== K2) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((p, x) => p * x, 1);
  const batchB = outerB.reduce((p, x) => p * x, 1);
  let outer: number[];
  if (batchA === batchB) {
    // Same batch count: require the same outer shape (or one of rank 0) to avoid guessing broadcast layouts.
    if (outerA.length > 0 && outerB.length > 0 && outerA.join(",") !== outerB.join(",")) return null;
    outer = outerA.length >= outerB.length ? outerA : outerB;
  } else if (batchA === 1) {
    outer = outerB.length >= outerA.length ? outerB : null!;
  } else if (batchB === 1) {
    outer = outerA.length >= outerB.length ? outerA : null!;
  } else return null;
  if (!outer) return null;
  return { dims: { batchA, batchB, M, N, K, transA, transB }, outShape: [...outer, M, N] };
};

const originals = new Map<string, tf.KernelConfig>();

/** Registers the native BatchMatMul over `backend`'s ("wasm" or "cpu"); returns whether it did. Idempotent. */
export const registerNativeMatMul = (backend: string): boolean => {
  if (originals.has(backend)) return true;
  if (backend !== "wasm" && backend !== "cpu") return false;
  const orig = tf.getKernel("BatchMatMul", backend);
  if (!orig) return false;
  originals.set(backend, orig);
  tf.unregisterKernel("BatchMatMul", backend);
  tf.registerKernel({
    kernelName: "BatchMatMul",
    backendName: backend,
    setupFunc: orig.setupFunc,
    disposeFunc: orig.disposeFunc,
    kernelFunc: (args) => {
      const nk = activeNative();
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
      const m = nk ? matMulDims(a, b, !!attrs.transposeA, !!attrs.transposeB) : null;
      if (!nk || !m) return orig.kernelFunc(args);
      if (backend === "wasm") {
        const be = args.backend as unknown as WasmLike;
        const out = be.makeOutput(m.outShape, "float32");
        if (m.outShape.includes(0)) return out;
        const A = be.typedArrayFromHeap(a) as Float32Array;
        const B = be.typedArrayFromHeap(b) as Float32Array;
        const O = be.typedArrayFromHeap(out) as Float32Array;
        if (m.dims.K === 0) O.fill(0);
        else batchMatMulNative(nk, m.dims, A, B, O);
        return out;
      }
      const be = args.backend as unknown as CpuLike;
      const O = new Float32Array(m.outShape.reduce((p, x) => p * x, 1));
      if (O.length > 0 && m.dims.K > 0) {
        batchMatMulNative(nk, m.dims, be.readSync(a.dataId) as Float32Array, be.readSync(b.dataId) as Float32Array, O);
      }
      return be.makeTensorInfo(m.outShape, "float32", O);
    },
  });
  return true;
};

/** Restores the backend's own BatchMatMul (tests compare against it). */
export const unregisterNativeMatMul = (backend: string): void => {
  const orig = originals.get(backend);
  if (!orig) return;
  tf.unregisterKernel("BatchMatMul", backend);
  tf.registerKernel(orig);
  originals.delete(backend);
};
