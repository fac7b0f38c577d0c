/**
 * The native BatchMatMul (src/kernels/matmul.ts) on seeded random inputs: `batchMatMulNative`
 * against the plain loops (`batchMatMulInto`), and the registered wasm kernel through tf.matMul
 * against the loops and against the wasm backend's own kernel, every transpose combination,
 * batches and batch broadcasting, forward and gradients. Skips when the addon is not built.
 * Tolerance: relative error (max|a-b| / max|b|) < 1e-5 forward, < 1e-4 gradients against the
 * built-in kernel (tfjs sums the gradient's products in another order), < 1e-5 against the loops.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { loadNativeKernels } from "../../src/kernels/native.js";
import { batchMatMulNative, registerNativeMatMul, unregisterNativeMatMul, type MatMulDims } from "../../src/kernels/matmul.js";
import { batchMatMulInto } from "../../src/kernels/matmul_ref.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { Rng } from "../../src/util/rng.js";
import { relErr } from "../runtime/helpers.js";

const native = loadNativeKernels();
const rand = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());
const randT = (rng: Rng, shape: number[]): tf.Tensor => tf.tensor(rand(rng, shape.reduce((p, d) => p * d, 1)), shape);

/** `batchMatMulInto` on new output of `batch` [M, N] blocks. */
const loops = (d: MatMulDims, A: Float32Array, B: Float32Array): Float32Array => {
  const out = new Float32Array(Math.max(d.batchA, d.batchB) * d.M * d.N);
  batchMatMulInto(d, A, B, out);
  return out;
};

describe("native BatchMatMul", function () {
  this.timeout(120_000);

  before(async () => {
    await initBackend("wasm");
  });
  after(async () => {
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

  it("tf.matMul through the registered kernel equals the plain loops, forward and both gradients", async function () {
    if (!native) this.skip();
    await setKernelImpl("native");
    const rng = new Rng(7);
    for (let trial = 0; trial < 16; trial++) {
      const [batch, M, N, K] = [1 + rng.int(3), 1 + rng.int(30), 1 + rng.int(30), 1 + rng.int(50)];
      const transA = trial % 2 === 1;
      const transB = trial % 4 >= 2;
      const sa = transA ? [batch, K, M] : [batch, M, K];
      const sb = transB ? [batch, N, K] : [batch, K, N];
      const A = rand(rng, batch * M * K);
      const B = rand(rng, batch * K * N);
      const W = rand(rng, batch * M * N); // dLoss/dY for loss = sum(Y * W)
      const { value: y, grads: [gA, gB] } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(a, b, transA, transB), tf.tensor(W, [batch, M, N]))) as tf.Scalar)([tf.tensor(A, sa), tf.tensor(B, sb)]);
      const Y = tf.matMul(tf.tensor(A, sa), tf.tensor(B, sb), transA, transB).dataSync();
      const dims = (m: number, n: number, k: number, tA: boolean, tB: boolean): MatMulDims =>
        ({ batchA: batch, batchB: batch, M: m, N: n, K: k, transA: tA, transB: tB });
      // Y = op(A) op(B): d op(A) = W op(B)^T and d op(B) = op(A)^T W, each laid out as A or B is stored.
      const dA = transA ? loops(dims(K, M, N, transB, true), B, W) : loops(dims(M, K, N, false, !transB), W, B);
      const dB = transB ? loops(dims(N, K, M, true, transA), W, A) : loops(dims(K, N, M, !transA, false), A, W);
      const tag = `B=${batch} M=${M} N=${N} K=${K} tA=${transA} tB=${transB}`;
      assert.ok(relErr(Y, loops(dims(M, N, K, transA, transB), A, B)) < 1e-5, `${tag} forward`);
      assert.ok(relErr(gA!.dataSync(), dA) < 1e-5, `${tag} dA: ${relErr(gA!.dataSync(), dA)}`);
      assert.ok(relErr(gB!.dataSync(), dB) < 1e-5, `${tag} dB: ${relErr(gB!.dataSync(), dB)}`);
      y.dispose();
    }
  });
});
