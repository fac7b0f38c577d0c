/**
 * `targets: masked` (BERT4Rec's cloze task): the rows, the masks a batch draws, the batch they make,
 * training (overfits, deterministic, resumes exactly) and scoring with the mask token appended.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Layer, SequenceModel } from "../../src/ir/spec.js";
import { initBackend } from "../../src/runtime/backend.js";
import { drawMasks, makeBatch, makeRows } from "../../src/runtime/batches.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { train } from "../../src/runtime/trainer.js";
import { Rng } from "../../src/util/rng.js";
import { origin, trainConfig } from "./fixtures.js";

/** User u interacts with item (u mod 12) + 1, 14 times: every masked item is each of its neighbours. */
const constantSequences = (users: number): Int32Array[] => Array.from({ length: users }, (_, u) => new Int32Array(14).fill((u % 12) + 1));

/** embedding(dim) -> positions -> bidirectional attention in a residual -> layernorm -> tied, with a mask token. */
const tinyBert = (dim = 16, maxLen = 10): SequenceModel => {
  const base = { origin, inDim: dim, outDim: dim };
  const layers: Layer[] = [
    { ...base, kind: "positional", maxLen },
    { ...base, kind: "residual", body: [{ ...base, kind: "attention", heads: 2, dropout: 0, causal: false }] },
    { ...base, kind: "layernorm", eps: 1e-12 },
  ];
  return { kind: "sequence", name: "TinyBert", origin, embeddingDim: dim, layers, output: "tied", seen: "none", maskToken: true };
};

describe("targets: masked", () => {
  it("rows: disjoint windows of up to max_len items of the whole sequence, aligned to its end", () => {
    const seqs = [Int32Array.from({ length: 23 }, (_, i) => i + 1), Int32Array.of(5, 6), Int32Array.of(7)];
    const rows = makeRows(seqs, 10, "masked", 0, 0.2);
    // 23 items: [13, 23), [3, 13), [0, 3); 2 items: [0, 2); a single item trains nothing.
    assert.deepEqual([...rows.seq], [0, 0, 0, 1]);
    assert.deepEqual([...rows.start], [13, 3, 0, 0]);
    assert.deepEqual([...rows.len], [10, 10, 3, 2]);
    assert.ok(Math.abs(rows.targets - 0.2 * 25) < 1e-9);
  });

  it("masks: one draw per item, reproducible, at most floor(ratio * max_len) predicted per row, the last ones", () => {
    const seqs = [Int32Array.from({ length: 40 }, (_, i) => i + 1)];
    const rows = makeRows(seqs, 40, "masked", 0, 0.5);
    const ids = Int32Array.of(0);
    const a = drawMasks(rows, ids, 40, new Rng(9));
    const b = drawMasks(rows, ids, 40, new Rng(9));
    assert.deepEqual([...a.byRow.get(0)!], [...b.byRow.get(0)!]);
    // With ratio 0.5 over 40 items the cap of 20 binds for most seeds; find one where it does.
    let m = a;
    for (let seed = 1; m.byRow.get(0)!.length <= 20; seed++) m = drawMasks(rows, ids, 40, new Rng(seed));
    const pos = [...m.byRow.get(0)!];
    const predicted = pos.filter((q) => q >= 0);
    const inputOnly = pos.filter((q) => q < 0).map((q) => -q - 1);
    assert.equal(predicted.length, 20);
    assert.equal(m.count, 20);
    assert.ok(Math.max(...inputOnly) < Math.min(...predicted), "the predicted masks are the last ones");
    const batch = makeBatch(rows, seqs, ids, { masks: m, maskId: 41 });
    assert.equal(batch.count, 20);
    for (let p = 0; p < 40; p++) {
      const masked = pos.some((q) => q === p || -q - 1 === p);
      assert.equal(batch.inputs[p], masked ? 41 : p + 1, `input at ${p}`);
      assert.equal(batch.targets[p], predicted.includes(p) ? p + 1 : 0, `target at ${p}`);
    }
  });

  it("a batch of masked rows needs its masks", () => {
    const seqs = [Int32Array.of(1, 2, 3)];
    assert.throws(() => makeBatch(makeRows(seqs, 10, "masked"), seqs, Int32Array.of(0)), /need their masks/);
  });

  describe("training and scoring (cpu)", () => {
    before(async () => { await initBackend("cpu"); });

    const run = async (epochs: number, opts: { checkpoint?: string; resume?: boolean } = {}) => {
      const rng = new Rng(5);
      const net = SequenceNet.fromIR(tinyBert(), 12, 10, rng.fork());
      const losses: number[] = [];
      const summary = await train(net, constantSequences(24), {
        config: trainConfig({ epochs, batch: 24, targets: "masked", maskRatio: 0.3, optimizer: { kind: "adam", lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } }),
        maxLen: 10, rng, onStep: (_e, _s, l) => losses.push(l), ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}), resume: opts.resume ?? false,
      });
      return { net, losses, summary };
    };

    it("learns the cloze task (loss falls by >= 95%), deterministically, and scores at the appended mask", async () => {
      const a = await run(30);
      const b = await run(30);
      assert.deepEqual(a.losses, b.losses);
      const first = a.summary.history[0]!.loss;
      const last = a.summary.history.at(-1)!.loss;
      assert.ok(last <= 0.05 * first, `loss ${first} -> ${last}`);
      // Scoring appends the mask token and reads the state there: the user's one item comes first.
      const scores = await a.net.scorer()([Int32Array.of(7, 7, 7, 7)]);
      let best = 1;
      for (let i = 2; i <= 12; i++) if (scores[i]! > scores[best]!) best = i;
      assert.equal(best, 7);
      assert.equal(scores.length, 13, "scores cover padding and the 12 items, not the mask token");
      a.net.dispose();
      b.net.dispose();
    });

    it("resumes exactly: 2 epochs + resume to 4 equals 4 straight (the masks come from the checkpointed generator)", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "reccompile-"));
      try {
        const ck = path.join(dir, "ck.json");
        const straight = await run(4);
        const first = await run(2, { checkpoint: ck });
        const rest = await run(4, { checkpoint: ck, resume: true });
        assert.deepEqual([...first.losses, ...rest.losses], straight.losses);
        [straight, first, rest].forEach((r) => r.net.dispose());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("scoring a history longer than max_len keeps its last max_len - 1 items and the mask token", async () => {
      const rng = new Rng(2);
      const net = SequenceNet.fromIR(tinyBert(), 12, 10, rng.fork());
      const long = Int32Array.from({ length: 15 }, (_, i) => (i % 12) + 1);
      const [a, b] = [await net.scorer()([long]), await net.scorer()([long.subarray(6)])];
      assert.deepEqual([...a], [...b]);
      // And the ninth-last item is read: without it the scores change.
      const c = await net.scorer()([long.subarray(7)]);
      assert.notDeepEqual([...a], [...c]);
      net.dispose();
    });
  });
});
