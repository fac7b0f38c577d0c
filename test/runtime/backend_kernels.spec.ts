/**
 * Kernels registered over the wasm backend's own (src/runtime/backend_kernels.ts): GatherV2 as row
 * copies and the sharing Identity, against plain indexing and the input's values.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { Rng } from "../../src/util/rng.js";

const rand = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());

describe("wasm backend kernels: GatherV2, Identity", () => {
  before(async () => {
    await initBackend("wasm");
  });

  it("GatherV2 on wasm (row copies) matches plain indexing; other cases keep the built-in", () => {
    const rng = new Rng(6);
    const table = rand(rng, 17 * 5);
    const ids = Int32Array.from({ length: 40 }, () => rng.int(17));
    const got = tf.gather(tf.tensor2d(table, [17, 5]), tf.tensor2d(ids, [8, 5], "int32"));
    assert.deepEqual(got.shape, [8, 5, 5]);
    const ref = new Float32Array(40 * 5);
    ids.forEach((id, i) => ref.set(table.subarray(id * 5, id * 5 + 5), i * 5));
    assert.deepEqual(got.dataSync(), ref);
    const cols = tf.gather(tf.tensor2d(table, [17, 5]), tf.tensor1d([4, 0], "int32"), 1); // axis 1: built-in
    assert.deepEqual(Array.from(cols.dataSync().slice(0, 2)), [table[4], table[0]]);
  });

  it("Identity on wasm shares data and keeps values", () => {
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    y.dispose();
  });
});
