/**
 * Kernels the tfjs backends lack or run slowly, registered from plain JS. On wasm,
 * UnsortedSegmentSum is missing (the gradient of tf.gather, i.e. of every embedding lookup); on
 * cpu it exists but costs O(segments x ids x width). Both get one O(ids x width) scatter-add here.
 */
import * as tf from "@tensorflow/tfjs-core";

/** out[ids[i], :] += x[i, :] for rows of width `inner`; ids outside [0, numSegments) are dropped (as tf does). */
export const segmentSum = (x: Float32Array, ids: Int32Array, numSegments: number, inner: number, out: Float32Array): void => {
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const xi = i * inner;
    for (let j = 0; j < inner; j++) out[o + j]! += x[xi + j]!;
  }
};

interface SegmentSumArgs {
  readonly x: tf.TensorInfo;
  readonly ids: tf.TensorInfo;
  readonly numSegments: number;
}

const segmentArgs = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): SegmentSumArgs => ({
  x: args.inputs["x"]!,
  ids: args.inputs["segmentIds"]!,
  numSegments: args.attrs!["numSegments"] as number,
});

const outShape = (a: SegmentSumArgs): number[] => [a.numSegments, ...a.x.shape.slice(a.ids.shape.length)];

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

interface CpuLike {
  readSync(dataId: object): Float32Array | Int32Array;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

const registerWasm = (): void => {
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: (args) => {
      const a = segmentArgs(args);
      const backend = args.backend as unknown as WasmLike;
      const shape = outShape(a);
      const out = backend.makeOutput(shape, "float32");
      // Views are taken after makeOutput: its allocation may grow (and so detach) the wasm heap.
      const x = backend.typedArrayFromHeap(a.x) as Float32Array;
      const ids = backend.typedArrayFromHeap(a.ids) as Int32Array;
      const o = backend.typedArrayFromHeap(out) as Float32Array;
      segmentSum(x, ids, a.numSegments, sizeOf(shape) / a.numSegments, o);
      return out;
    },
  });
};

const registerCpu = (): void => {
  tf.unregisterKernel("UnsortedSegmentSum", "cpu");
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "cpu",
    kernelFunc: (args) => {
      const a = segmentArgs(args);
      const backend = args.backend as unknown as CpuLike;
      const shape = outShape(a);
      const o = new Float32Array(sizeOf(shape));
      const x = backend.readSync(a.x.dataId) as Float32Array;
      const ids = Int32Array.from(backend.readSync(a.ids.dataId));
      segmentSum(x, ids, a.numSegments, a.numSegments === 0 ? 0 : o.length / a.numSegments, o);
      return backend.makeTensorInfo(shape, "float32", o);
    },
  });
};

const done = new Set<string>();

/** Registers the replacement kernels for `backend` once ("wasm" or "cpu"; others need none). */
export const registerBackendKernels = (backend: string): void => {
  if (done.has(backend)) return;
  if (backend === "wasm") registerWasm();
  else if (backend === "cpu") registerCpu();
  done.add(backend);
};
