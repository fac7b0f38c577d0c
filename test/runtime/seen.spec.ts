/**
 * The seen-aware output (runtime/layers/seen.ts): which items each prediction adjusts, that nothing
 * after the prediction's position is read, the fused loss against the logits reference, the
 * scorer's adjustment, and the weights' gradients against finite differences in float64.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import type { SeenOutput } from "../../src/ir/spec.js";
import { linearCrossEntropyLoops } from "../../src/kernels/linear_ce_ts.js";
import { initBackend } from "../../src/runtime/backend.js";
import { makeBatch, makeRows } from "../../src/runtime/batches.js";
import { recencyBucket, recencyBuckets, seenEntries } from "../../src/runtime/layers/seen.js";
import { sequenceLoss, sequenceLossRef, type TrainBatch } from "../../src/runtime/loss.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { Rng } from "../../src/util/rng.js";
import { tinyMamba } from "./fixtures.js";
import { finiteDiff, randn64, relErr } from "./helpers.js";

const NUM_ITEMS = 12;
const MAX_LEN = 8;

/** A tiny Mamba with the seen-aware output of `mode`, its seen weights set to distinct non-zero values. */
const netWith = (mode: Exclude<SeenOutput, "none">, seed = 3): SequenceNet => {
  const net = SequenceNet.fromIR({ ...tinyMamba(8), seen: mode }, NUM_ITEMS, MAX_LEN, new Rng(seed));
  const rng = new Rng(seed + 1);
  for (const { name, variable } of net.params.list())
    if (name.startsWith("output.seen")) variable.assign(tf.tensor(Float32Array.from(randn64(rng, variable.size, 1.5)), variable.shape));
  return net;
};

/** Sequences with repeats (items drawn from a few), so that predictions have seen items at several recencies. */
const repeatingSequences = (n: number, seed: number): Int32Array[] => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Int32Array.from({ length: 3 + rng.int(MAX_LEN + 2) }, () => 1 + rng.int(5)));
};

const batchOf = (seqs: Int32Array[]): TrainBatch => {
  const rows = makeRows(seqs, MAX_LEN, "all_positions");
  return makeBatch(rows, seqs, Int32Array.from({ length: rows.len.length }, (_, i) => i));
};

describe("seen-aware output", () => {
  before(async () => {
    await initBackend("cpu");
  });

  it("recency buckets: 1, 2, 3-4, 5-8, ... items ago, the last bucket open; maxLen 200 gives 8", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 7, 8, 15, 16, 500].map((d) => recencyBucket(d, 8)), [0, 1, 1, 2, 2, 3, 3, 4, 4, 7]);
    assert.equal(recencyBuckets(200), 8);
    assert.equal(recencyBuckets(50), 6);
    assert.equal(recencyBuckets(1), 1);
  });

  it("entries by hand: each prediction lists the distinct items up to its position, latest first, with their recency bucket", () => {
    // One row [5, 3, 5, 9] padded to 6; predictions after positions 0, 1, 2 and 3.
    const inputs = Int32Array.of(5, 3, 5, 9, 0, 0);
    const e = seenEntries(inputs, 6, Int32Array.of(0, 1, 2, 3), 8, NUM_ITEMS);
    assert.deepEqual([...e.offsets], [0, 1, 3, 5, 8]);
    assert.deepEqual([...e.items], [5, 3, 5, 5, 3, 9, 5, 3]);
    assert.deepEqual([...e.buckets], [0, 0, 1, 0, 1, 0, 1, 1]);
    assert.deepEqual([...e.tokens], [0, 1, 1, 2, 2, 3, 3, 3]);
  });

  it("a target planted in the future part of a window changes no prediction's loss or adjustment before it", () => {
    for (const mode of ["bias", "recency", "gated"] as const) {
      const net = netWith(mode);
      const fwd = { training: false, rng: new Rng(1) };
      // One row; only the prediction at position 3 carries a target (item 7). Its input is positions
      // 0..3; position 4 holds, in the second batch, the target itself.
      const row = (future: number): TrainBatch => {
        const inputs = Int32Array.of(1, 2, 3, 4, future, 6, 0, 0);
        const targets = new Int32Array(8);
        targets[3] = 7;
        return { rows: 1, len: 8, inputs, targets, count: 1 };
      };
      const plain = sequenceLoss(net, row(5), 0, fwd).dataSync()[0]!;
      const planted = sequenceLoss(net, row(7), 0, fwd).dataSync()[0]!;
      assert.equal(planted, plain, `${mode}: the loss at position 3 must not see position 4`);
      // The same target inside the input (position 2) does change it: the adjustment is really there.
      const seenBefore = { ...row(5), inputs: Int32Array.of(1, 2, 7, 4, 5, 6, 0, 0) };
      assert.notEqual(sequenceLoss(net, seenBefore, 0, fwd).dataSync()[0]!, plain, `${mode}: a seen target must be adjusted`);
      net.dispose();
    }
  });

  for (const mode of ["bias", "recency", "gated"] as const) {
    it(`${mode}: the fused loss equals the logits + logSoftmax reference, value and every gradient (rel < 1e-5)`, () => {
      const net = netWith(mode);
      const b = batchOf(repeatingSequences(6, 11));
      const fwd = { training: false, rng: new Rng(1) };
      const vars = net.params.variables();
      const f = tf.variableGrads(() => sequenceLoss(net, b, 0.1, fwd), vars);
      const r = tf.variableGrads(() => sequenceLossRef(net, b, 0.1, fwd), vars);
      assert.ok(relErr(f.value.dataSync(), r.value.dataSync()) < 1e-5);
      for (const v of vars) assert.ok(relErr(f.grads[v.name]!.dataSync(), r.grads[v.name]!.dataSync()) < 1e-5, v.name);
      const seenGrad = Object.entries(f.grads).filter(([name]) => name.includes("output.seen"));
      assert.ok(seenGrad.length > 0 && seenGrad.every(([, g]) => tf.max(tf.abs(g)).dataSync()[0]! > 0), "the seen weights get a gradient");
      net.dispose();
    });
  }

  it("the scorer adds each input item's weight to its score, and nothing to the others", async () => {
    const net = netWith("recency");
    const plain = SequenceNet.fromIR(tinyMamba(8), NUM_ITEMS, MAX_LEN, new Rng(3));
    const w = net.params.get("output.seen.weight").dataSync();
    const input = Int32Array.of(4, 9, 4, 2);
    const [a, b] = await Promise.all([net.scorer()([input]), plain.scorer()([input])]);
    const expected = Float32Array.from(b);
    // item 2: 0 ago; item 4: 1 ago (its latest occurrence); item 9: 2 ago
    for (const [item, d] of [[2, 0], [4, 1], [9, 2]] as const) expected[item] += w[recencyBucket(d, recencyBuckets(MAX_LEN))]!;
    assert.ok(relErr(a.subarray(1), expected.subarray(1)) < 1e-6);
    net.dispose();
    plain.dispose();
  });

  it("float64: the seen weights' gradient (bucket sums of the cross-entropy's, gate by the chain rule) matches finite differences, rel < 1e-6", () => {
    // The composition the runtime uses, in float64: values[k] = w[bucket[k]] + h[token[k]] . u + c.
    const rng = new Rng(21);
    const H = 5, V = NUM_ITEMS + 1, B = recencyBuckets(MAX_LEN);
    const seqs = repeatingSequences(3, 5);
    const b = batchOf(seqs);
    const positions = Int32Array.from({ length: b.targets.length }, (_, i) => i).filter((i) => b.targets[i]! > 0);
    const targets = Int32Array.from(positions, (i) => b.targets[i]!);
    const T = positions.length;
    const e = seenEntries(b.inputs, b.len, positions, B, NUM_ITEMS);
    const h = randn64(rng, T * H), W = randn64(rng, V * H, 0.5), w = randn64(rng, B), u = randn64(rng, H), c = randn64(rng, 1);
    const dims = { tokens: T, hidden: H, vocab: V, labelSmoothing: 0.1 };
    const values = (): Float64Array => Float64Array.from(e.items, (_, k) => {
      let g = c[0]!;
      for (let j = 0; j < H; j++) g += h[e.tokens[k]! * H + j]! * u[j]!;
      return w[e.buckets[k]!]! + g;
    });
    const loss = (): number => linearCrossEntropyLoops(dims, h, W, null, targets, null, null, null, { offsets: e.offsets, items: e.items, values: values(), dValues: null });
    const dV = new Float64Array(e.items.length);
    linearCrossEntropyLoops(dims, h, W, null, targets, null, null, null, { offsets: e.offsets, items: e.items, values: values(), dValues: dV });
    const dw = new Float64Array(B), du = new Float64Array(H), dc = new Float64Array(1);
    dV.forEach((g, k) => {
      dw[e.buckets[k]!] += g;
      dc[0] += g;
      for (let j = 0; j < H; j++) du[j] += g * h[e.tokens[k]! * H + j]!;
    });
    for (const [name, x, g] of [["w", w, dw], ["u", u, du], ["c", c, dc]] as const) {
      const err = relErr(g, finiteDiff(loss, x));
      assert.ok(err < 1e-6, `d${name}: relative error ${err}`);
    }
  });
});
