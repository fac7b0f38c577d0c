/**
 * The parts of the tfjs backends that fast paths reach into: the wasm backend's heap views and
 * output allocation (zero-copy), and the cpu backend's typed arrays.
 */
import type * as tf from "@tensorflow/tfjs-core";

export interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

export interface CpuLike {
  readSync(dataId: object): Float32Array | Int32Array;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
