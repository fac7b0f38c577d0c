/**
 * Scoring computes the last layers at the scored position only (module.ts, `applyLast`): each
 * layer's `applyLast` against its plain form (every position, then the wanted rows), on seeded
 * random weights and right-padded rows of mixed lengths; every shipped spec's network and scorer
 * against theirs. Inference only: `applyLast` is never differentiated (training refuses it).
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { isRight } from "fp-ts/lib/Either.js";
import * as tf from "@tensorflow/tfjs-core";
import { at, LayerError } from "../../src/api.js";
import { checkFileDetailed } from "../../src/check/index.js";
import { initBackend } from "../../src/runtime/backend.js";
import { attention, attentionPool, caser, dropout, ffn, gru, layerNorm, linear, mamba, positional, residual, sequential, userEmbedding } from "../../src/runtime/layers/index.js";
import { applyLast, applyLastReference, type ForwardContext, type Module } from "../../src/runtime/module.js";
import { ParamStore } from "../../src/runtime/params.js";
import { Rng } from "../../src/util/rng.js";
import { enlarge, relErr, scorerFormsGap } from "./helpers.js";

const TOL = 1e-5;
const BATCH = 6;
const LEN = 9;
const DIM = 8;

/** Real items per row: the longest, the shortest, and random ones between. */
const lengths = (rng: Rng): Int32Array => Int32Array.from({ length: BATCH }, (_, b) => (b === 0 ? LEN : b === 1 ? 1 : 1 + rng.int(LEN)));

/** A random input and each row's last real position; the padding positions hold random values too (as a real batch's padding embeddings need not be 0). */
const inputs = (seed: number): { x: tf.Tensor3D; pos: Int32Array; fwd: ForwardContext } => {
  const rng = new Rng(seed);
  const ls = lengths(rng);
  const vals = new Float32Array(BATCH * LEN * DIM);
  rng.fillNormal(vals);
  return {
    x: tf.tensor3d(vals, [BATCH, LEN, DIM]),
    pos: Int32Array.from(ls, (n) => n - 1),
    fwd: { training: false, rng: new Rng(1), lengths: ls, users: Int32Array.from({ length: BATCH }, (_, b) => (b === 2 ? -1 : b % 3)) },
  };
};

const compare = (label: string, m: Module, seed = 3): void => {
  const { x, pos, fwd } = inputs(seed);
  const fast = applyLast(m, x, fwd, pos);
  const ref = applyLastReference(m, x, fwd, pos);
  assert.deepEqual(fast.shape, ref.shape, label);
  const err = relErr(fast.dataSync(), ref.dataSync());
  assert.ok(err < TOL, `${label}: applyLast differs from the rows of apply by ${err}`);
  tf.dispose([x, fast, ref]);
};

// tf variable names are global to the engine, and each spec file has its own ParamStore counter:
// every store is disposed after its test, so that no name outlives it.
const stores: ParamStore[] = [];

const built = (make: (ctx: { params: ParamStore; numUsers: number }) => Module): Module => {
  const rng = new Rng(11);
  const params = new ParamStore(rng);
  stores.push(params);
  const m = make({ params, numUsers: 3 });
  enlarge(params, rng);
  return m;
};

describe("applyLast: the scored position alone", () => {
  before(async () => { await initBackend("cpu"); });
  afterEach(() => { for (const store of stores.splice(0)) store.dispose(); });

  it("each sequence-mixing layer's own applyLast equals the rows of its apply", () => {
    const cases: [string, Module][] = [
      ["mamba", built((c) => mamba(c, "m", { dim: DIM, dState: 4, dConv: 4, expand: 2, dtRank: 1 }))],
      ["causal attention", built((c) => attention(c, "a", { dim: DIM, heads: 2, dropout: 0.3, causal: true }))],
      ["bidirectional attention", built((c) => attention(c, "a", { dim: DIM, heads: 2, dropout: 0.3, causal: false }))],
      ["attention_pool", built((c) => attentionPool(c, "p", { dim: DIM, concat: false }))],
      ["attention_pool(concat)", built((c) => attentionPool(c, "p", { dim: DIM, concat: true }))],
      ["caser", built((c) => caser(c, "c", { dim: DIM, window: 4, horizontal: 3, vertical: 2 }))],
    ];
    for (const [label, m] of cases) {
      assert.ok(m.applyLast, `${label} has its own applyLast`);
      compare(label, m);
    }
  });

  it("pointwise layers are applied to the wanted rows alone, the rest through their full apply", () => {
    const pointwise: [string, Module][] = [
      ["dropout", built((c) => dropout(c, "d", { rate: 0.5 }))],
      ["layernorm", built((c) => layerNorm(c, "n", { dim: DIM, eps: 1e-12 }))],
      ["ffn", built((c) => ffn(c, "f", { dim: DIM, inner: 12, outDim: DIM, activation: "gelu", dropout: 0.2 }))],
      ["linear", built((c) => linear(c, "l", { inDim: DIM, outDim: 5, bias: true, activation: "relu" }))],
      ["embedding users", built((c) => userEmbedding(c, "u", { inDim: DIM, dim: 4 }))],
    ];
    for (const [label, m] of pointwise) {
      assert.equal(m.pointwise, true, label);
      compare(label, m);
    }
    // Position-dependent or recurrent: not pointwise, no applyLast of their own.
    for (const [label, m] of [["positional", built((c) => positional(c, "p", { maxLen: LEN, dim: DIM }))], ["gru", built((c) => gru(c, "g", { inDim: DIM, hidden: DIM }))]] as const) {
      assert.ok(!m.pointwise && !m.applyLast, label);
      compare(label, m);
    }
  });

  it("sequential and residual: pointwise when their layers are; the last mixing layer at the wanted rows, pointwise layers after it", () => {
    const layers = built((c) => {
      const block = (i: number): Module => sequential(`b${i}`, [
        residual(`b${i}.r0`, [mamba(c, `b${i}.m`, { dim: DIM, dState: 4, dConv: 4, expand: 2, dtRank: 1 }), dropout(c, `b${i}.d0`, { rate: 0.1 })]),
        layerNorm(c, `b${i}.n0`, { dim: DIM, eps: 1e-12 }),
        residual(`b${i}.r1`, [ffn(c, `b${i}.f`, { dim: DIM, inner: 16, outDim: DIM, activation: "gelu", dropout: 0.1 })]),
        layerNorm(c, `b${i}.n1`, { dim: DIM, eps: 1e-12 }),
      ]);
      return sequential("net", [positional(c, "pos", { maxLen: LEN, dim: DIM }), block(0), block(1)]);
    });
    assert.ok(!layers.pointwise);
    compare("two Mamba blocks", layers);
    const tail = built((c) => sequential("tail", [residual("r", [ffn(c, "f", { dim: DIM, inner: 16, outDim: DIM, activation: "relu", dropout: 0 })]), layerNorm(c, "n", { dim: DIM, eps: 1e-5 })]));
    assert.equal(tail.pointwise, true);
    compare("pointwise only", tail);
    compare("empty", sequential("none", []));
  });

  it("is refused in training, where every position is needed", () => {
    const m = built((c) => layerNorm(c, "n", { dim: DIM, eps: 1e-12 }));
    const { x, pos, fwd } = inputs(4);
    assert.throws(() => applyLast(m, x, { ...fwd, training: true }, pos), /applyLast is for evaluation/);
    assert.throws(() => applyLast(m, x, fwd, Int32Array.of(0, LEN, 0, 0, 0, 0)), /position 9 of row 1 is outside 0\.\.8/);
    x.dispose();
  });

  it("at() keeps a layer's pointwise flag and applyLast, and names its spec line when applyLast fails", () => {
    const m = at("specs/x.rec:4", () => built((c) => mamba(c, "m", { dim: DIM, dState: 4, dConv: 4, expand: 2, dtRank: 1 })));
    assert.ok(m.applyLast);
    compare("mamba through at()", m);
    assert.equal(at("specs/x.rec:5", () => built((c) => layerNorm(c, "n", { dim: DIM, eps: 1e-12 }))).pointwise, true);
    const failing = at("specs/x.rec:7", () => ({ name: "boom", apply: (x: tf.Tensor3D) => x, applyLast: () => { throw new Error("no such row"); } }));
    const { x, pos, fwd } = inputs(5);
    assert.throws(() => applyLast(failing, x, fwd, pos), (e: unknown) => e instanceof LayerError && e.message === "specs/x.rec:7: no such row");
    x.dispose();
  });

  describe("every shipped spec's network", () => {
    const files = ["specs", "specs/tuning"].flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".rec")).map((f) => join(d, f)))
      .filter((f) => !checkFileDetailed(f).library); // blocks.rec: block definitions, no model
    for (const file of files) {
      it(`${file}: hiddenLast and the scorer equal their plain forms`, async () => {
        const checked = checkFileDetailed(file).result;
        assert.ok(isRight(checked), file);
        const spec = checked.right.spec;
        if (spec.model.kind !== "sequence") return; // Pop: no network
        const err = await scorerFormsGap(spec.model, Math.min(spec.data.maxLen, LEN));
        assert.ok(err < TOL, `${file}: scores differ by ${err}`);
      });
    }
  });
});
