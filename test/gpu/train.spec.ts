/**
 * Training on the webgpu backend lowers the loss: a small Mamba4Rec (bench/gpu/model.ts, built on
 * the WGSL scan and conv ops) on the built-in synthetic data, leave-one-out training part, Adam.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { leaveOneOut } from "../../src/data/split.js";
import { buildTinyMamba, nextItemBatch } from "../../bench/gpu/model.js";
import { restoreBackend, useWebgpuOrSkip } from "./helpers.js";

describe("training on the webgpu backend", function () {
  before(useWebgpuOrSkip);
  after(restoreBackend);

  it("a small Mamba4Rec lowers the loss on the synthetic data in a few Adam steps", async () => {
    const ds = syntheticDataset({ users: 64, items: 60, meanLen: 12, seed: 2020 });
    const split = leaveOneOut(ds, 16);
    const len = 16;
    const model = buildTinyMamba({ items: ds.numItems, dim: 16, dState: 8, dConv: 4, expand: 2, inner: 32, chunk: 8, seed: 7 });
    const opt = tf.train.adam(0.01);
    const batches = [split.train.slice(0, 32), split.train.slice(32, 64)].map((s) => {
      const b = nextItemBatch(s, len);
      return { inputs: tf.tensor2d(b.inputs, [s.length, len], "int32"), targets: b.targets };
    });
    const evalLoss = async (): Promise<number> => {
      let s = 0;
      for (const b of batches) {
        const l = tf.tidy(() => model.loss(b.inputs, b.targets));
        s += (await l.data())[0]!;
        l.dispose();
      }
      return s / batches.length;
    };
    const before = await evalLoss();
    for (let step = 0; step < 12; step++) {
      const b = batches[step % 2]!;
      const l = opt.minimize(() => model.loss(b.inputs, b.targets), true, model.vars);
      await l!.data();
      l!.dispose();
    }
    const after = await evalLoss();
    console.log(`      loss ${before.toFixed(4)} -> ${after.toFixed(4)} (ln(items) = ${Math.log(ds.numItems).toFixed(4)})`);
    assert.ok(Number.isFinite(after) && after < before - 0.1, `loss did not drop: ${before} -> ${after}`);
    tf.dispose(batches.map((b) => b.inputs));
    tf.dispose(model.vars);
    opt.dispose();
  });
});
