/**
 * The zero-copy path of the fused ops (src/kernels/zero_copy.ts: wasm heap views in, outputs written
 * in place) against their copying path, forward and backward, with the TypeScript kernels and (when
 * built) the native ones, on seeded random inputs through a conv -> scan -> linear CE chain.
 * Tolerance: relative error < 1e-6 (the same kernels on the same numbers; only the memory differs).
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { loadNativeKernels } from "../../src/kernels/native.js";
import { causalConvSilu } from "../../src/kernels/causal_conv.js";
import { linearCrossEntropy } from "../../src/kernels/linear_ce.js";
import { selectiveScan } from "../../src/kernels/selective_scan.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { setZeroCopy } from "../../src/kernels/zero_copy.js";
import { Rng } from "../../src/util/rng.js";
import { relErr } from "../runtime/helpers.js";

const native = loadNativeKernels();
const randT = (rng: Rng, shape: number[]): tf.Tensor =>
  tf.tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.normal()), shape);

describe("zero-copy fused ops on wasm", function () {
  this.timeout(120_000);

  before(async () => {
    await initBackend("wasm");
  });
  after(async () => {
    setZeroCopy(true);
    await setKernelImpl("ts");
  });

  for (const impl of ["ts", "native"] as const) {
    it(`zero-copy fused ops (${impl} kernels) equal the copying path, forward and backward`, async function () {
      if (impl === "native" && !native) this.skip();
      await setKernelImpl(impl);
      const rng = new Rng(4);
      const [b, l, d, n, items] = [2, 9, 6, 4, 13];
      const u = randT(rng, [b, l, d]);
      const delta = randT(rng, [b, l, d]);
      const A = tf.neg(tf.exp(randT(rng, [d, n])));
      const Bm = randT(rng, [b, l, n]);
      const Cm = randT(rng, [b, l, n]);
      const D = randT(rng, [d]);
      const bias = randT(rng, [d]);
      const w = randT(rng, [d, 4]);
      const cb = randT(rng, [d]);
      const W = randT(rng, [items, d]);
      const targets = Int32Array.from({ length: b * l }, (_, i) => i % 5 === 0 ? 0 : 1 + rng.int(items - 1));
      const f = (...ts: tf.Tensor[]) => {
        const [u0, de, A0, B0, C0, D0, bi, w0, c0, W0] = ts as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
        const x = causalConvSilu(u0, w0, c0);
        const y = selectiveScan(x, de, A0, B0, C0, D0, bi, 4);
        return linearCrossEntropy(tf.reshape(y, [b * l, d]) as tf.Tensor2D, W0, targets, 0.1);
      };
      const inputs = [u, delta, A, Bm, Cm, D, bias, w, cb, W];
      const run = () => {
        const { value, grads } = tf.valueAndGrads(f)(inputs);
        return { v: value.dataSync()[0]!, g: grads.map((g) => g.dataSync().slice()) };
      };
      setZeroCopy(false);
      const ref = run();
      setZeroCopy(true);
      const got = run();
      assert.ok(Math.abs(got.v - ref.v) <= 1e-6 * Math.abs(ref.v), `loss ${got.v} vs ${ref.v}`);
      got.g.forEach((g, i) => assert.ok(relErr(g, ref.g[i]!) < 1e-6, `grad ${i}: ${relErr(g, ref.g[i]!)}`));
    });
  }
});
