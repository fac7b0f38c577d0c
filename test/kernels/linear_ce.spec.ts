import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { linearCrossEntropy } from "../../src/kernels/linear_ce.js";
import { linearCrossEntropyRef } from "../../src/kernels/linear_ce_ref.js";
import { linearCeTs, linearCrossEntropyLoops } from "../../src/kernels/linear_ce_ts.js";
import { loadNative, tsKernels, useKernels, type KernelSet } from "../../src/kernels/select.js";
import type { LinearCrossEntropyDims } from "../../src/kernels/types.js";
import { Rng } from "../../src/util/rng.js";
import { data, finiteDiff, randn64, relErr } from "../runtime/helpers.js";

const SIZES: LinearCrossEntropyDims[] = [
  { tokens: 1, hidden: 3, vocab: 5, labelSmoothing: 0 },
  { tokens: 6, hidden: 4, vocab: 9, labelSmoothing: 0.1 },
  { tokens: 5, hidden: 8, vocab: 700, labelSmoothing: 0.2 }, // more than one item chunk
];

const targetsFor = (rng: Rng, d: LinearCrossEntropyDims): Int32Array => {
  const t = Int32Array.from({ length: d.tokens }, () => 1 + rng.int(d.vocab - 1));
  if (d.tokens > 2) t[1] = 0; // one masked token
  return t;
};

describe("fused linear cross-entropy", () => {
  let native: KernelSet | null = null;
  before(async () => {
    await initBackend("cpu");
    native = await loadNative();
  });
  after(() => useKernels(tsKernels));

  for (const d of SIZES) {
    const tag = `T=${d.tokens} H=${d.hidden} V=${d.vocab} e=${d.labelSmoothing}`;

    it(`float64 loops: gradients match finite differences (${tag}), rel < 1e-6`, () => {
      const rng = new Rng(d.vocab);
      const h = randn64(rng, d.tokens * d.hidden);
      const W = randn64(rng, d.vocab * d.hidden, 0.5);
      const bias = randn64(rng, d.vocab, 0.5);
      const targets = targetsFor(rng, d);
      const loss = (): number => linearCrossEntropyLoops(d, h, W, bias, targets, null, null, null);
      const dh = new Float64Array(h.length);
      const dW = new Float64Array(W.length);
      const dB = new Float64Array(bias.length);
      linearCrossEntropyLoops(d, h, W, bias, targets, dh, dW, dB);
      for (const [name, arr, grad] of [["h", h, dh], ["W", W, dW], ["bias", bias, dB]] as const) {
        const fd = finiteDiff(loss, arr);
        fd.fill(0, 0, name === "W" ? d.hidden : name === "bias" ? 1 : 0); // row 0 never scores
        const err = relErr(grad, fd);
        assert.ok(err < 1e-6, `d${name}: relative error ${err}`);
      }
    });

    for (const mode of ["backend matmuls", "TS loops", "native"] as const) {
      it(`op (${mode}) matches the tfjs reference in float32, loss and gradients (${tag}), rel < 1e-5`, function () {
        if (mode === "native" && native === null) this.skip();
        useKernels(mode === "native" ? native! : mode === "TS loops" ? { ...tsKernels, linearCe: linearCeTs } : tsKernels);
        const rng = new Rng(d.tokens + 100);
        const h = tf.tensor2d(Float32Array.from(randn64(rng, d.tokens * d.hidden)), [d.tokens, d.hidden]);
        const W = tf.tensor2d(Float32Array.from(randn64(rng, d.vocab * d.hidden, 0.5)), [d.vocab, d.hidden]);
        const targets = targetsFor(rng, d);
        const e = d.labelSmoothing;
        const f = (a: tf.Tensor, b: tf.Tensor) => linearCrossEntropy(a as tf.Tensor2D, b as tf.Tensor2D, targets, e);
        const r = (a: tf.Tensor, b: tf.Tensor) => linearCrossEntropyRef(a as tf.Tensor2D, b as tf.Tensor2D, targets, e);
        assert.ok(relErr(data(f(h, W)), data(r(h, W))) < 1e-5, "loss");
        const gf = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(f(a, b), 1.7))([h, W]);
        const gr = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(r(a, b), 1.7))([h, W]);
        gf.forEach((g, i) => {
          const err = relErr(data(g), data(gr[i]!));
          assert.ok(err < 1e-5, `gradient ${i}: relative error ${err}`);
        });
      });
    }
  }
});

describe("fused linear cross-entropy, native: the same bits every time at a thread count", () => {
  it("200 blocks on 2 threads, the machine kept busy by a spinning worker: loss, dh and dW repeat bit for bit", async function () {
    this.timeout(120_000);
    const native = await loadNative();
    if (native === null || native.setThreads === undefined) this.skip();
    const { Worker } = await import("node:worker_threads");
    const d: LinearCrossEntropyDims = { tokens: 200 * 16, hidden: 32, vocab: 1201, labelSmoothing: 0.1 };
    const rng = new Rng(5);
    const h = Float32Array.from({ length: d.tokens * d.hidden }, () => rng.normal());
    const W = Float32Array.from({ length: d.vocab * d.hidden }, () => 0.3 * rng.normal());
    const targets = Int32Array.from({ length: d.tokens }, () => 1 + rng.int(d.vocab - 1));
    // The kernel's blocks are 16 rows at this budget, so one call deals out 200 blocks.
    const saved = process.env.REC_CE_TOKEN_BLOCK;
    process.env.REC_CE_TOKEN_BLOCK = "16";
    native!.setThreads!(2);
    // Competes for a core, so that the two kernel threads finish their blocks at varying speeds.
    const spin = new Worker("const end = Date.now() + 60000; while (Date.now() < end) {}", { eval: true });
    try {
      const call = (): { loss: number; dh: Float32Array; dW: Float32Array } => {
        const dh = new Float32Array(d.tokens * d.hidden);
        const dW = new Float32Array(d.vocab * d.hidden);
        return { loss: native!.linearCe!.lossAndGrad(d, h, W, null, targets, dh, dW, null), dh, dW };
      };
      const first = call();
      for (let i = 0; i < 30; i++) {
        const again = call();
        assert.equal(again.loss, first.loss, `call ${i + 2}: loss ${again.loss} vs ${first.loss}`);
        assert.ok(Buffer.from(again.dW.buffer).equals(Buffer.from(first.dW.buffer)), `call ${i + 2}: dW differs`);
        assert.ok(Buffer.from(again.dh.buffer).equals(Buffer.from(first.dh.buffer)), `call ${i + 2}: dh differs`);
      }
    } finally {
      await spin.terminate();
      if (saved === undefined) delete process.env.REC_CE_TOKEN_BLOCK;
      else process.env.REC_CE_TOKEN_BLOCK = saved;
    }
  });
});
