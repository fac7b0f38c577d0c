/**
 * Every runtime layer against an independent float64 reference (ref64.ts: plain Float64Array loops
 * written from each layer's documented equations, sharing no code with the tfjs layers).
 *
 * For each layer, on seeded random inputs of several sizes (L = 1, and for the Mamba block L not a
 * multiple of the scan's checkpoint interval, e.g. chunk 16 with L = 19):
 *  - forward: the tfjs layer (float32) vs the float64 reference with the same parameter values
 *    (read from the layer's ParamStore with save()), rel = max|a - b| / max(max|b|, 1e-6) < 1e-4;
 *  - gradients: tfjs gradients of sum(out * R) for a fixed random R, w.r.t. the input and every
 *    parameter, vs float64 central finite differences (h = 1e-6) of sum(ref(...) * R), on every
 *    element of tensors up to FD_ALL entries and on a seeded random subset of FD_SUBSET entries of
 *    bigger ones, rel < 1e-3.
 *
 * Tolerances. The float64 finite differences are accurate to ~1e-8 relative (truncation O(h^2) ~
 * 1e-12, rounding ~1e-16 * |loss| / h ~ 1e-9), so the error measured is that of the float32 tfjs
 * computation: roundoff ~6e-8 per operation, amplified by reductions over <= 19 steps and by
 * cancellations (LayerNorm's centring, softmax, the GRU/scan recurrences) to at most ~1e-5 of the
 * tensor's scale in practice. 1e-4 (forward) and 1e-3 (gradients; the backward adds a second
 * float32 pass and more cancellation) leave an order of magnitude of margin over that, while a wrong
 * gradient formula, a transposed weight, a missing term or an off-by-one in a recurrence shows up
 * as O(1e-2 .. 1). tf.erf (A&S 7.1.26, abs error <= 1.5e-7) in GELU is within the same budget.
 *
 * Parameters are first moved away from their initial values (N(0, 0.5) added to every element) so
 * every path carries signal: at init, zero biases and 0.02-std weights would hide many errors.
 *
 * Backends: everything on the cpu backend with the TypeScript kernels; then the Mamba block,
 * LayerNorm, the FFN (eval and training, so the native dropout mask too) and a residual block once
 * more on wasm with the native kernels when they load (those take the native fused paths there:
 * scan, conv, LayerNorm, GELU, SiLU gate, sgemm matmuls), tolerance 1e-3 forward and gradients.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { setKernelImpl } from "../../src/kernels/select.js";
import { initBackend } from "../../src/runtime/backend.js";
import { attention, attentionPool, caser, dropout, ffn, gru, itemEmbedding, layerNorm, linear, mamba, positional, residual, userEmbedding } from "../../src/runtime/layers/index.js";
import type { BuildContext, ForwardContext, Module } from "../../src/runtime/module.js";
import { ParamStore } from "../../src/runtime/params.js";
import { Rng } from "../../src/util/rng.js";
import { dot, relErr } from "./helpers.js";
import {
  attention64, attentionPool64, caser64, embedding64, linearAct64, userEmbedding64, ffn64, gru64, layerNorm64, linear64, mamba64, positional64, type Dims3, type Params64,
} from "./ref64.js";

const FWD_TOL = 1e-4;
const GRAD_TOL = 1e-3;
const WASM_TOL = 1e-3;
/** Finite-difference step (float64). */
const H = 1e-6;
/** Tensors up to this many entries are differenced on every entry; bigger ones on FD_SUBSET random entries. */
const FD_ALL = 64;
const FD_SUBSET = 50;
/** Std of the noise added to every parameter before the checks. */
const PARAM_NOISE = 0.5;

/** Measured errors, printed after the run: layer case -> worst forward and worst gradient rel. */
const measured: { name: string; fwd: number; grad: number; worst: string }[] = [];

/** Float32-representable random values (so tfjs and the reference see identical numbers). */
const randn32 = (rng: Rng, n: number, scale = 1): Float32Array => {
  const a = new Float32Array(n);
  rng.fillNormal(a, 0, scale);
  return a;
};

/** Moves every parameter off its init by N(0, noise^2) and returns the values as float64. */
const perturbAndRead = (store: ParamStore, rng: Rng, noise: number): Params64 => {
  for (const { variable } of store.list()) {
    const v = Float32Array.from(variable.dataSync());
    for (let i = 0; i < v.length; i++) v[i] = v[i]! + noise * rng.normal();
    tf.tidy(() => variable.assign(tf.tensor(v, variable.shape)));
  }
  const saved = store.save();
  const P: Params64 = {};
  for (const [name, s] of Object.entries(saved)) P[name] = Float64Array.from(s.data);
  return P;
};

const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** The entries to difference: all when small, else a seeded subset. */
const pickIndices = (n: number, rng: Rng): number[] => {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= FD_ALL) return all;
  rng.shuffle(all);
  return all.slice(0, FD_SUBSET).sort((a, b) => a - b);
};

/** Central differences of `loss` w.r.t. the picked entries of `arr` (modified and restored). */
const fdAt = (loss: () => number, arr: Float64Array, idx: readonly number[]): Float64Array => {
  const g = new Float64Array(idx.length);
  idx.forEach((i, k) => {
    const v = arr[i]!;
    arr[i] = v + H;
    const up = loss();
    arr[i] = v - H;
    const down = loss();
    arr[i] = v;
    g[k] = (up - down) / (2 * H);
  });
  return g;
};

interface LayerCase {
  readonly name: string;
  readonly dims: Dims3;
  readonly build: (ctx: BuildContext) => Module;
  /** Float64 forward; `rng` (null when not training) draws the dropout masks as the layer does. */
  readonly ref: (x: Float64Array, d: Dims3, P: Params64, rng: Rng | null) => Float64Array;
  /** Training mode with dropout masks from new Rng(seed) on both sides. */
  readonly trainingSeed?: number;
  readonly seed: number;
  /** For a user table: its training users, and each batch row's user (-1: none). */
  readonly numUsers?: number;
  readonly users?: Int32Array;
}

/**
 * Builds the layer, checks forward and every gradient against the float64 reference; returns the
 * worst errors. `fwdTol` and `gradTol` are asserted.
 */
const checkLayer = (c: LayerCase, fwdTol: number, gradTol: number, tag = ""): void => {
  const rng = new Rng(c.seed);
  const store = new ParamStore(rng);
  const m = c.build({ params: store, ...(c.numUsers === undefined ? {} : { numUsers: c.numUsers }) });
  const P = perturbAndRead(store, rng, PARAM_NOISE);
  const { batch, len, dim } = c.dims;
  const xs = randn32(rng, batch * len * dim);
  const x64 = Float64Array.from(xs);
  const users = c.users ? { users: c.users } : {};
  const fwdCtx = (): ForwardContext => (c.trainingSeed !== undefined
    ? { training: true, rng: new Rng(c.trainingSeed), ...users }
    : { training: false, rng: new Rng(12345), ...users });
  const refRng = (): Rng | null => (c.trainingSeed !== undefined ? new Rng(c.trainingSeed) : null);
  const name = `${c.name}${tag}`;

  // Forward.
  const y64 = c.ref(x64, c.dims, P, refRng());
  const y32 = tf.tidy(() => m.apply(tf.tensor3d(xs, [batch, len, dim]), fwdCtx()).dataSync());
  assert.equal(y32.length, y64.length, `${name}: output size`);
  const fwdErr = relErr(y32, y64);
  assert.ok(fwdErr < fwdTol, `${name}: forward rel ${fwdErr.toExponential(2)} >= ${fwdTol}`);

  // Gradients of sum(out * R).
  const R32 = randn32(rng, y64.length);
  const R64 = Float64Array.from(R32);
  const xVar = tf.variable(tf.tensor3d(xs, [batch, len, dim]), true);
  const targets: { label: string; arr: Float64Array; v: tf.Variable }[] = [{ label: "input", arr: x64, v: xVar }];
  for (const { name: pn, variable } of store.list()) targets.push({ label: pn, arr: P[pn]!, v: variable });
  const outShape = [batch, len, y64.length / (batch * len)];
  const grads = tf.tidy(() => {
    const Rt = tf.tensor(R32, outShape);
    const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(m.apply(xVar as tf.Variable<tf.Rank.R3>, fwdCtx()), Rt)),
      targets.map((t) => t.v));
    return Object.fromEntries(Object.entries(g).map(([k, t]) => [k, t.dataSync().slice()]));
  });
  const loss = (): number => dot(R64, c.ref(x64, c.dims, P, refRng()));
  const checked = targets.map((t) => {
    const g = grads[t.v.name];
    assert.ok(g, `${name}: no gradient for ${t.label}`);
    const idx = pickIndices(t.arr.length, rng);
    return { t, fd: fdAt(loss, t.arr, idx), an: Float64Array.from(idx, (i) => g[i]!) };
  });
  const scale = Math.max(...checked.map(({ fd }) => maxAbs(fd)));
  let worst = 0;
  let worstAt = "";
  for (const { t, fd, an } of checked) {
    // A gradient that is identically zero in exact arithmetic (attention's key bias: adding q . b_k
    // to every score of a row leaves the softmax unchanged) is float32 roundoff on the autodiff
    // side, ~1e-7 of the other gradients; it is measured against the largest gradient of the layer
    // instead of against its own (zero) scale.
    const structurallyZero = maxAbs(fd) <= 1e-6 * scale;
    const err = structurallyZero ? maxAbsDiff(an, fd) / scale : relErr(an, fd);
    if (err >= worst) {
      worst = err;
      worstAt = t.label;
    }
    assert.ok(err < gradTol,
      `${name}: d/d ${t.label}${structurallyZero ? " (zero in exact arithmetic, error relative to the layer's largest gradient)" : ""}: rel ${err.toExponential(2)} >= ${gradTol} (autodiff [${Array.from(an.slice(0, 4), (v) => v.toPrecision(5))}...] vs fd [${Array.from(fd.slice(0, 4), (v) => v.toPrecision(5))}...])`);
  }
  xVar.dispose();
  store.dispose();
  measured.push({ name, fwd: fwdErr, grad: worst, worst: worstAt });
};

const D = (batch: number, len: number, dim: number): Dims3 => ({ batch, len, dim });

const mambaCfg = (chunk: number, dConv = 3, dtRank = 1) => ({ dim: 4, dState: 3, dConv, expand: 2, dtRank, chunk });

/** The layer cases run on cpu; `wasm` marks those run again on wasm with native kernels. */
const cases = (): (LayerCase & { wasm?: boolean })[] => {
  const out: (LayerCase & { wasm?: boolean })[] = [];
  for (const [len, dim] of [[1, 5], [7, 8]] as const) {
    out.push({ name: `layernorm L=${len} dim=${dim}`, seed: 10 + len, dims: D(2, len, dim), wasm: true,
      build: (ctx) => layerNorm(ctx, "n", { dim, eps: 1e-5 }),
      ref: (x, d, P) => layerNorm64(x, d, P, "n", 1e-5) });
  }
  for (const [len, dim, outDim, bias] of [[1, 4, 3, true], [19, 6, 5, true], [5, 4, 3, false]] as const) {
    out.push({ name: `linear L=${len} ${dim}->${outDim}${bias ? "" : " no bias"}`, seed: 20 + len, dims: D(2, len, dim),
      build: (ctx) => linear(ctx, "l", { inDim: dim, outDim, bias }),
      ref: (x, d, P) => linear64(x, d, P, "l", outDim, bias) });
  }
  for (const activation of ["gelu", "relu"] as const) {
    for (const [len, dim, inner] of [[1, 4, 6], [7, 8, 12]] as const) {
      // dropout 0.3 with training = false: identity.
      const cfg = { dim, inner, outDim: dim, activation, dropout: 0.3 };
      out.push({ name: `ffn ${activation} L=${len} dim=${dim} inner=${inner} (eval, dropout off)`, seed: 30 + len, dims: D(2, len, dim), wasm: true,
        build: (ctx) => ffn(ctx, "f", cfg),
        ref: (x, d, P, r) => ffn64(x, d, P, "f", cfg, r) });
    }
    const cfg = { dim: 4, inner: 8, outDim: 4, activation, dropout: 0.4 };
    // wasm too: with the native kernels the mask comes from the addon's xoshiro128** stream.
    out.push({ name: `ffn ${activation} L=5 (training, dropout 0.4)`, seed: 37, dims: D(2, 5, 4), trainingSeed: 77, wasm: true,
      build: (ctx) => ffn(ctx, "f", cfg),
      ref: (x, d, P, r) => ffn64(x, d, P, "f", cfg, r) });
  }
  for (const [len, maxLen] of [[1, 6], [5, 8], [19, 19]] as const) {
    out.push({ name: `positional L=${len} maxLen=${maxLen}`, seed: 40 + len, dims: D(2, len, 4),
      build: (ctx) => positional(ctx, "p", { maxLen, dim: 4 }),
      ref: (x, d, P) => positional64(x, d, P, "p") });
  }
  for (const [len, dim, heads, causal] of [[1, 4, 2, true], [7, 4, 2, true], [19, 6, 3, true], [5, 4, 2, false], [6, 4, 1, true]] as const) {
    const cfg = { dim, heads, dropout: 0.2, causal };
    out.push({ name: `attention ${causal ? "causal" : "bidirectional"} L=${len} dim=${dim} heads=${heads} (eval)`, seed: 50 + len, dims: D(2, len, dim),
      build: (ctx) => attention(ctx, "a", cfg),
      ref: (x, d, P, r) => attention64(x, d, P, "a", cfg, r) });
  }
  {
    const cfg = { dim: 4, heads: 2, dropout: 0.3, causal: true };
    out.push({ name: "attention causal L=5 (training, dropout 0.3)", seed: 57, dims: D(2, 5, 4), trainingSeed: 78,
      build: (ctx) => attention(ctx, "a", cfg),
      ref: (x, d, P, r) => attention64(x, d, P, "a", cfg, r) });
  }
  for (const [len, hidden] of [[1, 3], [7, 3], [19, 4]] as const) {
    out.push({ name: `gru L=${len} 4->${hidden}`, seed: 60 + len, dims: D(2, len, 4), wasm: true,
      build: (ctx) => gru(ctx, "g", { inDim: 4, hidden }),
      ref: (x, d, P) => gru64(x, d, P, "g", hidden) });
  }
  for (const [len, dim, L, nh, nv] of [[1, 3, 3, 2, 2], [7, 4, 3, 2, 2], [9, 3, 5, 3, 2]] as const) {
    out.push({ name: `caser L=${len} dim=${dim} window=${L} nh=${nh} nv=${nv}`, seed: 95 + len, dims: D(2, len, dim), wasm: true,
      build: (ctx) => caser(ctx, "c", { dim, window: L, horizontal: nh, vertical: nv }),
      ref: (x, d, P) => caser64(x, d, P, "c", L, nh, nv) });
  }
  for (const act of ["relu", "gelu"] as const) {
    out.push({ name: `linear 4->3 ${act} L=5`, seed: 97, dims: D(2, 5, 4),
      build: (ctx) => linear(ctx, "l", { inDim: 4, outDim: 3, bias: true, activation: act }),
      ref: (x, d, P) => linearAct64(x, d, P, "l", 3, true, act) });
  }
  {
    const users = Int32Array.of(2, -1, 0);
    out.push({ name: "embedding users 3 users, rows of users 2, none, 0, L=4", seed: 98, dims: D(3, 4, 3), numUsers: 3, users, wasm: true,
      build: (ctx) => userEmbedding(ctx, "u", { inDim: 3, dim: 2 }),
      ref: (x, d, P) => userEmbedding64(x, d, P, "u", 2, users) });
  }
  for (const [len, dim, concat] of [[1, 3, true], [7, 4, true], [19, 4, false]] as const) {
    out.push({ name: `attention_pool L=${len} dim=${dim}${concat ? " [c, h]" : " c"}`, seed: 90 + len, dims: D(2, len, dim), wasm: true,
      build: (ctx) => attentionPool(ctx, "p", { dim, concat }),
      ref: (x, d, P) => attentionPool64(x, d, P, "p", concat) });
  }
  for (const [len, chunk, dConv, dtRank] of [[1, 16, 3, 1], [16, 16, 3, 1], [19, 16, 3, 1], [19, 4, 4, 2], [7, 3, 2, 1]] as const) {
    const cfg = mambaCfg(chunk, dConv, dtRank);
    out.push({ name: `mamba L=${len} chunk=${chunk} dConv=${dConv} dtRank=${dtRank}`, seed: 70 + len + chunk, dims: D(2, len, 4),
      wasm: len !== 16,
      build: (ctx) => mamba(ctx, "m", cfg),
      ref: (x, d, P) => mamba64(x, d, P, "m", cfg) });
  }
  {
    // A pre-LN transformer sublayer and a Mamba sublayer, each x + body(x).
    const ffnCfg = { dim: 6, inner: 8, outDim: 6, activation: "gelu" as const, dropout: 0 };
    out.push({ name: "residual x + ffn(layernorm(x)) L=5", seed: 81, dims: D(2, 5, 6), wasm: true,
      build: (ctx) => residual("r", [layerNorm(ctx, "r.n", { dim: 6, eps: 1e-5 }), ffn(ctx, "r.f", ffnCfg)]),
      ref: (x, d, P, r) => {
        const y = ffn64(layerNorm64(x, d, P, "r.n", 1e-5), d, P, "r.f", ffnCfg, r);
        return y.map((v, i) => v + x[i]!);
      } });
    const cfg = mambaCfg(16);
    out.push({ name: "residual x + mamba(layernorm(x)) L=19", seed: 82, dims: D(2, 19, 4),
      build: (ctx) => residual("r", [layerNorm(ctx, "r.n", { dim: 4, eps: 1e-5 }), mamba(ctx, "r.m", cfg)]),
      ref: (x, d, P) => {
        const y = mamba64(layerNorm64(x, d, P, "r.n", 1e-5), d, P, "r.m", cfg);
        return y.map((v, i) => v + x[i]!);
      } });
  }
  return out;
};

/** Item embedding: forward and table gradient (rows used several times, padding id 0 included). */
const checkEmbedding = (len: number, fwdTol: number, gradTol: number): void => {
  const rng = new Rng(90 + len);
  const store = new ParamStore(rng);
  const numItems = 6;
  const dim = 4;
  const emb = itemEmbedding({ params: store }, "e", { numItems, dim });
  const P = perturbAndRead(store, rng, PARAM_NOISE);
  const batch = 2;
  const ids = Int32Array.from({ length: batch * len }, (_, i) => (i % 3 === 2 ? 0 : 1 + rng.int(numItems)));
  ids[0] = 3;
  if (ids.length > 1) ids[ids.length - 1] = 0;
  const y64 = embedding64(ids, P, "e", dim);
  const y32 = tf.tidy(() => emb.lookup(ids, batch, len).dataSync());
  const fwdErr = relErr(y32, y64);
  assert.ok(fwdErr < fwdTol, `embedding L=${len}: forward rel ${fwdErr}`);
  const R32 = randn32(rng, y64.length);
  const R64 = Float64Array.from(R32);
  const g = tf.tidy(() => {
    const Rt = tf.tensor3d(R32, [batch, len, dim]);
    return tf.variableGrads(() => tf.sum(tf.mul(emb.lookup(ids, batch, len), Rt)), [emb.table]).grads[emb.table.name]!.dataSync().slice();
  });
  const table = P["e.weight"]!;
  const fd = fdAt(() => dot(R64, embedding64(ids, P, "e", dim)), table, Array.from({ length: table.length }, (_, i) => i));
  const gradErr = relErr(g, fd);
  assert.ok(gradErr < gradTol, `embedding L=${len}: d/d table rel ${gradErr}`);
  for (let j = 0; j < dim; j++) assert.equal(g[j], 0, "padding row 0 gets no gradient");
  store.dispose();
  measured.push({ name: `item embedding L=${len}`, fwd: fwdErr, grad: gradErr, worst: "e.weight" });
};

describe("layers against float64 references (forward and every gradient)", () => {
  after(() => {
    const rows = measured.map((m) => `  ${m.name.padEnd(62)} fwd ${m.fwd.toExponential(2)}  grad ${m.grad.toExponential(2)} (${m.worst})`);
    console.log(`measured max relative errors:\n${rows.join("\n")}`);
  });

  describe("cpu backend, TypeScript kernels", () => {
    before(async () => {
      await initBackend("cpu");
      await setKernelImpl("ts");
    });

    for (const c of cases()) it(c.name, () => checkLayer(c, FWD_TOL, GRAD_TOL));
    for (const len of [1, 7]) it(`item embedding L=${len}`, () => checkEmbedding(len, FWD_TOL, GRAD_TOL));

    it("dropout: identity when not training; in training kept units scaled by 1/(1-rate), gradient only through them", () => {
      const rate = 0.25;
      const keep = 1 - rate;
      const m = dropout({ params: new ParamStore(new Rng(1)) }, "d", { rate });
      const shape: [number, number, number] = [2, 19, 40];
      const n = shape[0] * shape[1] * shape[2];
      const rng = new Rng(3);
      const xs = randn32(rng, n);
      const R = randn32(rng, n);
      const x = tf.tensor3d(xs, shape);
      // Eval: identity.
      assert.deepEqual(Array.from(m.apply(x, { training: false, rng: new Rng(5) }).dataSync()), Array.from(xs));
      // Training: the same uniform() < keep draws as the layer's generator.
      const mask = new Rng(5);
      const kept = Array.from({ length: n }, () => mask.uniform() < keep);
      const y = m.apply(x, { training: true, rng: new Rng(5) }).dataSync();
      let dropped = 0;
      for (let i = 0; i < n; i++) {
        if (kept[i]) assert.ok(Math.abs(y[i]! - xs[i]! / keep) <= 1e-6 * Math.abs(xs[i]! / keep), `kept unit ${i}: ${y[i]} vs ${xs[i]! / keep}`);
        else {
          assert.equal(Math.abs(y[i]!), 0, `dropped unit ${i}`); // x * 0 may be -0
          dropped++;
        }
      }
      const frac = dropped / n;
      assert.ok(Math.abs(frac - rate) < 0.03, `dropped fraction ${frac} vs rate ${rate}`);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(m.apply(t as tf.Tensor3D, { training: true, rng: new Rng(5) }), tf.tensor3d(R, shape))))(x).dataSync();
      for (let i = 0; i < n; i++) {
        const want = kept[i] ? R[i]! / keep : 0;
        assert.ok(Math.abs(g[i]! - want) <= 1e-6 * Math.abs(want), `gradient of unit ${i}: ${g[i]} vs ${want}`);
      }
    });
  });

  describe("wasm backend, native kernels when available", function () {
    let impl = "ts";
    before(async function () {
      try {
        await initBackend("wasm");
      } catch (e) {
        console.log(`wasm backend unavailable: ${String(e)}`);
        this.skip();
      }
      impl = await setKernelImpl("auto");
      console.log(`wasm: kernels ${impl}`);
    });
    after(async () => {
      await setKernelImpl("ts");
      await initBackend("cpu");
    });

    for (const c of cases().filter((k) => k.wasm)) it(`${c.name} [wasm]`, () => checkLayer(c, WASM_TOL, WASM_TOL, ` [wasm/${impl}]`));
  });
});
