/**
 * The fused GRU recurrence: the hand-written float64 backward against finite differences, and the
 * fused op (TypeScript and, when built, native kernels) against the step-by-step tfjs reference in
 * float32, forward and every gradient, on seeded random inputs.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { gruRecurrence } from "../../src/kernels/gru.js";
import { gruRecurrenceRef } from "../../src/kernels/gru_ref.js";
import { gruTs } from "../../src/kernels/gru_ts.js";
import { tsKernels, useKernels } from "../../src/kernels/select.js";
import { kernelSetsOnCpu } from "./kernel_sets.js";
import { gruGatesSize, type GruDims } from "../../src/kernels/types.js";
import { Rng } from "../../src/util/rng.js";
import { data, dot, finiteDiff, randn64, relErr } from "../runtime/helpers.js";

const SIZES: GruDims[] = [
  { batch: 1, len: 1, hidden: 3 },
  { batch: 2, len: 7, hidden: 4 },
  { batch: 3, len: 12, hidden: 5 },
  { batch: 2, len: 5, hidden: 16 },
];

const inputs64 = (rng: Rng, d: GruDims) => ({
  xi: randn64(rng, d.batch * d.len * 3 * d.hidden),
  Wh: randn64(rng, d.hidden * 3 * d.hidden, 0.5),
  bh: randn64(rng, 3 * d.hidden, 0.3),
});

describe("GRU recurrence", () => {
  const kernelSet = kernelSetsOnCpu();

  for (const d of SIZES) {
    const tag = `B=${d.batch} L=${d.len} H=${d.hidden}`;

    it(`hand-written float64 backward matches finite differences (${tag}), rel < 1e-6`, () => {
      const rng = new Rng(d.len * 13 + d.hidden);
      const x = inputs64(rng, d);
      const w = randn64(rng, d.batch * d.len * d.hidden);
      const h = new Float64Array(w.length);
      const gates = new Float64Array(gruGatesSize(d));
      const loss = (): number => {
        gruTs.forward(d, x.xi, x.Wh, x.bh, h, gates);
        return dot(w, h);
      };
      loss();
      const g = { dxi: new Float64Array(x.xi.length), dWh: new Float64Array(x.Wh.length).fill(9), dbh: new Float64Array(x.bh.length).fill(9) };
      gruTs.backward(d, x.Wh, h, gates, w, g.dxi, g.dWh, g.dbh);
      const pairs: [string, Float64Array, Float64Array][] = [["xi", x.xi, g.dxi], ["Wh", x.Wh, g.dWh], ["bh", x.bh, g.dbh]];
      for (const [name, arr, grad] of pairs) {
        const err = relErr(grad, finiteDiff(loss, arr));
        assert.ok(err < 1e-6, `d${name}: relative error ${err}`);
      }
    });

    for (const impl of ["ts", "native"] as const) {
      it(`fused op (${impl} kernels) matches the tfjs reference in float32, forward and all gradients (${tag}), rel < 2e-5`, function () {
        const set = kernelSet(impl);
        if (set === null) this.skip();
        useKernels(set);
        const rng = new Rng(d.len * 7 + d.hidden);
        const x = inputs64(rng, d);
        const G = 3 * d.hidden;
        const args = [
          tf.tensor3d(Float32Array.from(x.xi), [d.batch, d.len, G]),
          tf.tensor2d(Float32Array.from(x.Wh), [d.hidden, G]),
          tf.tensor1d(Float32Array.from(x.bh)),
        ] as const;
        const w = tf.tensor3d(Float32Array.from(randn64(rng, d.batch * d.len * d.hidden)), [d.batch, d.len, d.hidden]);
        type Args = [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D];
        const fused = (...a: tf.Tensor[]) => gruRecurrence(...(a as Args));
        const ref = (...a: tf.Tensor[]) => gruRecurrenceRef(...(a as Args));
        const fwd = relErr(data(fused(...args)), data(ref(...args)));
        assert.ok(fwd < 2e-5, `forward: relative error ${fwd}`);
        const gf = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(fused(...a), w)))([...args]);
        const gr = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(ref(...a), w)))([...args]);
        gf.forEach((g, i) => {
          const err = relErr(data(g), data(gr[i]!));
          assert.ok(err < 2e-5, `gradient ${["xi", "Wh", "bh"][i]}: relative error ${err}`);
        });
        tf.dispose([...args, w, ...gf, ...gr]);
      });
    }
  }

  it("the last steps' gradients do not leak into earlier ones: right padding leaves the real positions' gradients unchanged", () => {
    useKernels(kernelSet("native") ?? tsKernels);
    const d = { batch: 2, len: 6, hidden: 4 };
    const rng = new Rng(5);
    const x = inputs64(rng, d);
    const G = 3 * d.hidden;
    const xi = tf.tensor3d(Float32Array.from(x.xi), [d.batch, d.len, G]);
    const Wh = tf.tensor2d(Float32Array.from(x.Wh), [d.hidden, G]);
    const bh = tf.tensor1d(Float32Array.from(x.bh));
    // Weights zero on the last two steps (padding): dxi there is 0, and the rest equals the
    // gradient of the 4-step sequence alone.
    const wFull = Float32Array.from(randn64(rng, d.batch * d.len * d.hidden));
    for (let b = 0; b < d.batch; b++) wFull.fill(0, (b * d.len + 4) * d.hidden, (b + 1) * d.len * d.hidden);
    const w = tf.tensor3d(wFull, [d.batch, d.len, d.hidden]);
    const [gxi] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(gruRecurrence(a as tf.Tensor3D, Wh, bh), w)))([xi]);
    const xi4 = tf.slice(xi, [0, 0, 0], [d.batch, 4, G]);
    const w4 = tf.slice(w, [0, 0, 0], [d.batch, 4, d.hidden]);
    const [g4] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(gruRecurrence(a as tf.Tensor3D, Wh, bh), w4)))([xi4]);
    const head = data(tf.slice(gxi!, [0, 0, 0], [d.batch, 4, G]));
    const tail = data(tf.slice(gxi!, [0, 4, 0], [d.batch, 2, G]));
    assert.ok(relErr(head, data(g4!)) < 1e-6);
    assert.ok(tail.every((v) => v === 0));
  });
});
