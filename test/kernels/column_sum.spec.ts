/**
 * The native leading-axis Sum (src/kernels/column_sum.ts) on seeded random inputs: `columnSumNative`
 * against the plain loops (`columnSumRef`), and tf.sum through the registered wasm kernel against a
 * plain sum for reductions it takes and ones it leaves to the built-in. Tolerance: relative error
 * (max|a-b| / max|b|) < 1e-5. Skips when the addon is not built.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { loadNativeKernels } from "../../src/kernels/native.js";
import { columnSumNative, registerNativeSum } from "../../src/kernels/column_sum.js";
import { columnSumRef } from "../../src/kernels/column_sum_ref.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { Rng } from "../../src/util/rng.js";
import { relErr } from "../runtime/helpers.js";

const native = loadNativeKernels();
const rand = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());

describe("native column sum", function () {
  this.timeout(120_000);

  before(async () => {
    await initBackend("wasm");
  });
  after(async () => {
    await setKernelImpl("ts");
  });

  it("the native leading-axis Sum matches the reference; other reductions keep the built-in", async function () {
    if (!native) this.skip();
    await setKernelImpl("native");
    registerNativeSum("wasm");
    const rng = new Rng(3);
    const X = rand(rng, 37 * 11);
    const ref = new Float32Array(11);
    const got = new Float32Array(11);
    columnSumRef(37, 11, X, ref);
    columnSumNative(native!, 37, 11, X, got);
    assert.ok(relErr(got, ref) < 1e-5);
    const x = tf.tensor(rand(rng, 5 * 7 * 9), [5, 7, 9]);
    const xs = x.arraySync() as number[][][];
    const sumRef = (axes: number[], keep: boolean): number[] => {
      const out: number[] = [];
      const shape = [5, 7, 9].map((d, i) => (axes.includes(i) ? 1 : d));
      for (let i = 0; i < shape[0]!; i++) for (let j = 0; j < shape[1]!; j++) for (let k = 0; k < shape[2]!; k++) {
        let s = 0;
        for (let a = 0; a < 5; a++) for (let b = 0; b < 7; b++) for (let c = 0; c < 9; c++) {
          if ((axes.includes(0) || a === i) && (axes.includes(1) || b === j) && (axes.includes(2) || c === k)) s += xs[a]![b]![c]!;
        }
        out.push(s);
      }
      void keep;
      return out;
    };
    for (const [axes, keep] of [[[0], false], [[0, 1], false], [[0, 1], true], [[1], false], [[2], true], [[-1], false]] as [number[], boolean][]) {
      const y = tf.sum(x, axes, keep);
      const norm = axes.map((a) => (a < 0 ? a + 3 : a));
      const shape = keep ? [5, 7, 9].map((d, i) => (norm.includes(i) ? 1 : d)) : [5, 7, 9].filter((_, i) => !norm.includes(i));
      assert.deepEqual(y.shape, shape, `axes ${axes}`);
      assert.ok(relErr(y.dataSync(), sumRef(norm, keep)) < 1e-5, `axes ${axes} keepDims ${keep}`);
    }
  });
});
