import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TrainConfig } from "../../src/ir/spec.js";
import { initBackend } from "../../src/runtime/backend.js";
import { SequenceNet } from "../../src/runtime/net.js";
import type { SavedParams } from "../../src/runtime/params.js";
import { train } from "../../src/runtime/trainer.js";
import { UserError } from "../../src/util/errors.js";
import { Rng } from "../../src/util/rng.js";
import { cyclicSequences, tinyMamba, trainConfig } from "./fixtures.js";

const ema = (decay: number, start: number): TrainConfig["weightAverage"] => ({ kind: "ema", decay, start });

/** The largest absolute difference between two sets of weights (same names and shapes). */
const maxDiff = (a: SavedParams, b: Record<string, Float64Array | number[]>): number => {
  let m = 0;
  for (const [name, { data }] of Object.entries(a)) {
    const other = b[name]!;
    assert.equal(other.length, data.length, name);
    for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]! - other[i]!));
  }
  return m;
};

describe("weight averaging (cpu)", () => {
  before(async () => {
    await initBackend("cpu");
  });

  /**
   * Trains the tiny model and records the weights after every step, the weights each validation
   * saw, the losses and the final model. `values` scripts validation (ndcg@10 per epoch).
   */
  const run = async (config: TrainConfig, opts: { values?: readonly number[]; checkpoint?: string; resume?: boolean; from?: number } = {}) => {
    const rng = new Rng(5);
    const net = SequenceNet.fromIR(tinyMamba(8, 0.1), 12, 10, rng.fork());
    const losses: number[] = [];
    const stepWeights: SavedParams[] = [];
    const validated: SavedParams[] = [];
    let epoch = opts.from ?? 0;
    const values = opts.values;
    const summary = await train(net, cyclicSequences(12, 12, 14), {
      config, maxLen: 10, rng,
      onStep: (_e, _s, l) => {
        losses.push(l);
        stepWeights.push(net.params.save());
      },
      ...(values ? { validate: async () => {
        validated.push(net.params.save());
        return { "ndcg@10": values[epoch++]! };
      } } : {}),
      ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}), resume: opts.resume ?? false,
    });
    const final = net.params.save();
    net.dispose();
    return { summary, losses, stepWeights, validated, final };
  };

  /** The average in float64 from the weights after each step: begun from the weights after step `from`, updated by each later one. */
  const referenceAverage = (steps: readonly SavedParams[], from: number, to: number, decay: number): Record<string, Float64Array> => {
    const avg: Record<string, Float64Array> = {};
    for (const [name, { data }] of Object.entries(steps[from]!)) avg[name] = Float64Array.from(data);
    for (let s = from + 1; s <= to; s++) {
      for (const [name, { data }] of Object.entries(steps[s]!)) {
        const a = avg[name]!;
        for (let i = 0; i < a.length; i++) a[i] = decay * a[i]! + (1 - decay) * data[i]!;
      }
    }
    return avg;
  };

  it("ends with the moving average of the weights, begun after `start` epochs, and leaves training itself unchanged", async () => {
    const plain = await run(trainConfig({ epochs: 3, batch: 40 }));
    const averaged = await run(trainConfig({ epochs: 3, batch: 40, weightAverage: ema(0.8, 1) }));
    assert.deepEqual(averaged.losses, plain.losses, "the optimizer steps the raw weights, as without averaging");
    assert.equal(maxDiff(averaged.stepWeights.at(-1)!, Object.fromEntries(Object.entries(plain.final).map(([k, v]) => [k, v.data]))), 0);
    const perEpoch = averaged.losses.length / 3;
    assert.ok(Number.isInteger(perEpoch) && perEpoch >= 3, `${averaged.losses.length} steps`);
    // The average begins from the weights at the end of epoch 1 (after step perEpoch - 1, 0-based).
    const want = referenceAverage(averaged.stepWeights, perEpoch - 1, averaged.stepWeights.length - 1, 0.8);
    assert.ok(maxDiff(averaged.final, want) < 1e-6, `final model vs float64 average: ${maxDiff(averaged.final, want)}`);
    assert.ok(maxDiff(averaged.final, Object.fromEntries(Object.entries(plain.final).map(([k, v]) => [k, v.data]))) > 1e-4, "the average differs from the last weights");
  });

  it("validates the raw weights before `start` and the average after, and keeps the best epoch's average as the model", async () => {
    const decay = 0.7;
    const r = await run(trainConfig({ epochs: 4, batch: 40, weightAverage: ema(decay, 1), earlyStopping: { metric: { name: "ndcg", k: 10 }, patience: 3 } }), {
      values: [0.1, 0.3, 0.2, 0.25],
    });
    const perEpoch = r.losses.length / 4;
    const asArrays = (p: SavedParams) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.data]));
    assert.equal(r.validated.length, 4);
    assert.equal(maxDiff(r.validated[0]!, asArrays(r.stepWeights[perEpoch - 1]!)), 0, "epoch 1 validates the raw weights");
    for (let e = 1; e < 4; e++) {
      const want = referenceAverage(r.stepWeights, perEpoch - 1, (e + 1) * perEpoch - 1, decay);
      assert.ok(maxDiff(r.validated[e]!, want) < 1e-6, `validation of epoch ${e + 1}: ${maxDiff(r.validated[e]!, want)}`);
    }
    assert.equal(r.summary.bestEpoch, 2);
    assert.equal(maxDiff(r.final, asArrays(r.validated[1]!)), 0, "the model is the average validated at the best epoch");
    assert.ok(maxDiff(r.final, asArrays(r.stepWeights[2 * perEpoch - 1]!)) > 1e-4, "not the raw weights of that epoch");
  });

  describe("resume", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "rec-average-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const values = [0.1, 0.2, 0.15, 0.3, 0.25];
    const es = { metric: { name: "ndcg" as const, k: 10 }, patience: 4 };

    it("continues exactly from a checkpoint taken while averaging", async () => {
      const cfg = (epochs: number) => trainConfig({ epochs, batch: 40, weightAverage: ema(0.9, 1), earlyStopping: es });
      const straight = await run(cfg(5), { values });
      const ckpt = path.join(dir, "checkpoint.json");
      const first = await run(cfg(3), { values, checkpoint: ckpt });
      const rest = await run(cfg(5), { values, checkpoint: ckpt, resume: true, from: 3 });
      assert.deepEqual([...first.losses, ...rest.losses], straight.losses);
      assert.equal(maxDiff(rest.final, Object.fromEntries(Object.entries(straight.final).map(([k, v]) => [k, v.data]))), 0);
      assert.deepEqual(rest.summary.history.map((e) => e.valid), straight.summary.history.map((e) => e.valid));
    });

    it("continues a run trained without averaging when the average starts at its checkpoint, and refuses one past it", async () => {
      const ckpt = path.join(dir, "checkpoint.json");
      const ckpt2 = path.join(dir, "checkpoint2.json");
      await run(trainConfig({ epochs: 2, batch: 40, earlyStopping: es }), { values, checkpoint: ckpt });
      copyFileSync(ckpt, ckpt2);
      const straight = await run(trainConfig({ epochs: 5, batch: 40, weightAverage: ema(0.9, 2), earlyStopping: es }), { values });
      const rest = await run(trainConfig({ epochs: 5, batch: 40, weightAverage: ema(0.9, 2), earlyStopping: es }), { values, checkpoint: ckpt, resume: true, from: 2 });
      assert.equal(maxDiff(rest.final, Object.fromEntries(Object.entries(straight.final).map(([k, v]) => [k, v.data]))), 0);
      await assert.rejects(
        run(trainConfig({ epochs: 5, batch: 40, weightAverage: ema(0.9, 1), earlyStopping: es }), { values, checkpoint: ckpt2, resume: true, from: 2 }),
        (e: unknown) => e instanceof UserError && /holds no weight average, but weight_average starts after epoch 1 and the run has trained 2 epochs/.test(e.message),
      );
    });
  });
});
