import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { linearCeWebgpu, linearCrossEntropy, type ScoreAdjustment } from "../../src/kernels/linear_ce.js";
import { linearCrossEntropyRef } from "../../src/kernels/linear_ce_ref.js";
import { linearCeTs, linearCrossEntropyLoops } from "../../src/kernels/linear_ce_ts.js";
import { loadNative, tsKernels, useKernels } from "../../src/kernels/select.js";
import { kernelSetsOnCpu } from "./kernel_sets.js";
import type { LinearCrossEntropyDims, ScoreAdjust } from "../../src/kernels/types.js";
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
  const kernelSet = kernelSetsOnCpu();

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
        if (mode === "native" && kernelSet("native") === null) this.skip();
        useKernels(mode === "native" ? kernelSet("native")! : mode === "TS loops" ? { ...tsKernels, linearCe: linearCeTs } : tsKernels);
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

/**
 * A random sparse adjustment: each token lists up to `most` distinct items (its target among them
 * half the time, so the target's own score is adjusted too), in CSR form.
 */
const adjustmentFor = (rng: Rng, d: LinearCrossEntropyDims, targets: Int32Array, most: number): { offsets: Int32Array; items: Int32Array; values: Float64Array } => {
  const offsets = new Int32Array(d.tokens + 1);
  const items: number[] = [];
  for (let t = 0; t < d.tokens; t++) {
    const chosen = new Set<number>();
    if (targets[t]! > 0 && rng.uniform() < 0.5) chosen.add(targets[t]!);
    const n = rng.int(most + 1);
    while (chosen.size < Math.min(n, d.vocab - 1)) chosen.add(1 + rng.int(d.vocab - 1));
    items.push(...chosen);
    offsets[t + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items), values: randn64(rng, items.length, 2) };
};

describe("fused linear cross-entropy with a sparse score adjustment", () => {
  const kernelSet = kernelSetsOnCpu();

  for (const d of SIZES) {
    const tag = `T=${d.tokens} H=${d.hidden} V=${d.vocab} e=${d.labelSmoothing}`;

    it(`float64 loops: gradients of h, W and the adjustment match finite differences (${tag}), rel < 1e-6`, () => {
      const rng = new Rng(d.vocab + 7);
      const h = randn64(rng, d.tokens * d.hidden);
      const W = randn64(rng, d.vocab * d.hidden, 0.5);
      const targets = targetsFor(rng, d);
      const a = adjustmentFor(rng, d, targets, 4);
      const adj = (dValues: Float64Array | null): ScoreAdjust => ({ offsets: a.offsets, items: a.items, values: a.values, dValues });
      const loss = (): number => linearCrossEntropyLoops(d, h, W, null, targets, null, null, null, adj(null));
      const dh = new Float64Array(h.length);
      const dW = new Float64Array(W.length);
      const dV = new Float64Array(a.values.length);
      linearCrossEntropyLoops(d, h, W, null, targets, dh, dW, null, adj(dV));
      for (const [name, arr, grad] of [["h", h, dh], ["W", W, dW], ["adjustment", a.values, dV]] as const) {
        const fd = finiteDiff(loss, arr);
        if (name === "W") fd.fill(0, 0, d.hidden); // row 0 never scores
        const err = relErr(grad, fd);
        assert.ok(err < 1e-6, `d${name}: relative error ${err}`);
      }
      // The adjustment changes the loss: it is not silently ignored.
      assert.notEqual(loss(), linearCrossEntropyLoops(d, h, W, null, targets, null, null, null));
    });

    for (const mode of ["backend matmuls", "TS loops", "native", "webgpu form (tfjs ops)"] as const) {
      it(`op (${mode}) matches the tfjs reference in float32, loss and gradients of h, W and the adjustment (${tag}), rel < 1e-5`, function () {
        if (mode === "native" && kernelSet("native") === null) this.skip();
        useKernels(mode === "native" ? kernelSet("native")! : mode === "TS loops" ? { ...tsKernels, linearCe: linearCeTs } : tsKernels);
        const rng = new Rng(d.tokens + 300);
        const h = tf.tensor2d(Float32Array.from(randn64(rng, d.tokens * d.hidden)), [d.tokens, d.hidden]);
        const W = tf.tensor2d(Float32Array.from(randn64(rng, d.vocab * d.hidden, 0.5)), [d.vocab, d.hidden]);
        const targets = targetsFor(rng, d);
        const a = adjustmentFor(rng, d, targets, 5);
        const v = tf.tensor1d(Float32Array.from(a.values));
        const e = d.labelSmoothing;
        const adj = (values: tf.Tensor): ScoreAdjustment => ({ offsets: a.offsets, items: a.items, values: values as tf.Tensor1D });
        // The webgpu form in small chunks (3 tokens' scores each), so that entries span several chunks.
        const f = mode === "webgpu form (tfjs ops)"
          ? (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => linearCeWebgpu(x as tf.Tensor2D, w as tf.Tensor2D, targets, e, 3 * (d.vocab - 1), false, adj(u))
          : (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => linearCrossEntropy(x as tf.Tensor2D, w as tf.Tensor2D, targets, e, adj(u));
        const r = (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => linearCrossEntropyRef(x as tf.Tensor2D, w as tf.Tensor2D, targets, e, adj(u));
        assert.ok(relErr(data(f(h, W, v)), data(r(h, W, v))) < 1e-5, "loss");
        const gf = tf.grads((x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => tf.mul(f(x, w, u), 1.7))([h, W, v]);
        const gr = tf.grads((x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => tf.mul(r(x, w, u), 1.7))([h, W, v]);
        gf.forEach((g, i) => {
          const err = relErr(data(g), data(gr[i]!));
          assert.ok(err < 1e-5, `gradient ${["h", "W", "adjustment"][i]}: relative error ${err}`);
        });
      });
    }
  }

  it("native two-pass form (items in chunks of 100, blocks of 2 tokens): loss and gradients with the adjustment match the reference, rel < 1e-5", function () {
    if (kernelSet("native") === null) this.skip();
    useKernels(kernelSet("native")!);
    const d = SIZES[2]!;
    const saved = { chunk: process.env["REC_CE_ITEM_CHUNK"], block: process.env["REC_CE_TOKEN_BLOCK"] };
    process.env["REC_CE_ITEM_CHUNK"] = "100";
    process.env["REC_CE_TOKEN_BLOCK"] = "2";
    try {
      const rng = new Rng(4242);
      const h = tf.tensor2d(Float32Array.from(randn64(rng, d.tokens * d.hidden)), [d.tokens, d.hidden]);
      const W = tf.tensor2d(Float32Array.from(randn64(rng, d.vocab * d.hidden, 0.5)), [d.vocab, d.hidden]);
      const targets = targetsFor(rng, d);
      const a = adjustmentFor(rng, d, targets, 40);
      const v = tf.tensor1d(Float32Array.from(a.values));
      const adj = (values: tf.Tensor): ScoreAdjustment => ({ offsets: a.offsets, items: a.items, values: values as tf.Tensor1D });
      const f = (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => linearCrossEntropy(x as tf.Tensor2D, w as tf.Tensor2D, targets, 0.2, adj(u));
      const r = (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => linearCrossEntropyRef(x as tf.Tensor2D, w as tf.Tensor2D, targets, 0.2, adj(u));
      assert.ok(relErr(data(f(h, W, v)), data(r(h, W, v))) < 1e-5, "loss");
      const gf = tf.grads((x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => f(x, w, u))([h, W, v]);
      const gr = tf.grads((x: tf.Tensor, w: tf.Tensor, u: tf.Tensor) => r(x, w, u))([h, W, v]);
      gf.forEach((g, i) => assert.ok(relErr(data(g), data(gr[i]!)) < 1e-5, `gradient ${["h", "W", "adjustment"][i]}`));
    } finally {
      for (const [k, v] of [["REC_CE_ITEM_CHUNK", saved.chunk], ["REC_CE_TOKEN_BLOCK", saved.block]] as const)
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });

  it("native: a bad adjustment (item 0, decreasing offsets) is refused with a message, not read out of bounds", function () {
    if (kernelSet("native") === null) this.skip();
    const d: LinearCrossEntropyDims = { tokens: 2, hidden: 2, vocab: 4, labelSmoothing: 0 };
    const h = new Float32Array(4), W = new Float32Array(8), targets = Int32Array.of(1, 2);
    const call = (offsets: number[], items: number[]) => kernelSet("native")!.linearCe!.lossAndGrad(d, h, W, null, targets, null, null, null,
      { offsets: Int32Array.from(offsets), items: Int32Array.from(items), values: new Float32Array(items.length), dValues: null });
    assert.throws(() => call([0, 1, 2], [0, 1]), /adjItems\[0\] = 0 is outside \[1, vocab\)/);
    assert.throws(() => call([0, 2, 1], [1, 2]), /adjOffsets must not decrease/);
    assert.doesNotThrow(() => call([0, 1, 2], [3, 1]));
  });
});
