import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Schedule, TrainConfig } from "../../src/ir/spec.js";
import { initBackend } from "../../src/runtime/backend.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { learningRate, plateauReductions } from "../../src/runtime/optim/schedule.js";
import { train } from "../../src/runtime/trainer.js";
import { Rng } from "../../src/util/rng.js";
import { cyclicSequences, tinyMamba, trainConfig } from "./fixtures.js";

const plateau = (patience: number, factor: number, minLrRatio = 0): Schedule => ({ kind: "plateau", metric: { name: "ndcg", k: 10 }, patience, factor, minLrRatio });

describe("plateau schedule", () => {
  it("counts a reduction after `patience` epochs without a strict improvement, then restarts the count", () => {
    assert.equal(plateauReductions([], 2), 0);
    assert.equal(plateauReductions([0.5], 2), 0);
    assert.equal(plateauReductions([0.5, 0.4], 2), 0);
    assert.equal(plateauReductions([0.5, 0.4, 0.5], 2), 1, "equal to the best is no improvement");
    assert.equal(plateauReductions([0.5, 0.4, 0.5, 0.6, 0.5], 2), 1, "a new best restarts the count");
    assert.equal(plateauReductions([0.5, 0.4, 0.5, 0.6, 0.5, 0.5], 2), 2);
    assert.equal(plateauReductions([0.5, 0.4, 0.4, 0.4, 0.4], 2), 2, "the count restarts after a reduction");
    assert.equal(plateauReductions([0.1, 0.2, 0.3, 0.4], 1), 0);
    assert.equal(plateauReductions([0.4, 0.3, 0.2, 0.1], 1), 3);
  });

  it("learning rate: lr * factor^n, never below lr * min_lr_ratio", () => {
    assert.equal(learningRate(plateau(2, 0.5), 0.01, 3.5, 10, 0), 0.01);
    assert.equal(learningRate(plateau(2, 0.5), 0.01, 3.5, 10, 2), 0.0025);
    assert.equal(learningRate(plateau(2, 0.5, 0.3), 0.01, 3.5, 10, 2), 0.003);
  });

  describe("in training (cpu)", () => {
    before(async () => {
      await initBackend("cpu");
    });

    /** Trains with scripted validation: epoch e scores values[e - 1] (`from`: epochs already done, when resuming). */
    const run = async (config: TrainConfig, values: readonly number[], opts: { checkpoint?: string; resume?: boolean; from?: number } = {}) => {
      const rng = new Rng(11);
      const net = SequenceNet.fromIR(tinyMamba(8, 0.1), 12, 10, rng.fork());
      const losses: number[] = [];
      const lines: string[] = [];
      let epoch = opts.from ?? 0;
      const summary = await train(net, cyclicSequences(12, 12, 14), {
        config, maxLen: 10, rng, onStep: (_e, _s, l) => losses.push(l), progress: { write: (t: string) => lines.push(t) },
        validate: async () => ({ "ndcg@10": values[epoch++]! }),
        ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}), resume: opts.resume ?? false,
      });
      net.dispose();
      return { losses, lrs: summary.history.map((e) => e.lr), notices: lines.filter((l) => l.startsWith("learning rate")) };
    };

    it("reduces the learning rate on plateaus of the validation metric, as recorded in the history", async () => {
      const cfg = trainConfig({ epochs: 10, batch: 40, schedule: plateau(2, 0.5, 0.3) });
      const { lrs, notices } = await run(cfg, [0.5, 0.4, 0.4, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
      // Reductions after epochs 3 (two without improving on 0.5), 6 and 8 (without improving on
      // 0.6); the second would give 0.0025 but min_lr_ratio 0.3 holds it at 0.003, where the third
      // leaves it.
      assert.deepEqual(lrs, [0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.003, 0.003, 0.003, 0.003]);
      // A notice for each cut that lowers the rate, none for the one held at the floor.
      assert.deepEqual(notices, [
        "learning rate now 0.005: ndcg@10 has not improved for 2 epochs\n",
        "learning rate now 0.003: ndcg@10 has not improved for 2 epochs\n",
      ]);
    });

    it("steps the optimizer with that rate: equal to the step schedule that gives the same rates", async () => {
      // Constant validation, patience 2: reductions after epochs 3 and 5, so epochs 4-5 run at lr/2,
      // exactly as step(every: 3, gamma: 0.5) over five epochs.
      const flat = [0.5, 0.5, 0.5, 0.5, 0.5];
      const a = await run(trainConfig({ epochs: 5, batch: 40, schedule: plateau(2, 0.5) }), flat);
      const b = await run(trainConfig({ epochs: 5, batch: 40, schedule: { kind: "step", every: 3, gamma: 0.5 } }), flat);
      assert.deepEqual(a.lrs, [0.01, 0.01, 0.01, 0.005, 0.005]);
      assert.deepEqual(a.losses, b.losses);
      const c = await run(trainConfig({ epochs: 5, batch: 40 }), flat);
      assert.notDeepEqual(a.losses.slice(-5), c.losses.slice(-5), "the reduced rate changes training");
    });

    it("resumes exactly: the reductions are replayed from the checkpoint's history", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "reccompile-"));
      try {
        const ck = path.join(dir, "ck.json");
        const values = [0.5, 0.4, 0.4, 0.3, 0.6];
        const cfg = (epochs: number): TrainConfig => trainConfig({ epochs, batch: 40, schedule: plateau(2, 0.5) });
        const straight = await run(cfg(5), values);
        const first = await run(cfg(3), values, { checkpoint: ck });
        const rest = await run(cfg(5), values, { checkpoint: ck, resume: true, from: 3 });
        assert.deepEqual([...first.losses, ...rest.losses], straight.losses);
        assert.deepEqual(rest.lrs, straight.lrs);
        assert.deepEqual(straight.lrs, [0.01, 0.01, 0.01, 0.005, 0.005]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
