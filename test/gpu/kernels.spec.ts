/**
 * The WGSL kernels (src/kernels/webgpu) against the float64 TypeScript kernels, forward and every
 * gradient, to 1e-4 relative (max|a-b| / max(max|b|, 1e-6)). Inputs are drawn in float64, rounded
 * to float32 for the GPU, and the reference runs on the same rounded values.
 * Skips with a message when no WebGPU adapter exists (see docs/gpu.md).
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { causalConvSiluWebgpu, selectiveScanWebgpu } from "../../src/kernels/webgpu/ops.js";
import { selectiveScanTs } from "../../src/kernels/selective_scan_ts.js";
import { causalConvTs } from "../../src/kernels/causal_conv_ts.js";
import { scanCheckpointSize, type ConvDims, type ScanDims } from "../../src/kernels/types.js";
import { Rng } from "../../src/util/rng.js";
import { relErr, restoreBackend, useWebgpuOrSkip } from "./helpers.js";

const TOL = 1e-4;

/** Float64 values that are exactly representable in float32. */
const randn = (rng: Rng, n: number, scale = 1, shift = 0): Float64Array => {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround(shift + scale * rng.normal());
  return a;
};

const SCAN_SIZES: ScanDims[] = [
  { batch: 2, len: 1, dInner: 3, dState: 4, chunk: 4 }, // L = 1
  { batch: 2, len: 7, dInner: 3, dState: 4, chunk: 3 }, // L not a multiple of chunk
  { batch: 1, len: 16, dInner: 2, dState: 5, chunk: 4 },
  { batch: 2, len: 9, dInner: 4, dState: 3, chunk: 16 }, // one partial chunk
  { batch: 2, len: 21, dInner: 70, dState: 32, chunk: 8 }, // two channel blocks, the last partial
  { batch: 1, len: 5, dInner: 60, dState: 40, chunk: 2 }, // block width not a power of two
];

const CONV_SIZES: ConvDims[] = [
  { batch: 2, len: 1, channels: 3, kernel: 4 },
  { batch: 2, len: 7, channels: 3, kernel: 4 },
  { batch: 1, len: 5, channels: 2, kernel: 1 },
  { batch: 3, len: 10, channels: 5, kernel: 3 },
  { batch: 2, len: 33, channels: 70, kernel: 4 },
];

const read = async (t: tf.Tensor): Promise<Float32Array> => (await t.data()) as Float32Array;

describe("webgpu kernels (WGSL) vs the TypeScript reference", function () {
  before(useWebgpuOrSkip);
  after(restoreBackend);

  for (const d of SCAN_SIZES) {
    const tag = `B=${d.batch} L=${d.len} D=${d.dInner} N=${d.dState} chunk=${d.chunk}`;
    it(`selective scan forward and all gradients (${tag}), rel < ${TOL}`, async () => {
      const rng = new Rng(d.len * 13 + d.dInner);
      const A = new Float64Array(d.dInner * d.dState);
      for (let i = 0; i < A.length; i++) A[i] = Math.fround(-Math.exp(0.5 * rng.normal()));
      const x = {
        u: randn(rng, d.batch * d.len * d.dInner),
        delta: randn(rng, d.batch * d.len * d.dInner, 1, -0.5),
        A,
        B: randn(rng, d.batch * d.len * d.dState),
        C: randn(rng, d.batch * d.len * d.dState),
        D: randn(rng, d.dInner),
        deltaBias: randn(rng, d.dInner, 0.3),
      };
      const w = randn(rng, d.batch * d.len * d.dInner);
      // Reference, float64.
      const yRef = new Float64Array(w.length);
      const ck = new Float64Array(scanCheckpointSize(d));
      selectiveScanTs.forward(d, x, { y: yRef, checkpoints: ck });
      const g = {
        du: new Float64Array(x.u.length), ddelta: new Float64Array(x.u.length), dA: new Float64Array(A.length),
        dB: new Float64Array(x.B.length), dC: new Float64Array(x.C.length), dD: new Float64Array(d.dInner),
        dDeltaBias: new Float64Array(d.dInner),
      };
      selectiveScanTs.backward(d, x, ck, w, g);
      // WGSL.
      const f32 = (a: Float64Array) => Float32Array.from(a);
      const args = [
        tf.tensor3d(f32(x.u), [d.batch, d.len, d.dInner]), tf.tensor3d(f32(x.delta), [d.batch, d.len, d.dInner]),
        tf.tensor2d(f32(A), [d.dInner, d.dState]), tf.tensor3d(f32(x.B), [d.batch, d.len, d.dState]),
        tf.tensor3d(f32(x.C), [d.batch, d.len, d.dState]), tf.tensor1d(f32(x.D)), tf.tensor1d(f32(x.deltaBias)),
      ];
      const wt = tf.tensor3d(f32(w), [d.batch, d.len, d.dInner]);
      type Args = [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D, tf.Tensor1D];
      const scan = (...a: tf.Tensor[]) => selectiveScanWebgpu(...(a as Args), d.chunk);
      const y = scan(...args);
      const ey = relErr(await read(y), yRef);
      assert.ok(ey < TOL, `forward: relative error ${ey}`);
      const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(scan(...a), wt)))(args);
      const refs = [g.du, g.ddelta, g.dA, g.dB, g.dC, g.dD, g.dDeltaBias];
      const names = ["du", "ddelta", "dA", "dB", "dC", "dD", "dDeltaBias"];
      for (let i = 0; i < refs.length; i++) {
        const e = relErr(await read(grads[i]!), refs[i]!);
        assert.ok(e < TOL, `${names[i]}: relative error ${e}`);
      }
      tf.dispose([...args, wt, y, ...grads]);
    });
  }

  for (const d of CONV_SIZES) {
    const tag = `B=${d.batch} L=${d.len} C=${d.channels} K=${d.kernel}`;
    it(`causal conv + SiLU forward and all gradients (${tag}), rel < ${TOL}`, async () => {
      const rng = new Rng(d.len * 17 + d.kernel);
      const x = randn(rng, d.batch * d.len * d.channels);
      const w = randn(rng, d.channels * d.kernel, 0.5);
      const bias = randn(rng, d.channels, 0.3);
      const gy = randn(rng, x.length);
      const yRef = new Float64Array(x.length);
      causalConvTs.forward(d, x, w, bias, yRef);
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      const db = new Float64Array(bias.length);
      causalConvTs.backward(d, x, w, bias, gy, dx, dw, db);
      const tx = tf.tensor3d(Float32Array.from(x), [d.batch, d.len, d.channels]);
      const tw = tf.tensor2d(Float32Array.from(w), [d.channels, d.kernel]);
      const tb = tf.tensor1d(Float32Array.from(bias));
      const tg = tf.tensor3d(Float32Array.from(gy), [d.batch, d.len, d.channels]);
      const y = causalConvSiluWebgpu(tx, tw, tb);
      const ey = relErr(await read(y), yRef);
      assert.ok(ey < TOL, `forward: relative error ${ey}`);
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(causalConvSiluWebgpu(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor1D), tg)))([tx, tw, tb]);
      const refs = [dx, dw, db];
      const names = ["dx", "dw", "dbias"];
      for (let i = 0; i < 3; i++) {
        const e = relErr(await read(grads[i]!), refs[i]!);
        assert.ok(e < TOL, `${names[i]}: relative error ${e}`);
      }
      tf.dispose([tx, tw, tb, tg, y, ...grads]);
    });
  }
});
