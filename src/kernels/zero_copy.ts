/**
 * How the fused ops hand tensors to their kernels. On the wasm backend inputs are read as
 * Float32Array views of the wasm heap and outputs are allocated there with the backend's
 * makeOutput and written in place (`fused`); views are always taken after the last allocation (an
 * allocation may grow, and so detach, the heap). Other backends read with dataSync and copy results
 * into new tensors (`fusedCopy`, also the reference the zero-copy path is tested against).
 */
import * as tf from "@tensorflow/tfjs-core";
import { sizeOf, type WasmLike } from "./backend_memory.js";

const wasmBackend = (): WasmLike | null => (tf.getBackend() === "wasm" ? (tf.backend() as unknown as WasmLike) : null);

/** When false, `fused` always takes the copying path (tests compare the two). */
let zeroCopy = true;
export const setZeroCopy = (on: boolean): void => {
  zeroCopy = on;
};

/**
 * Runs `body` on float32 views of `inputs` and of new zeroed outputs of `outShapes`, returns the
 * outputs as tensors. On wasm without a copy; elsewhere (or with zero-copy off) through `fusedCopy`.
 */
export const fused = (inputs: readonly tf.Tensor[], outShapes: readonly number[][],
  body: (ins: Float32Array[], outs: Float32Array[]) => void, zeroOutputs = true): tf.Tensor[] => {
  const be = zeroCopy ? wasmBackend() : null;
  if (!be || inputs.some((t) => t.dtype !== "float32")) return fusedCopy(inputs, outShapes, body);
  const outs = outShapes.map((s) => tf.engine().makeTensorFromTensorInfo(be.makeOutput([...s], "float32")));
  const inV = inputs.map((t) => be.typedArrayFromHeap(t) as Float32Array);
  const outV = outs.map((t) => be.typedArrayFromHeap(t) as Float32Array);
  if (zeroOutputs) for (const v of outV) v.fill(0);
  body(inV, outV);
  return outs;
};

/**
 * A new float32 tensor of `shape` whose every element `fill` writes (written in place in the wasm
 * heap; elsewhere into a new array that is then copied).
 */
export const tensorFilledBy = (shape: readonly number[], fill: (out: Float32Array) => void): tf.Tensor =>
  fused([], [[...shape]], (_, [o]) => fill(o!), false)[0]!;

/** `fused` by copies: dataSync in, new typed arrays out, copied into new tensors. */
const fusedCopy = (inputs: readonly tf.Tensor[], outShapes: readonly number[][],
  body: (ins: Float32Array[], outs: Float32Array[]) => void): tf.Tensor[] => {
  const inV = inputs.map((t) => t.dataSync() as Float32Array);
  const outV = outShapes.map((s) => new Float32Array(sizeOf(s)));
  body(inV, outV);
  return outV.map((v, i) => tf.tensor(v, [...outShapes[i]!], "float32"));
};
