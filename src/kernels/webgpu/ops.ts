/**
 * The fused kernels as tfjs ops on the "webgpu" backend: same signatures and semantics as
 * `selectiveScan` (../selective_scan.ts) and `causalConvSilu` (../causal_conv.ts), one
 * tf.customGrad each, so the tape records one node. Forward and backward are each one WGSL launch
 * (programs.ts); the packed outputs are split with slice/reshape and the partial sums (over batch,
 * over channel blocks) reduced with tf.sum.
 * Nothing is read back to the CPU: the scan's checkpoints stay on the GPU in the forward's packed
 * output, which the op keeps as a saved tensor for the backward (freed with the tape).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import "../../util/tfjs_gradients.js";
import { ConvBackwardProgram, ConvForwardProgram, ScanBackwardProgram, ScanForwardProgram } from "./programs.js";

interface WebgpuBackendLike {
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType,
    programDefinedUniform?: Array<{ type: string; data: number[] }>): tf.TensorInfo;
}

/** True when the active backend is tfjs-backend-webgpu. */
export const onWebgpu = (): boolean => tf.getBackend() === "webgpu";

const backend = (): WebgpuBackendLike => {
  if (!onWebgpu()) throw new Error(`webgpu kernels called on the '${tf.getBackend()}' backend`);
  return tf.backend() as unknown as WebgpuBackendLike;
};

const run = (program: WebGPUProgram, inputs: tf.Tensor[], uniforms: Array<{ type: string; data: number[] }>): tf.Tensor1D => {
  const ins = inputs.map((t) => (t.dtype === "float32" ? t : tf.cast(t, "float32")));
  const info = backend().runWebGPUProgram(program, ins, "float32", uniforms);
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor1D;
};

const part = (flat: tf.Tensor1D, offset: number, shape: number[]): tf.Tensor => {
  const size = shape.reduce((p, d) => p * d, 1);
  return tf.reshape(tf.slice(flat, [offset], [size]), shape);
};

/** Largest dState / chunk / kernel the shaders are compiled for (private arrays are sized by them). */
export const WEBGPU_LIMITS = { dState: 256, chunk: 64, kernel: 16 } as const;

/**
 * Selective scan with softplus(delta + deltaBias) fused, on WebGPU (see ../types.ts).
 * u, delta: [batch, len, dInner]; A: [dInner, dState]; B, C: [batch, len, dState]; D, deltaBias: [dInner].
 */
export const selectiveScanWebgpu = (u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D,
  D: tf.Tensor1D, deltaBias: tf.Tensor1D, chunk = 16): tf.Tensor3D => {
  const [batch, len, dInner] = u.shape;
  const dState = A.shape[1];
  if (dState > WEBGPU_LIMITS.dState || chunk > WEBGPU_LIMITS.chunk || chunk < 1)
    throw new Error(`selectiveScanWebgpu: dState ${dState} (max ${WEBGPU_LIMITS.dState}) or chunk ${chunk} (1..${WEBGPU_LIMITS.chunk}) out of range`);
  const op = tf.customGrad((...args: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const ins = args.slice(0, 7) as tf.Tensor[];
    const save = args[7] as (ts: tf.Tensor[]) => void;
    const fwd = new ScanForwardProgram(batch, len, dInner, dState, chunk);
    const packed = run(fwd, ins, fwd.uniformData(len));
    const y = part(packed, 0, [batch, len, dInner]) as tf.Tensor3D;
    save([...ins, packed]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const bwd = new ScanBackwardProgram(batch, len, dInner, dState, chunk);
        const lay = bwd.layout;
        const [su, sdelta, sA, sB, sC, sD, sBias, packed] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const params = tf.concat([tf.reshape(sA, [-1]), sD, sBias]);
        const out = run(bwd, [su, sdelta, params, sB, sC, packed, dy], bwd.uniformData());
        const sumOver = (off: number, shape: number[], axis: number): tf.Tensor =>
          shape[axis] === 1 ? tf.reshape(part(out, off, shape), shape.filter((_, i) => i !== axis)) : tf.sum(part(out, off, shape), axis);
        return [
          part(out, lay.du, [batch, len, dInner]),
          part(out, lay.ddelta, [batch, len, dInner]),
          sumOver(lay.dA, [batch, dInner, dState], 0),
          sumOver(lay.dB, [batch, len, lay.nBlocks, dState], 2),
          sumOver(lay.dC, [batch, len, lay.nBlocks, dState], 2),
          sumOver(lay.dD, [batch, dInner], 0),
          sumOver(lay.dBias, [batch, dInner], 0),
        ];
      },
    };
  });
  return op(u, delta, A, B, C, D, deltaBias) as tf.Tensor3D;
};

/**
 * Causal depthwise conv1d with bias, then SiLU, on WebGPU. x: [batch, len, channels];
 * w: [channels, kernel]; bias: [channels]. Returns [batch, len, channels].
 */
export const causalConvSiluWebgpu = (x: tf.Tensor3D, w: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D => {
  const [batch, len, channels] = x.shape;
  const kernel = w.shape[1];
  if (kernel > WEBGPU_LIMITS.kernel || kernel < 1) throw new Error(`causalConvSiluWebgpu: kernel ${kernel} out of range 1..${WEBGPU_LIMITS.kernel}`);
  const op = tf.customGrad((...args: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const ins = args.slice(0, 3) as tf.Tensor[];
    const save = args[3] as (ts: tf.Tensor[]) => void;
    const fwd = new ConvForwardProgram(batch, len, channels, kernel);
    const y = tf.reshape(run(fwd, ins, fwd.uniformData()), [batch, len, channels]) as tf.Tensor3D;
    save(ins);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const bwd = new ConvBackwardProgram(batch, len, channels, kernel);
        const out = run(bwd, [...saved, dy], bwd.uniformData());
        const n = batch * len * channels;
        return [
          part(out, 0, [batch, len, channels]),
          tf.sum(part(out, n, [batch, channels, kernel]), 0),
          tf.sum(part(out, n + batch * channels * kernel, [batch, channels]), 0),
        ];
      },
    };
  });
  return op(x, w, bias) as tf.Tensor3D;
};
