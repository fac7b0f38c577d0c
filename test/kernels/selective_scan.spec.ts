import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { selectiveScan } from "../../src/kernels/selective_scan.js";
import { selectiveScanRef } from "../../src/kernels/selective_scan_ref.js";
import { selectiveScanTs } from "../../src/kernels/selective_scan_ts.js";
import { useKernels } from "../../src/kernels/select.js";
import { kernelSetsOnCpu } from "./kernel_sets.js";
import { scanCheckpointSize, type ScanDims } from "../../src/kernels/types.js";
import { Rng } from "../../src/util/rng.js";
import { data, dot, finiteDiff, randn64, relErr } from "../runtime/helpers.js";

const SIZES: ScanDims[] = [
  { batch: 2, len: 1, dInner: 3, dState: 4, chunk: 4 },
  { batch: 2, len: 7, dInner: 3, dState: 4, chunk: 3 },
  { batch: 1, len: 16, dInner: 2, dState: 5, chunk: 4 },
  { batch: 2, len: 9, dInner: 4, dState: 3, chunk: 16 },
];

const inputs64 = (rng: Rng, d: ScanDims) => {
  const A = new Float64Array(d.dInner * d.dState);
  for (let i = 0; i < A.length; i++) A[i] = -Math.exp(0.5 * rng.normal());
  return {
    u: randn64(rng, d.batch * d.len * d.dInner),
    delta: randn64(rng, d.batch * d.len * d.dInner, 1, -0.5),
    A,
    B: randn64(rng, d.batch * d.len * d.dState),
    C: randn64(rng, d.batch * d.len * d.dState),
    D: randn64(rng, d.dInner),
    deltaBias: randn64(rng, d.dInner, 0.3),
  };
};

describe("selective scan", () => {
  const kernelSet = kernelSetsOnCpu();

  for (const d of SIZES) {
    const tag = `B=${d.batch} L=${d.len} D=${d.dInner} N=${d.dState} chunk=${d.chunk}`;

    it(`hand-written float64 backward matches finite differences (${tag}), rel < 1e-6`, () => {
      const rng = new Rng(d.len * 31 + d.chunk);
      const x = inputs64(rng, d);
      const w = randn64(rng, d.batch * d.len * d.dInner);
      const y = new Float64Array(w.length);
      const ck = new Float64Array(scanCheckpointSize(d));
      const loss = (): number => {
        selectiveScanTs.forward(d, x, { y, checkpoints: ck });
        return dot(w, y);
      };
      loss();
      const g = {
        du: new Float64Array(x.u.length), ddelta: new Float64Array(x.u.length), dA: new Float64Array(x.A.length),
        dB: new Float64Array(x.B.length), dC: new Float64Array(x.C.length), dD: new Float64Array(d.dInner),
        dDeltaBias: new Float64Array(d.dInner),
      };
      selectiveScanTs.backward(d, x, ck, w, g);
      const pairs: [string, Float64Array, Float64Array][] = [
        ["u", x.u, g.du], ["delta", x.delta, g.ddelta], ["A", x.A, g.dA], ["B", x.B, g.dB],
        ["C", x.C, g.dC], ["D", x.D, g.dD], ["deltaBias", x.deltaBias, g.dDeltaBias],
      ];
      for (const [name, arr, grad] of pairs) {
        const err = relErr(grad, finiteDiff(loss, arr));
        assert.ok(err < 1e-6, `d${name}: relative error ${err}`);
      }
    });

    for (const impl of ["ts", "native"] as const) it(`fused op (${impl} kernels) matches the tfjs reference in float32, forward and all gradients (${tag}), rel < 1e-5`, function () {
      const set = kernelSet(impl);
      if (set === null) this.skip();
      useKernels(set);
      const rng = new Rng(d.len * 7 + 1);
      const x = inputs64(rng, d);
      const t = {
        u: tf.tensor3d(Float32Array.from(x.u), [d.batch, d.len, d.dInner]),
        delta: tf.tensor3d(Float32Array.from(x.delta), [d.batch, d.len, d.dInner]),
        A: tf.tensor2d(Float32Array.from(x.A), [d.dInner, d.dState]),
        B: tf.tensor3d(Float32Array.from(x.B), [d.batch, d.len, d.dState]),
        C: tf.tensor3d(Float32Array.from(x.C), [d.batch, d.len, d.dState]),
        D: tf.tensor1d(Float32Array.from(x.D)),
        bias: tf.tensor1d(Float32Array.from(x.deltaBias)),
      };
      const w = tf.tensor3d(Float32Array.from(randn64(rng, d.batch * d.len * d.dInner)), [d.batch, d.len, d.dInner]);
      const args = [t.u, t.delta, t.A, t.B, t.C, t.D, t.bias] as const;
      type Args = [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D, tf.Tensor1D];
      const fused = (...a: tf.Tensor[]) => selectiveScan(...(a as Args), d.chunk);
      const ref = (...a: tf.Tensor[]) => selectiveScanRef(...(a as Args));
      assert.ok(relErr(data(fused(...args)), data(ref(...args))) < 1e-5, "forward");
      const gf = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(fused(...a), w)))([...args]);
      const gr = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(ref(...a), w)))([...args]);
      gf.forEach((g, i) => {
        const err = relErr(data(g), data(gr[i]!));
        assert.ok(err < 1e-5, `gradient ${i}: relative error ${err}`);
      });
      tf.dispose([...args, w, ...gf, ...gr]);
    });
  }
});
