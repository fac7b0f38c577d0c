/**
 * Causal additive attention pooling (NARM's local encoder): the hand-written float64 backward
 * against finite differences, the loops' forward against a float64 evaluation of the definition, and
 * the fused op (TypeScript and, when built, native kernels) against the tfjs-ops reference in float32,
 * forward and every gradient, on seeded random inputs; and causality: a position's output does not
 * move when later positions change.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { additivePool } from "../../src/kernels/additive_pool.js";
import { additivePoolRef } from "../../src/kernels/additive_pool_ref.js";
import { additivePoolTs } from "../../src/kernels/additive_pool_ts.js";
import { tsKernels, useKernels } from "../../src/kernels/select.js";
import type { PoolDims } from "../../src/kernels/types.js";
import { Rng } from "../../src/util/rng.js";
import { data, dot, finiteDiff, randn64, relErr } from "../runtime/helpers.js";
import { kernelSetsOnCpu } from "./kernel_sets.js";

const SIZES: PoolDims[] = [
  { batch: 1, len: 1, dim: 3 },
  { batch: 2, len: 7, dim: 4 },
  { batch: 3, len: 12, dim: 5 },
  { batch: 2, len: 9, dim: 16 },
];
/** Big enough for the native kernels' threaded paths (work over 2 * 65,536 terms); too big to difference. */
const THREADED: PoolDims = { batch: 4, len: 48, dim: 32 };

const inputs64 = (rng: Rng, d: PoolDims) => {
  const n = d.batch * d.len * d.dim;
  return { key: randn64(rng, n), query: randn64(rng, n), v: randn64(rng, d.dim, 0.5), x: randn64(rng, n) };
};

/** c_t = sum_{j <= t} sum_k v_k sigmoid(key_jk + query_tk) x_j, straight from the definition. */
const definition64 = (d: PoolDims, i: ReturnType<typeof inputs64>): Float64Array => {
  const { batch, len, dim: H } = d;
  const c = new Float64Array(batch * len * H);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < len; t++) {
      for (let j = 0; j <= t; j++) {
        let a = 0;
        for (let k = 0; k < H; k++) a += i.v[k]! / (1 + Math.exp(-(i.key[(b * len + j) * H + k]! + i.query[(b * len + t) * H + k]!)));
        for (let k = 0; k < H; k++) c[(b * len + t) * H + k] += a * i.x[(b * len + j) * H + k]!;
      }
    }
  }
  return c;
};

describe("additive attention pooling (NARM's local encoder)", () => {
  const kernelSet = kernelSetsOnCpu();

  for (const d of [...SIZES, THREADED]) {
    const tag = `B=${d.batch} L=${d.len} H=${d.dim}`;

    if (d !== THREADED) it(`loops' forward equals the definition and their float64 backward matches finite differences (${tag}), rel < 1e-6`, () => {
      const rng = new Rng(d.len * 17 + d.dim);
      const x = inputs64(rng, d);
      const w = randn64(rng, d.batch * d.len * d.dim);
      const c = new Float64Array(w.length);
      const loss = (): number => {
        additivePoolTs.forward(d, x.key, x.query, x.v, x.x, c);
        return dot(w, c);
      };
      loss();
      assert.ok(relErr(c, definition64(d, x)) < 1e-12, "forward differs from the definition");
      const g = {
        key: new Float64Array(x.key.length).fill(9), query: new Float64Array(x.query.length).fill(9),
        v: new Float64Array(x.v.length).fill(9), x: new Float64Array(x.x.length).fill(9),
      };
      additivePoolTs.backward(d, x.key, x.query, x.v, x.x, w, g.key, g.query, g.v, g.x);
      for (const name of ["key", "query", "v", "x"] as const) {
        const err = relErr(g[name], finiteDiff(loss, x[name]));
        assert.ok(err < 1e-6, `d${name}: relative error ${err}`);
      }
    });

    for (const impl of ["ts", "native"] as const) {
      it(`fused op (${impl} kernels) matches the tfjs reference in float32, forward and all gradients (${tag}), rel < 2e-5`, function () {
        const set = kernelSet(impl);
        if (set === null) this.skip();
        useKernels(set);
        const rng = new Rng(d.len * 5 + d.dim);
        const x = inputs64(rng, d);
        const shape: [number, number, number] = [d.batch, d.len, d.dim];
        const args = [
          tf.tensor3d(Float32Array.from(x.key), shape), tf.tensor3d(Float32Array.from(x.query), shape),
          tf.tensor1d(Float32Array.from(x.v)), tf.tensor3d(Float32Array.from(x.x), shape),
        ] as const;
        const w = tf.tensor3d(Float32Array.from(randn64(rng, d.batch * d.len * d.dim)), shape);
        type Args = [tf.Tensor3D, tf.Tensor3D, tf.Tensor1D, tf.Tensor3D];
        const fused = (...a: tf.Tensor[]) => additivePool(...(a as Args));
        const ref = (...a: tf.Tensor[]) => additivePoolRef(...(a as Args));
        const fwd = relErr(data(fused(...args)), data(ref(...args)));
        assert.ok(fwd < 2e-5, `forward: relative error ${fwd}`);
        const gf = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(fused(...a), w)))([...args]);
        const gr = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(ref(...a), w)))([...args]);
        gf.forEach((g, i) => {
          const err = relErr(data(g), data(gr[i]!));
          assert.ok(err < 2e-5, `gradient ${["key", "query", "v", "x"][i]}: relative error ${err}`);
        });
        tf.dispose([...args, w, ...gf, ...gr]);
      });
    }
  }

  for (const impl of ["ts", "native"] as const) {
    it(`is causal (${impl} kernels): changing positions after t leaves c_0..c_t unchanged`, function () {
      const set = kernelSet(impl);
      if (set === null) this.skip();
      useKernels(set ?? tsKernels);
      const d = { batch: 2, len: 8, dim: 6 };
      const t = 4;
      const rng = new Rng(31);
      const a = inputs64(rng, d);
      const b = inputs64(rng, d);
      // b: a's inputs up to t, its own random values after.
      const mix = (p: Float64Array, q: Float64Array) => {
        const out = Float64Array.from(q);
        for (let r = 0; r < d.batch; r++) out.set(p.subarray(r * d.len * d.dim, (r * d.len + t + 1) * d.dim), r * d.len * d.dim);
        return Float32Array.from(out);
      };
      const shape: [number, number, number] = [d.batch, d.len, d.dim];
      const run = (key: Float32Array, query: Float32Array, x: Float32Array) =>
        data(additivePool(tf.tensor3d(key, shape), tf.tensor3d(query, shape), tf.tensor1d(Float32Array.from(a.v)), tf.tensor3d(x, shape)));
      const ca = run(Float32Array.from(a.key), Float32Array.from(a.query), Float32Array.from(a.x));
      const cb = run(mix(a.key, b.key), mix(a.query, b.query), mix(a.x, b.x));
      for (let r = 0; r < d.batch; r++) {
        for (let i = r * d.len * d.dim; i < (r * d.len + t + 1) * d.dim; i++) assert.equal(cb[i], ca[i], `row ${r}, element ${i}`);
        let moved = false;
        for (let i = (r * d.len + t + 1) * d.dim; i < (r + 1) * d.len * d.dim; i++) moved ||= cb[i] !== ca[i];
        assert.ok(moved, "the later positions should change (the test would pass vacuously otherwise)");
      }
    });
  }
});
