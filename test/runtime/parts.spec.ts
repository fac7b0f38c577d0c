import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { epochBatches, makeBatch, makeRows, microBatches, targetCount } from "../../src/runtime/batches.js";
import { sequenceLoss, sequenceLossRef } from "../../src/runtime/loss.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { clipByGlobalNorm } from "../../src/runtime/optim/clip.js";
import { makeOptimizer } from "../../src/runtime/optim/optimizer.js";
import { learningRate } from "../../src/runtime/optim/schedule.js";
import { ParamStore } from "../../src/runtime/params.js";
import { Rng } from "../../src/util/rng.js";
import { cyclicSequences, tinyMamba } from "./fixtures.js";
import { relErr } from "./helpers.js";

describe("rng", () => {
  it("is deterministic and restores its state exactly", () => {
    const a = new Rng(42);
    a.normal();
    const st = a.getState();
    const xs = [a.normal(), a.uniform(), a.nextUint32()];
    a.setState(st);
    assert.deepEqual([a.normal(), a.uniform(), a.nextUint32()], xs);
    assert.deepEqual(new Rng(1).nextUint32(), new Rng(1).nextUint32());
    assert.notEqual(new Rng(1).nextUint32(), new Rng(2).nextUint32());
  });
});

describe("batches", () => {
  const seqs = [Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), Int32Array.from([9, 10])];

  it("all_positions: windows of maxLen targets aligned to the end, every target once", () => {
    const rows = makeRows(seqs, 3, "all_positions");
    assert.equal(rows.targets, 8);
    const b = makeBatch(rows, seqs, Int32Array.from([0, 1, 2, 3]));
    const targets = Array.from(b.targets).filter((t) => t > 0).sort((x, y) => x - y);
    assert.deepEqual(targets, [2, 3, 4, 5, 6, 7, 8, 10]);
    // The last window of the first sequence: inputs 4 5 6 -> targets 5 6 7 ... aligned to the end.
    assert.deepEqual([rows.start[0], rows.len[0]], [4, 3]);
    assert.equal(b.count, 8);
  });

  it("all_positions with min_context: overlapping windows, every target once, each with at least min(min_context, history) items of context", () => {
    const rng = new Rng(3);
    const long = Array.from({ length: 12 }, (_, u) => Int32Array.from({ length: 1 + rng.int(40) }, (_, i) => 1 + ((u * 31 + i * 7) % 97)));
    for (const [maxLen, minContext] of [[5, 0], [5, 2], [5, 4], [8, 3], [1, 0]] as const) {
      const rows = makeRows(long, maxLen, "all_positions", minContext);
      const seen = long.map((s) => new Int32Array(s.length)); // times each target index occurs
      for (let r = 0; r < rows.len.length; r++) {
        const st = rows.start[r]!, l = rows.len[r]!, f = rows.from[r]!;
        assert.ok(l <= maxLen && f < l);
        for (let p = f; p < l; p++) {
          const t = st + p + 1; // target index in its sequence
          seen[rows.seq[r]!]![t]!++;
          assert.ok(p + 1 >= Math.min(minContext + 1, t), `context ${p + 1} for target ${t} (maxLen ${maxLen}, minContext ${minContext})`);
        }
      }
      long.forEach((s, u) => { for (let t = 1; t < s.length; t++) assert.equal(seen[u]![t], 1, `target ${t} of sequence ${u}`); });
      assert.equal(rows.targets, long.reduce((a, s) => a + Math.max(0, s.length - 1), 0));
      const b = makeBatch(rows, long, Int32Array.from({ length: rows.len.length }, (_, i) => i));
      assert.equal(b.count, rows.targets);
      assert.equal(Array.from(b.targets).filter((t) => t > 0).length, rows.targets);
    }
  });

  it("last: one row per prefix, target only at its last position", () => {
    const rows = makeRows(seqs, 3, "last");
    assert.equal(rows.targets, 8);
    const b = makeBatch(rows, seqs, Int32Array.from({ length: 8 }, (_, i) => i));
    assert.equal(b.count, 8);
    assert.deepEqual(Array.from(b.inputs.subarray(b.len * 6, b.len * 7)), [5, 6, 7]);
    assert.equal(b.targets[b.len * 6 + 2], 8);
  });

  it("micro-batches: the batch's rows in order, each part within the position limit unless one row exceeds it", () => {
    const rng = new Rng(8);
    const varied = Array.from({ length: 30 }, (_, u) => Int32Array.from({ length: 2 + rng.int(30) }, (_, i) => 1 + ((u + i) % 9)));
    for (const mode of ["all_positions", "last"] as const) {
      const rows = makeRows(varied, 12, mode);
      for (const batch of epochBatches(rows, 60, new Rng(2))) {
        for (const limit of [1, 12, 40, 100, 1e9]) {
          const parts = microBatches(rows, batch, limit);
          assert.deepEqual(parts.flatMap((p) => Array.from(p)), Array.from(batch));
          assert.equal(parts.reduce((n, p) => n + targetCount(rows, p), 0), targetCount(rows, batch));
          for (const p of parts) {
            const b = makeBatch(rows, varied, p);
            assert.ok(p.length > 0 && (b.rows * b.len <= limit || p.length === 1), `${mode}, limit ${limit}: ${b.rows} x ${b.len}`);
            assert.equal(b.count, targetCount(rows, p));
          }
          if (limit === 1e9) assert.equal(parts.length, 1);
        }
      }
    }
  });

  it("an epoch covers every row once, in batches of about `batch` targets", () => {
    const many = cyclicSequences(30, 9, 7);
    const rows = makeRows(many, 4, "all_positions");
    const batches = epochBatches(rows, 20, new Rng(1));
    const all = batches.flatMap((b) => Array.from(b)).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: rows.len.length }, (_, i) => i));
  });
});

describe("loss, optimizers, schedules", () => {
  before(async () => {
    await initBackend("cpu");
  });

  it("fused sequence loss equals the logits + logSoftmax reference, value and gradients (rel < 1e-5)", () => {
    const net = SequenceNet.fromIR(tinyMamba(8), 15, 6, new Rng(4));
    const seqs = cyclicSequences(5, 15, 7);
    const rows = makeRows(seqs, 6, "all_positions");
    const b = makeBatch(rows, seqs, Int32Array.from({ length: rows.len.length }, (_, i) => i));
    const fwd = { training: false, rng: new Rng(1) };
    const vars = net.params.variables();
    const f = tf.variableGrads(() => sequenceLoss(net, b, 0.1, fwd), vars);
    const r = tf.variableGrads(() => sequenceLossRef(net, b, 0.1, fwd), vars);
    assert.ok(relErr(f.value.dataSync(), r.value.dataSync()) < 1e-5);
    for (const v of vars) assert.ok(relErr(f.grads[v.name]!.dataSync(), r.grads[v.name]!.dataSync()) < 1e-5, v.name);
    net.dispose();
  });

  it("micro-batches' losses and gradients add up to the whole batch's (rel < 1e-5), all_positions and last", () => {
    const net = SequenceNet.fromIR(tinyMamba(8), 15, 6, new Rng(4));
    const rng = new Rng(9);
    const seqs = Array.from({ length: 9 }, () => Int32Array.from({ length: 2 + rng.int(12) }, () => 1 + rng.int(15)));
    const fwd = { training: false, rng: new Rng(1) };
    const vars = net.params.variables();
    for (const mode of ["all_positions", "last"] as const) {
      const rows = makeRows(seqs, 6, mode);
      const ids = Int32Array.from({ length: rows.len.length }, (_, i) => i);
      const whole = tf.variableGrads(() => sequenceLoss(net, makeBatch(rows, seqs, ids), 0.1, fwd), vars);
      const parts = microBatches(rows, ids, 14);
      assert.ok(parts.length > 2, `${mode}: ${parts.length} parts`);
      const sums = parts.map((p) => tf.variableGrads(() => sequenceLoss(net, makeBatch(rows, seqs, p), 0.1, fwd, rows.targets), vars));
      const loss = sums.reduce((a, r) => a + r.value.dataSync()[0]!, 0);
      assert.ok(relErr([loss], whole.value.dataSync()) < 1e-5, `${mode}: loss ${loss} vs ${whole.value.dataSync()[0]}`);
      for (const v of vars) {
        const g = tf.tidy(() => tf.addN(sums.map((r) => r.grads[v.name]!)));
        assert.ok(relErr(g.dataSync(), whole.grads[v.name]!.dataSync()) < 1e-5, `${mode}: ${v.name}`);
        g.dispose();
      }
      tf.dispose([whole.value, ...Object.values(whole.grads), ...sums.flatMap((r) => [r.value, ...Object.values(r.grads)])]);
    }
    net.dispose();
  });

  it("Adam, AdamW and SGD match PyTorch's update equations on one parameter", () => {
    const cases = [
      { cfg: { kind: "adam", lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.5 } as const },
      { cfg: { kind: "adamw", lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.5 } as const },
      { cfg: { kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0.5 } as const },
    ];
    for (const { cfg } of cases) {
      const store = new ParamStore(new Rng(1));
      const p = store.create("w", [1], { kind: "values", values: Float32Array.from([2]) });
      const opt = makeOptimizer(cfg, store.list());
      let w = 2, m = 0, v = 0, buf = 0;
      for (let t = 1; t <= 3; t++) {
        const g = 0.3 * t;
        opt.apply({ w: tf.tensor1d([g]) }, cfg.lr);
        if (cfg.kind === "sgd") {
          const gg = g + cfg.weightDecay * w;
          buf = t === 1 ? gg : cfg.momentum * buf + gg;
          w -= cfg.lr * buf;
        } else {
          const gg = cfg.kind === "adam" ? g + cfg.weightDecay * w : g;
          if (cfg.kind === "adamw") w *= 1 - cfg.lr * cfg.weightDecay;
          m = cfg.beta1 * m + (1 - cfg.beta1) * gg;
          v = cfg.beta2 * v + (1 - cfg.beta2) * gg * gg;
          w -= (cfg.lr * (m / (1 - cfg.beta1 ** t))) / (Math.sqrt(v / (1 - cfg.beta2 ** t)) + cfg.eps);
        }
      }
      assert.ok(Math.abs(p.dataSync()[0]! - w) < 1e-5, `${cfg.kind}: ${p.dataSync()[0]} vs ${w}`);
      opt.dispose();
      store.dispose();
    }
  });

  it("schedules: cosine with warm-up, step decay", () => {
    const cos = { kind: "cosine", warmupEpochs: 2, minLrRatio: 0.1 } as const;
    assert.equal(learningRate(cos, 1, 1, 10), 0.5);
    assert.equal(learningRate(cos, 1, 2, 10), 1);
    assert.ok(Math.abs(learningRate(cos, 1, 6, 10) - 0.55) < 1e-12);
    assert.ok(Math.abs(learningRate(cos, 1, 10, 10) - 0.1) < 1e-12);
    assert.ok(Math.abs(learningRate({ kind: "step", every: 3, gamma: 0.5 }, 1, 7, 10) - 0.25) < 1e-12);
  });

  it("clips by global norm", () => {
    const grads: Record<string, tf.Tensor> = { a: tf.tensor1d([3]), b: tf.tensor1d([4]) };
    assert.equal(clipByGlobalNorm(grads, 1), 5);
    assert.ok(Math.abs(grads["a"]!.dataSync()[0]! - 0.6) < 1e-5 && Math.abs(grads["b"]!.dataSync()[0]! - 0.8) < 1e-5);
  });
});

describe("wasm backend", () => {
  before(async () => {
    await initBackend("wasm");
  });

  it("has the embedding gradient (UnsortedSegmentSum) and it sums repeated ids", () => {
    const table = tf.tensor2d([[1, 1], [2, 2], [3, 3]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([2, 2, 0], "int32"))))(table);
    assert.deepEqual(Array.from(g.dataSync()), [1, 1, 0, 0, 2, 2]);
  });

  it("gathers embedding rows right when the tensors sit past 2 GiB in the wasm heap", () => {
    // A 3-layer, 128-wide Mamba4Rec's full-ranking evaluation grows the heap past 2 GiB; byte offsets
    // from there on were turned negative by a signed shift, and the lookups read garbage.
    const ballast = tf.fill([(2 ** 31) / 4 + 1024], 0.5);
    try {
      // 64 MiB, row r all r: too big for the holes below the ballast, so it is placed above it.
      const table = tf.tidy(() => tf.mul(tf.reshape(tf.range(0, 16384), [16384, 1]), tf.ones([1, 1024])));
      const ids = tf.tensor1d([16383, 0, 7, 7], "int32");
      const backend = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } };
      const offset = backend.dataIdMap.get(table.dataId).memoryOffset;
      assert.ok(offset >= 2 ** 31, `the table is at byte ${offset}, not past 2 GiB: the test needs a bigger ballast`);
      const rows = tf.gather(table, ids);
      const got = rows.dataSync();
      assert.deepEqual([0, 1, 2, 3].map((r) => [got[r * 1024], got[r * 1024 + 1023]]), [[16383, 16383], [0, 0], [7, 7], [7, 7]]);
      tf.dispose([table, ids, rows]);
    } finally {
      ballast.dispose();
    }
  });

  it("scores histories for the evaluator: [n, items + 1], column 0 -Infinity, independent of batch padding", async () => {
    const net = SequenceNet.fromIR(tinyMamba(8), 6, 5, new Rng(2));
    const scorer = net.scorer(5);
    const both = await scorer([Int32Array.from([1, 2, 3, 4, 5, 6]), Int32Array.from([4])]);
    const alone = await scorer([Int32Array.from([4])]);
    assert.equal(both.length, 14);
    assert.equal(both[0], -Infinity);
    assert.ok(relErr(both.subarray(8, 14), alone.subarray(1, 7)) < 1e-5);
    net.dispose();
  });
});
