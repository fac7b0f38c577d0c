/**
 * The fast paths of the runtime against plain references, on seeded random inputs:
 * - native BatchMatMul (src/kernels/native_matmul.ts) vs a TS loop and vs the wasm backend's own
 *   kernel, every transpose combination, batches and batch broadcasting, forward and gradients;
 * - the native leading-axis Sum vs the built-in; the sharing Identity on wasm;
 * - the zero-copy fused ops (ops.ts) vs their copying path, forward and backward;
 * - the fast dropout mask vs Rng.uniform().
 * Native parts skip when the addon is not built.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { loadNativeKernels } from "../../src/kernels/native.js";
import {
  batchMatMulInto, batchMatMulNative, columnSumNative, columnSumRef, registerNativeMatMul, registerNativeSum,
  unregisterNativeMatMul, type MatMulDims,
} from "../../src/kernels/native_matmul.js";
import { causalConvSilu, geluFused, layerNormFused, linearCrossEntropy, selectiveScan, setZeroCopy, siluGateFused } from "../../src/kernels/ops.js";
import { geluRef } from "../../src/runtime/layers/common.js";
import { layerNormRef } from "../../src/runtime/layers/layernorm.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { fillMask, fillMaskRef } from "../../src/runtime/layers/dropout.js";
import { Rng } from "../../src/util/rng.js";
import { relErr } from "../runtime/helpers.js";

const native = loadNativeKernels();
const rand = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());
const randT = (rng: Rng, shape: number[]): tf.Tensor => tf.tensor(rand(rng, shape.reduce((p, d) => p * d, 1)), shape);

describe("fast paths: native matmul, sum, identity, zero-copy ops, dropout mask", function () {
  this.timeout(120_000);

  before(async () => {
    await initBackend("wasm");
  });
  after(async () => {
    await setKernelImpl("ts");
  });

  for (const impl of ["ts", "native"] as const) it(`fillMask (${impl}) draws exactly what Rng.uniform() draws`, async function () {
    if (impl === "native" && !native) this.skip();
    await setKernelImpl(impl);
    for (const keep of [0.8, 0.5, 0.1, 1]) {
      const a = new Rng(11);
      const b = new Rng(11);
      a.normal(); // leaves a spare normal: the state must survive
      b.normal();
      const m1 = new Float32Array(10_007);
      const m2 = new Float32Array(10_007);
      fillMaskRef(a, m1, keep, 1 / keep);
      fillMask(b, m2, keep, 1 / keep);
      assert.deepEqual(m2, m1);
      assert.equal(b.normal(), a.normal());
      assert.equal(b.uniform(), a.uniform());
    }
    await setKernelImpl("ts");
  });

  it("batchMatMulNative matches the TS loop on random shapes", function () {
    if (!native) this.skip();
    const rng = new Rng(1);
    for (let trial = 0; trial < 24; trial++) {
      const M = 1 + rng.int(40);
      const N = 1 + rng.int(40);
      const K = 1 + rng.int(70);
      const batch = 1 + rng.int(4);
      const bc = rng.int(3); // 0: both batched, 1: A broadcast, 2: B broadcast
      const d: MatMulDims = {
        batchA: bc === 1 ? 1 : batch, batchB: bc === 2 ? 1 : batch, M, N, K,
        transA: rng.uniform() < 0.5, transB: rng.uniform() < 0.5,
      };
      const A = rand(rng, d.batchA * M * K);
      const B = rand(rng, d.batchB * K * N);
      const ref = new Float32Array(batch * M * N);
      const got = new Float32Array(batch * M * N).fill(NaN);
      batchMatMulInto(d, A, B, ref);
      batchMatMulNative(native!, d, A, B, got);
      assert.ok(relErr(got, ref) < 1e-5, `trial ${trial} ${JSON.stringify(d)}: ${relErr(got, ref)}`);
    }
  });

  it("the registered wasm BatchMatMul matches the built-in kernel, forward and gradients", async function () {
    if (!native) this.skip();
    await setKernelImpl("native");
    const rng = new Rng(2);
    const cases: [number[], number[], boolean, boolean][] = [
      [[33, 17], [17, 29], false, false],
      [[17, 33], [17, 29], true, false],
      [[33, 17], [29, 17], false, true],
      [[17, 33], [29, 17], true, true],
      [[3, 20, 8], [3, 8, 12], false, false],
      [[3, 8, 20], [3, 12, 8], true, true],
      [[2, 3, 20, 8], [2, 3, 8, 5], false, false],
      [[4, 20, 8], [8, 12], false, false],
      [[20, 8], [4, 8, 12], false, false],
      [[4, 8, 20], [1, 8, 12], true, false],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const a = randT(rng, sa);
      const b = randT(rng, sb);
      // tfjs's own BatchMatMul gradient does not reduce broadcast batches: gradients only without broadcasting.
      const withGrads = sa.length === sb.length && sa.slice(0, -2).join() === sb.slice(0, -2).join();
      const run = () => {
        const y = tf.matMul(a, b, ta, tb);
        const [ga, gb] = withGrads
          ? tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, w, ta, tb))))([a, b])
          : [tf.zeros([1]), tf.zeros([1])];
        return { shape: y.shape, y: y.dataSync().slice(), ga: ga!.dataSync().slice(), gb: gb!.dataSync().slice() };
      };
      const fast = run();
      unregisterNativeMatMul("wasm");
      const base = run();
      registerNativeMatMul("wasm");
      const tag = `${sa} x ${sb} tA=${ta} tB=${tb}`;
      assert.deepEqual(fast.shape, base.shape, tag);
      assert.ok(relErr(fast.y, base.y) < 1e-5, `${tag} forward ${relErr(fast.y, base.y)}`);
      assert.ok(relErr(fast.ga, base.ga) < 1e-4, `${tag} dA`);
      assert.ok(relErr(fast.gb, base.gb) < 1e-4, `${tag} dB`);
    }
  });

  it("the native leading-axis Sum matches the reference; other reductions keep the built-in", async function () {
    if (!native) this.skip();
    await setKernelImpl("native");
    registerNativeSum("wasm");
    const rng = new Rng(3);
    const X = rand(rng, 37 * 11);
    const ref = new Float32Array(11);
    const got = new Float32Array(11);
    columnSumRef(37, 11, X, ref);
    columnSumNative(native!, 37, 11, X, got);
    assert.ok(relErr(got, ref) < 1e-5);
    const x = tf.tensor(rand(rng, 5 * 7 * 9), [5, 7, 9]);
    const xs = x.arraySync() as number[][][];
    const sumRef = (axes: number[], keep: boolean): number[] => {
      const out: number[] = [];
      const shape = [5, 7, 9].map((d, i) => (axes.includes(i) ? 1 : d));
      for (let i = 0; i < shape[0]!; i++) for (let j = 0; j < shape[1]!; j++) for (let k = 0; k < shape[2]!; k++) {
        let s = 0;
        for (let a = 0; a < 5; a++) for (let b = 0; b < 7; b++) for (let c = 0; c < 9; c++) {
          if ((axes.includes(0) || a === i) && (axes.includes(1) || b === j) && (axes.includes(2) || c === k)) s += xs[a]![b]![c]!;
        }
        out.push(s);
      }
      void keep;
      return out;
    };
    for (const [axes, keep] of [[[0], false], [[0, 1], false], [[0, 1], true], [[1], false], [[2], true], [[-1], false]] as [number[], boolean][]) {
      const y = tf.sum(x, axes, keep);
      const norm = axes.map((a) => (a < 0 ? a + 3 : a));
      const shape = keep ? [5, 7, 9].map((d, i) => (norm.includes(i) ? 1 : d)) : [5, 7, 9].filter((_, i) => !norm.includes(i));
      assert.deepEqual(y.shape, shape, `axes ${axes}`);
      assert.ok(relErr(y.dataSync(), sumRef(norm, keep)) < 1e-5, `axes ${axes} keepDims ${keep}`);
    }
  });

  it("GatherV2 on wasm (row copies) matches plain indexing; other cases keep the built-in", () => {
    const rng = new Rng(6);
    const table = rand(rng, 17 * 5);
    const ids = Int32Array.from({ length: 40 }, () => rng.int(17));
    const got = tf.gather(tf.tensor2d(table, [17, 5]), tf.tensor2d(ids, [8, 5], "int32"));
    assert.deepEqual(got.shape, [8, 5, 5]);
    const ref = new Float32Array(40 * 5);
    ids.forEach((id, i) => ref.set(table.subarray(id * 5, id * 5 + 5), i * 5));
    assert.deepEqual(got.dataSync(), ref);
    const cols = tf.gather(tf.tensor2d(table, [17, 5]), tf.tensor1d([4, 0], "int32"), 1); // axis 1: built-in
    assert.deepEqual(Array.from(cols.dataSync().slice(0, 2)), [table[4], table[0]]);
  });

  it("Identity on wasm shares data and keeps values", () => {
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    y.dispose();
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

  for (const impl of ["ts", "native"] as const) {
    it(`memory-lean LayerNorm, GELU and SiLU gate (${impl}) equal their composed forms, forward and backward`, async function () {
      if (impl === "native" && !native) this.skip();
      await setKernelImpl(impl);
      const rng = new Rng(5);
      // small, and large enough (> 65,536 elements) for the native kernels' threaded paths
      for (const shape of [[3, 7, 16], [4, 300, 64]]) {
      const x = randT(rng, shape) as tf.Tensor3D;
      const z = randT(rng, shape);
      const g = tf.add(randT(rng, [shape[2]!]), 1);
      const b = randT(rng, [shape[2]!]);
      const w = randT(rng, shape);
      const check = (name: string, fast: (...t: tf.Tensor[]) => tf.Tensor, ref: (...t: tf.Tensor[]) => tf.Tensor, ins: tf.Tensor[]) => {
        const loss = (f: (...t: tf.Tensor[]) => tf.Tensor) => (...t: tf.Tensor[]) => tf.sum(tf.mul(f(...t), w)) as tf.Scalar;
        const a = tf.valueAndGrads(loss(fast))(ins);
        const r = tf.valueAndGrads(loss(ref))(ins);
        assert.ok(relErr(fast(...ins).dataSync(), ref(...ins).dataSync()) < 1e-6, `${name} forward`);
        assert.ok(Math.abs(a.value.dataSync()[0]! - r.value.dataSync()[0]!) < 1e-4 * Math.max(1, Math.abs(r.value.dataSync()[0]!)), `${name} loss`);
        a.grads.forEach((gr, i) => assert.ok(relErr(gr.dataSync(), r.grads[i]!.dataSync()) < 2e-5, `${name} grad ${i}: ${relErr(gr.dataSync(), r.grads[i]!.dataSync())}`));
      };
      check("layernorm", (a, c, d) => layerNormFused(a!, c!, d!, 1e-12), (a, c, d) => layerNormRef(a as tf.Tensor3D, c!, d!, 1e-12), [x, g, b]);
      check("gelu", (a) => geluFused(a!), (a) => geluRef(a!), [x]);
      check("silu gate", (a, c) => siluGateFused(a!, c!), (a, c) => tf.mul(a!, tf.mul(c!, tf.sigmoid(c!))), [x, z]);
      }
    });
  }
});
