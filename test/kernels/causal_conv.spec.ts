import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { causalConvSilu } from "../../src/kernels/causal_conv.js";
import { causalConvSiluRef } from "../../src/kernels/causal_conv_ref.js";
import { causalConvTs } from "../../src/kernels/causal_conv_ts.js";
import { useKernels } from "../../src/kernels/select.js";
import { kernelSetsOnCpu } from "./kernel_sets.js";
import type { ConvDims } from "../../src/kernels/types.js";
import { Rng } from "../../src/util/rng.js";
import { data, dot, finiteDiff, randn64, relErr } from "../runtime/helpers.js";

const SIZES: ConvDims[] = [
  { batch: 2, len: 1, channels: 3, kernel: 4 },
  { batch: 2, len: 7, channels: 3, kernel: 4 },
  { batch: 1, len: 5, channels: 2, kernel: 1 },
  { batch: 3, len: 10, channels: 5, kernel: 3 },
];

describe("causal depthwise conv + SiLU", () => {
  const kernelSet = kernelSetsOnCpu();

  for (const d of SIZES) {
    const tag = `B=${d.batch} L=${d.len} C=${d.channels} K=${d.kernel}`;

    it(`hand-written float64 backward matches finite differences (${tag}), rel < 1e-6`, () => {
      const rng = new Rng(d.len * 13 + d.kernel);
      const x = randn64(rng, d.batch * d.len * d.channels);
      const w = randn64(rng, d.channels * d.kernel, 0.5);
      const b = randn64(rng, d.channels, 0.5);
      const gy = randn64(rng, x.length);
      const y = new Float64Array(x.length);
      const loss = (): number => {
        causalConvTs.forward(d, x, w, b, y);
        return dot(gy, y);
      };
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      const db = new Float64Array(b.length);
      causalConvTs.backward(d, x, w, b, gy, dx, dw, db);
      for (const [name, arr, grad] of [["x", x, dx], ["w", w, dw], ["bias", b, db]] as const) {
        const err = relErr(grad, finiteDiff(loss, arr));
        assert.ok(err < 1e-6, `d${name}: relative error ${err}`);
      }
    });

    for (const impl of ["ts", "native"] as const) it(`fused op (${impl} kernels) matches the tfjs reference in float32, forward and all gradients (${tag}), rel < 1e-5`, function () {
      const set = kernelSet(impl);
      if (set === null) this.skip();
      useKernels(set);
      const rng = new Rng(d.len * 5 + 3);
      const x = tf.tensor3d(Float32Array.from(randn64(rng, d.batch * d.len * d.channels)), [d.batch, d.len, d.channels]);
      const w = tf.tensor2d(Float32Array.from(randn64(rng, d.channels * d.kernel, 0.5)), [d.channels, d.kernel]);
      const b = tf.tensor1d(Float32Array.from(randn64(rng, d.channels, 0.5)));
      const gy = tf.tensor3d(Float32Array.from(randn64(rng, d.batch * d.len * d.channels)), x.shape);
      type Args = [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D];
      assert.ok(relErr(data(causalConvSilu(x, w, b)), data(causalConvSiluRef(x, w, b))) < 1e-5, "forward");
      const gf = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(causalConvSilu(...(a as Args)), gy)))([x, w, b]);
      const gr = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(causalConvSiluRef(...(a as Args)), gy)))([x, w, b]);
      gf.forEach((g, i) => {
        const err = relErr(data(g), data(gr[i]!));
        assert.ok(err < 1e-5, `gradient ${i}: relative error ${err}`);
      });
    });
  }
});
