/**
 * The webgpu buffer pool stays bounded (src/runtime/webgpu.ts, trimWebgpuPool): tfjs-backend-webgpu
 * keeps every freed buffer for reuse at exactly its size, so steps of varying shapes grow the pool
 * without end (44 GB in one ML-1M epoch on an H200). Trimming frees the unused buffers and changes
 * no result: training losses agree with and without it. (To rounding, not bit for bit: tfjs-webgpu's
 * split-K matrix product adds its partial sums with float atomics in whatever order the workgroups
 * run, and a loaded machine reorders them: a CI run once differed by 7e-8 relative at one step.)
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { train } from "../../src/runtime/trainer.js";
import { trimWebgpuPool, webgpuPooledBytes } from "../../src/runtime/webgpu.js";
import { Rng } from "../../src/util/rng.js";
import { tinyMamba, trainConfig } from "../runtime/fixtures.js";
import { restoreBackend, useWebgpuOrSkip } from "./helpers.js";

describe("the webgpu buffer pool", function () {
  before(useWebgpuOrSkip);
  after(restoreBackend);
  const saved = process.env.REC_WEBGPU_POOL_MB;
  afterEach(() => {
    if (saved === undefined) delete process.env.REC_WEBGPU_POOL_MB;
    else process.env.REC_WEBGPU_POOL_MB = saved;
  });

  it("trimWebgpuPool frees the unused buffers above its limit, and later ops still compute right", async () => {
    trimWebgpuPool(0);
    for (const n of [1000, 2000, 3000]) {
      const t = tf.add(tf.ones([n]), 1);
      await t.data();
      tf.dispose(t);
    }
    const pooled = webgpuPooledBytes();
    assert.ok(pooled >= 4 * 6000, `pooled ${pooled} bytes after freeing three tensors`);
    assert.equal(trimWebgpuPool(pooled), 0, "at its limit, nothing is freed");
    assert.equal(webgpuPooledBytes(), pooled);
    assert.equal(trimWebgpuPool(0), pooled);
    assert.equal(webgpuPooledBytes(), 0);
    const s = tf.sum(tf.add(tf.ones([3000]), 1));
    assert.equal((await s.data())[0], 6000);
    s.dispose();
  });

  it("training trims it after every step (REC_WEBGPU_POOL_MB=0) with the losses it has without", async () => {
    const sequences = syntheticDataset({ users: 48, items: 30, meanLen: 14, seed: 3 }).sequences.map((s) => s.slice(0, -2));
    const run = async (poolMb: string): Promise<{ losses: number[]; peakPooled: number }> => {
      process.env.REC_WEBGPU_POOL_MB = poolMb;
      trimWebgpuPool(0);
      const rng = new Rng(11);
      const net = SequenceNet.fromIR(tinyMamba(8, 0.1), 31, 16, rng.fork());
      const losses: number[] = [];
      let peakPooled = 0;
      await train(net, sequences, {
        config: trainConfig({ epochs: 2, batch: 60 }), maxLen: 16, rng,
        // Called before the step's trim: what one step leaves, or everything so far without trimming.
        onStep: (_e, _s, l) => {
          losses.push(l);
          peakPooled = Math.max(peakPooled, webgpuPooledBytes());
        },
      });
      net.dispose();
      return { losses, peakPooled };
    };
    const kept = await run("100000");
    const trimmed = await run("0");
    assert.equal(trimmed.losses.length, kept.losses.length);
    const worst = Math.max(...kept.losses.map((l, i) => Math.abs(trimmed.losses[i]! - l) / Math.abs(l)));
    assert.ok(worst < 1e-5, `losses differ by ${worst} relative with and without trimming`);
    assert.ok(kept.losses.length >= 8, `${kept.losses.length} steps`);
    assert.ok(trimmed.peakPooled < kept.peakPooled, `pool peak ${trimmed.peakPooled} bytes trimmed against ${kept.peakPooled} kept`);
    console.log(`      pool peak over ${kept.losses.length} steps: ${kept.peakPooled} bytes kept, ${trimmed.peakPooled} trimmed each step`);
  });
});
