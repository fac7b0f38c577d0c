import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { attention, ffn, gru, itemEmbedding, layerNorm, linear, mamba, positional } from "../../src/runtime/layers/index.js";
import type { Module } from "../../src/runtime/module.js";
import { ParamStore } from "../../src/runtime/params.js";
import { Rng } from "../../src/util/rng.js";

/**
 * Layers built from tfjs ops are checked by directional derivatives in float32: for random unit
 * directions v, grad . v from tf.grads against (L(p + eps v) - L(p - eps v)) / (2 eps), eps = 1e-2,
 * L = sum(w * layer(x)). Float32 forward noise and O(eps^2) truncation allow a relative tolerance
 * of 2e-2 (of max(|grad . v|, 1e-3)); an error in a gradient formula is off by O(1).
 */
const EPS = 1e-2;
const TOL = 2e-2;

const unit = (rng: Rng, shape: readonly number[]): tf.Tensor => {
  const n = shape.reduce((p, d) => p * d, 1);
  const a = new Float32Array(n);
  rng.fillNormal(a);
  const norm = Math.hypot(...a);
  return tf.tensor(a.map((x) => x / norm), [...shape]);
};

const checkModule = (name: string, build: (store: ParamStore) => Module, x: tf.Tensor3D, eps = EPS): void => {
  const rng = new Rng(9);
  const store = new ParamStore(rng);
  const m = build(store);
  // Larger weights than the 0.02 init, so every path carries signal.
  for (const { variable } of store.list()) variable.assign(tf.add(variable, tf.mul(unit(rng, variable.shape), Math.sqrt(variable.size) * 0.3)));
  const fwd = { training: false, rng };
  const w = tf.randomNormal(m.apply(x, fwd).shape, 0, 1, "float32", 3);
  const targets: tf.Variable[] = [tf.variable(x), ...store.variables()];
  const loss = (): tf.Scalar => tf.sum(tf.mul(m.apply(targets[0]! as tf.Variable<tf.Rank.R3>, fwd), w));
  const { grads } = tf.variableGrads(loss, targets);
  for (const v of targets) {
    const g = grads[v.name]!;
    for (let trial = 0; trial < 2; trial++) {
      const dir = unit(rng, v.shape);
      const orig = v.clone();
      v.assign(tf.add(orig, tf.mul(dir, eps)));
      const up = loss().dataSync()[0]!;
      v.assign(tf.sub(orig, tf.mul(dir, eps)));
      const down = loss().dataSync()[0]!;
      v.assign(orig);
      const fd = (up - down) / (2 * eps);
      const an = tf.sum(tf.mul(g, dir)).dataSync()[0]!;
      const err = Math.abs(fd - an) / Math.max(Math.abs(fd), 1e-3);
      assert.ok(err < TOL, `${name}: d/d${v.name} . v: autodiff ${an} vs finite difference ${fd} (rel ${err})`);
    }
  }
};

describe("layers: gradients against finite differences (float32, directional)", () => {
  before(async () => {
    await initBackend("cpu");
  });

  const x = (batch: number, len: number, dim: number): tf.Tensor3D => tf.randomNormal([batch, len, dim], 0, 1, "float32", 1);

  for (const len of [1, 5]) {
    it(`mamba (L=${len})`, () => checkModule("mamba", (p) => mamba({ params: p }, "m", { dim: 4, dState: 3, dConv: 3, expand: 2, dtRank: 1, chunk: 2 }), x(2, len, 4)));
    it(`attention, causal (L=${len})`, () => checkModule("attention", (p) => attention({ params: p }, "a", { dim: 4, heads: 2, dropout: 0, causal: true }), x(2, len, 4)));
    it(`gru (L=${len})`, () => checkModule("gru", (p) => gru({ params: p }, "g", { inDim: 4, hidden: 3 }), x(2, len, 4)));
  }
  it("ffn gelu", () => checkModule("ffn", (p) => ffn({ params: p }, "f", { dim: 4, inner: 6, outDim: 4, activation: "gelu", dropout: 0 }), x(2, 3, 4)));
  // ReLU's kinks break wide differences; a smaller step keeps the probe on one side of them.
  it("ffn relu", () => checkModule("ffn", (p) => ffn({ params: p }, "f", { dim: 4, inner: 6, outDim: 4, activation: "relu", dropout: 0 }), x(2, 3, 4), 1e-3));
  it("layernorm", () => checkModule("layernorm", (p) => layerNorm({ params: p }, "n", { dim: 5, eps: 1e-5 }), x(2, 3, 5)));
  it("linear", () => checkModule("linear", (p) => linear({ params: p }, "l", { inDim: 4, outDim: 3, bias: true }), x(2, 3, 4)));
  it("positional", () => checkModule("positional", (p) => positional({ params: p }, "p", { maxLen: 6, dim: 4 }), x(2, 3, 4)));

  it("attention is causal: outputs at t do not depend on inputs after t", () => {
    const m = attention({ params: new ParamStore(new Rng(1)) }, "a", { dim: 4, heads: 2, dropout: 0, causal: true });
    const fwd = { training: false, rng: new Rng(2) };
    const a = x(1, 5, 4);
    const b = tf.concat([tf.slice(a, [0, 0, 0], [1, 3, 4]), tf.randomNormal([1, 2, 4])], 1) as tf.Tensor3D;
    const ya = tf.slice(m.apply(a, fwd), [0, 0, 0], [1, 3, 4]).dataSync();
    const yb = tf.slice(m.apply(b, fwd), [0, 0, 0], [1, 3, 4]).dataSync();
    assert.deepEqual(Array.from(ya), Array.from(yb));
  });

  it("item embedding: row 0 starts zero, padding positions give zeros and pass no gradient to row 0", () => {
    const emb = itemEmbedding({ params: new ParamStore(new Rng(1)) }, "e", { numItems: 5, dim: 3 });
    assert.deepEqual(Array.from(emb.table.dataSync().slice(0, 3)), [0, 0, 0]);
    const ids = Int32Array.from([2, 3, 0, 0]);
    const g = tf.grad((t: tf.Tensor) => {
      const rows = tf.gather(t, tf.tensor1d(ids, "int32"));
      return tf.sum(tf.mul(rows, tf.tensor2d(Float32Array.from(ids, (i) => (i > 0 ? 1 : 0)), [4, 1])));
    })(emb.table);
    assert.deepEqual(Array.from(g.dataSync().slice(0, 3)), [0, 0, 0]);
    assert.deepEqual(Array.from(emb.lookup(ids, 2, 2).dataSync().slice(6)), [0, 0, 0, 0, 0, 0]);
  });
});

describe("mamba: dt_proj init", () => {
  before(async () => {
    await initBackend("cpu");
  });

  const build = (dtInit?: "zero" | "mamba") => {
    const store = new ParamStore(new Rng(4));
    mamba({ params: store }, "m", { dim: 64, dState: 8, dConv: 4, expand: 2, dtRank: 4, ...(dtInit ? { dtInit } : {}) });
    const saved = store.save();
    store.dispose();
    return saved;
  };

  it("zero (the default) is official Mamba4Rec's: bias 0, weight N(0, 0.02)", () => {
    const p = build();
    assert.deepEqual(p, build("zero"));
    assert.ok(p["m.dt_proj.bias"]!.data.every((v) => v === 0));
    const w = p["m.dt_proj.weight"]!.data;
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    assert.ok(Math.abs(std - 0.02) < 0.003, `std ${std}`);
  });

  it("mamba is mamba-ssm's: softplus(bias) log-uniform in [0.001, 0.1], weight U(-1/2, 1/2) for dt_rank 4", () => {
    const p = build("mamba");
    const dt = p["m.dt_proj.bias"]!.data.map((b) => Math.log1p(Math.exp(b)));
    assert.equal(dt.length, 128);
    for (const v of dt) assert.ok(v >= 0.001 * (1 - 1e-4) && v <= 0.1 * (1 + 1e-4), `dt ${v}`);
    // log-uniform: ln dt is uniform over [ln 0.001, ln 0.1], mean ln 0.01, and reaches both ends.
    const logs = dt.map(Math.log);
    const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
    assert.ok(Math.abs(mean - Math.log(0.01)) < 0.4, `mean ln dt ${mean}`);
    assert.ok(Math.min(...dt) < 0.002 && Math.max(...dt) > 0.05);
    const w = p["m.dt_proj.weight"]!.data;
    assert.ok(w.every((v) => Math.abs(v) <= 0.5) && Math.max(...w.map(Math.abs)) > 0.45);
  });

  it("changes nothing drawn before dt_proj, nor A_log and D", () => {
    const a = build("zero");
    const b = build("mamba");
    for (const k of ["m.in_proj.weight", "m.conv1d.weight", "m.conv1d.bias", "m.x_proj.weight", "m.A_log", "m.D"]) assert.deepEqual(a[k], b[k], k);
    for (const k of ["m.dt_proj.weight", "m.dt_proj.bias"]) assert.notDeepEqual(a[k], b[k], k);
  });
});

describe("attention(causal: false): padding keys are masked by the row lengths", () => {
  before(async () => { await initBackend("cpu"); });
  const dim = 4;
  const build = (): Module => attention({ params: new ParamStore(new Rng(3)) }, "a", { dim, heads: 2, dropout: 0, causal: false });
  const randn = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());

  it("a row's real positions do not change with what its padding holds, or with how much padding there is", () => {
    const rng = new Rng(11);
    const real = randn(rng, 3 * dim); // one row, 3 real positions
    const layer = build();
    const run = (x: Float32Array, len: number) => layer.apply(tf.tensor3d(x, [1, len, dim]), { training: false, rng, lengths: Int32Array.of(3) }).dataSync();
    const alone = layer.apply(tf.tensor3d(real, [1, 3, dim]), { training: false, rng }).dataSync();
    for (const [len, fill] of [[5, 0], [5, 7], [9, -3]] as const) {
      const x = new Float32Array(len * dim).fill(fill);
      x.set(real);
      const y = run(x, len);
      for (let i = 0; i < 3 * dim; i++) assert.ok(Math.abs(y[i]! - alone[i]!) < 1e-6, `padded to ${len} with ${fill}: element ${i}`);
    }
  });

  it("without lengths the padding is attended to (the mask is what keeps it out)", () => {
    const rng = new Rng(11);
    const real = randn(rng, 3 * dim);
    const layer = build();
    const alone = layer.apply(tf.tensor3d(real, [1, 3, dim]), { training: false, rng }).dataSync();
    const x = new Float32Array(5 * dim).fill(7);
    x.set(real);
    const y = layer.apply(tf.tensor3d(x, [1, 5, dim]), { training: false, rng }).dataSync();
    assert.ok(Array.from(alone).some((v, i) => Math.abs(y[i]! - v) > 1e-3));
  });
});
