/**
 * Kernels the tfjs backends lack or run slowly, registered from plain JS. On wasm,
 * UnsortedSegmentSum is missing (the gradient of tf.gather, i.e. of every embedding lookup); on
 * cpu it exists but costs O(segments x ids x width). Both get one O(ids x width) scatter-add here.
 * BatchMatMul on both goes through the native sgemm when the native kernels are selected
 * (src/kernels/matmul.ts), and sums over leading axes on wasm through a ones-vector sgemm
 * (src/kernels/column_sum.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import { registerNativeMatMul } from "../kernels/matmul.js";
import { registerNativeSum } from "../kernels/column_sum.js";
import { sizeOf, type WasmLike, type CpuLike } from "../kernels/backend_memory.js";

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

/**
 * Identity on wasm copies the tensor; the engine calls it for every tensor an op saves for its
 * gradient (clone), about a hundred times a training step. Tensors are immutable (a variable's
 * assign swaps its data, never writes into it), so, as the cpu backend does, the output shares the
 * input's data with one more reference. Strings keep the built-in kernel.
 */
const registerWasmIdentity = (): void => {
  const orig = tf.getKernel("Identity", "wasm");
  if (!orig) return;
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({
    ...orig,
    kernelFunc: (args) => {
      const x = args.inputs["x"]!;
      if (x.dtype === "string") return orig.kernelFunc(args);
      (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  });
};

/**
 * GatherV2 on wasm for the embedding lookup's case (axis 0, no batch dims, float32 rows, int32
 * ids): row copies inside the heap (copyWithin is a memmove) instead of wasm's per-element gather.
 * Anything else, or an id out of range, takes the built-in kernel.
 */
const registerWasmGather = (): void => {
  const orig = tf.getKernel("GatherV2", "wasm");
  if (!orig) return;
  tf.unregisterKernel("GatherV2", "wasm");
  tf.registerKernel({
    ...orig,
    kernelFunc: (args) => {
      const x = args.inputs["x"]!;
      const idx = args.inputs["indices"]!;
      const attrs = args.attrs as { axis: number; batchDims?: number };
      const axis = attrs.axis < 0 ? attrs.axis + x.shape.length : attrs.axis;
      if (axis !== 0 || (attrs.batchDims ?? 0) !== 0 || x.dtype !== "float32" || idx.dtype !== "int32" || x.shape.length < 1) {
        return orig.kernelFunc(args);
      }
      const backend = args.backend as unknown as WasmLike & { dataIdMap: { get(id: object): { memoryOffset: number } } };
      const rows = x.shape[0]!;
      const width = sizeOf(x.shape.slice(1));
      const idsView = backend.typedArrayFromHeap(idx) as Int32Array;
      for (let i = 0; i < idsView.length; i++) if (idsView[i]! < 0 || idsView[i]! >= rows) return orig.kernelFunc(args);
      const out = backend.makeOutput([...idx.shape, ...x.shape.slice(1)], "float32");
      const ids = backend.typedArrayFromHeap(idx) as Int32Array; // after makeOutput: the heap may have grown
      const heap = new Float32Array((backend.typedArrayFromHeap(out) as Float32Array).buffer);
      const xo = backend.dataIdMap.get(x.dataId).memoryOffset >>> 2; // unsigned: the heap may pass 2 GiB
      const oo = backend.dataIdMap.get(out.dataId).memoryOffset >>> 2; // unsigned: the heap may pass 2 GiB
      if (width > 0) for (let i = 0; i < ids.length; i++) heap.copyWithin(oo + i * width, xo + ids[i]! * width, xo + (ids[i]! + 1) * width);
      return out;
    },
  });
};

const registerWasm = (): void => {
  registerWasmIdentity();
  registerWasmGather();
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
  // BatchMatMul through native sgemm while the native kernels are selected (the built-in otherwise).
  registerNativeMatMul(backend);
  // Sums over leading axes (bias gradients) as a ones-vector product, on wasm.
  registerNativeSum(backend);
  done.add(backend);
};
