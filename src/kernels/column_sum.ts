/**
 * Sum over leading axes (e.g. a bias gradient summed over [batch * len, width] rows) as one native
 * sgemm against a ones vector, registered over the wasm backend's Sum, which transposes for it.
 * Other reductions, and every reduction while the native kernels are not selected, keep the
 * built-in. `columnSumRef` (column_sum_ref.ts) is the plain reference.
 */
import * as tf from "@tensorflow/tfjs-core";
import { activeNative } from "./active_native.js";
import type { WasmLike } from "./backend_memory.js";
import type { NativeKernels } from "./native.js";

/**
 * How many leading axes a Sum reduces when they are exactly axes 0..r-1 of x (r < rank), e.g. a bias
 * gradient summed over [batch * len, width] rows; null otherwise. wasm's Sum transposes for that.
 */
export const leadingSumAxes = (shape: readonly number[], axis: number | number[]): number | null => {
  const rank = shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank || axes.some((a, i) => a !== i)) return null;
  return axes.length;
};

let ones = new Float32Array(0);

/** out[c] = sum over r of X[r, c], X [rows, cols], as the product ones[1, rows] . X (native sgemm). */
export const columnSumNative = (nk: NativeKernels, rows: number, cols: number, X: Float32Array, out: Float32Array): void => {
  if (ones.length < rows) ones = new Float32Array(rows).fill(1);
  nk.sgemm(false, false, 1, cols, rows, 1, ones, X, 0, out);
};

const sumOriginals = new Map<string, tf.KernelConfig>();

/** Registers a native Sum over wasm's for reductions of leading axes (others: the built-in). Idempotent. */
export const registerNativeSum = (backend: string): boolean => {
  if (backend !== "wasm") return false;
  if (sumOriginals.has(backend)) return true;
  const orig = tf.getKernel("Sum", backend);
  if (!orig) return false;
  sumOriginals.set(backend, orig);
  tf.unregisterKernel("Sum", backend);
  tf.registerKernel({
    ...orig,
    kernelFunc: (args) => {
      const nk = activeNative();
      const x = args.inputs["x"] as tf.TensorInfo;
      const attrs = args.attrs as { axis: number | number[]; keepDims: boolean };
      const r = nk && x.dtype === "float32" ? leadingSumAxes(x.shape, attrs.axis) : null;
      const rows = r === null ? 0 : x.shape.slice(0, r).reduce((p, d) => p * d, 1);
      if (!nk || r === null || rows === 0) return orig.kernelFunc(args);
      const rest = x.shape.slice(r);
      const shape = attrs.keepDims ? [...x.shape.slice(0, r).map(() => 1), ...rest] : rest;
      const cols = rest.reduce((p, d) => p * d, 1);
      const be = args.backend as unknown as WasmLike;
      const out = be.makeOutput(shape, "float32");
      if (cols === 0) return out;
      const X = be.typedArrayFromHeap(x) as Float32Array;
      const O = be.typedArrayFromHeap(out) as Float32Array;
      columnSumNative(nk, rows, cols, X, O);
      return out;
    },
  });
  return true;
};
