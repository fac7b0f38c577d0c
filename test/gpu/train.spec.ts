/**
 * Training on the webgpu backend lowers the loss: a small Mamba model through the shared trainer,
 * whose scan, conv and cross-entropy run as the WGSL kernels there, on the built-in synthetic data.
 */
import { strict as assert } from "node:assert";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { train } from "../../src/runtime/trainer.js";
import { Rng } from "../../src/util/rng.js";
import { tinyMamba, trainConfig } from "../runtime/fixtures.js";
import { restoreBackend, useWebgpuOrSkip } from "./helpers.js";

describe("training on the webgpu backend", function () {
  before(useWebgpuOrSkip);
  after(restoreBackend);

  it("a small Mamba model lowers the loss on the synthetic data in a few Adam epochs", async () => {
    const ds = syntheticDataset({ users: 64, items: 60, meanLen: 12, seed: 2020 });
    const sequences = ds.sequences.map((s) => s.slice(0, -2));
    const rng = new Rng(7);
    const net = SequenceNet.fromIR(tinyMamba(16), ds.numItems, 16, rng.fork());
    const epochLosses: number[] = [];
    await train(net, sequences, {
      config: trainConfig({ epochs: 6, batch: 128 }), maxLen: 16, rng,
      onEpoch: (history) => { epochLosses.push(history[history.length - 1]!.loss); },
    });
    net.dispose();
    const [first, last] = [epochLosses[0]!, epochLosses[epochLosses.length - 1]!];
    console.log(`      epoch loss ${first.toFixed(4)} -> ${last.toFixed(4)} (ln(items) = ${Math.log(ds.numItems).toFixed(4)})`);
    assert.ok(Number.isFinite(last) && last < first - 0.1, `loss did not drop: ${epochLosses.join(", ")}`);
  });
});
