/** concatLast against tf.concat on the last axis: values and the gradient of every input, on cpu and on wasm (zero-copy). */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { concatLast } from "../../src/kernels/concat_last.js";
import { initBackend } from "../../src/runtime/backend.js";
import { Rng } from "../../src/util/rng.js";
import { randomTensor } from "./fast_vs_ref.js";

const CASES: { lead: number[]; widths: number[] }[] = [
  { lead: [1], widths: [1, 1] },
  { lead: [3, 5], widths: [4, 2, 7] },
  { lead: [2, 9], widths: [16, 1, 1, 1, 1, 1] },
  { lead: [4, 50], widths: [64, 64] },
];

for (const backend of ["cpu", "wasm"] as const) {
  describe(`concatLast on ${backend}`, () => {
    before(async () => { await initBackend(backend); });
    for (const { lead, widths } of CASES) {
      it(`[${lead}] x widths ${widths.join("+")}: the same values and gradients as tf.concat, exactly`, () => {
        const rng = new Rng(widths.length * 31 + lead[0]!);
        const xs = widths.map((w) => randomTensor(rng, [...lead, w]));
        const w = randomTensor(rng, [...lead, widths.reduce((a, b) => a + b, 0)]);
        assert.deepEqual(Array.from(concatLast(xs).dataSync()), Array.from(tf.concat(xs, -1).dataSync()));
        const gf = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(concatLast(t), w)))(xs);
        const gr = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(tf.concat(t, -1), w)))(xs);
        gf.forEach((g, i) => assert.deepEqual(Array.from(g.dataSync()), Array.from(gr[i]!.dataSync()), `gradient ${i}`));
        tf.dispose([...xs, w, ...gf, ...gr]);
      });
    }
    it("refuses inputs whose leading dimensions differ", () => {
      assert.throws(() => concatLast([tf.zeros([2, 3]), tf.zeros([3, 3])]), /differ before the last axis/);
    });
  });
}
