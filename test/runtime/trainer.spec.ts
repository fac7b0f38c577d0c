import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/runtime/backend.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { train } from "../../src/runtime/trainer.js";
import { whenInterruptible } from "../../src/runtime/interrupt.js";
import { Rng } from "../../src/util/rng.js";
import { UserError } from "../../src/util/errors.js";
import { cyclicSequences, tinyMamba, trainConfig } from "./fixtures.js";

const losses = async (epochs: number, opts: { checkpoint?: string; resume?: boolean; dropout?: number } = {}): Promise<number[]> => {
  const rng = new Rng(11);
  const net = SequenceNet.fromIR(tinyMamba(8, opts.dropout ?? 0.1), 12, 10, rng.fork());
  const out: number[] = [];
  await train(net, cyclicSequences(12, 12, 14), {
    config: trainConfig({ epochs, batch: 40 }), maxLen: 10, rng, onStep: (_e, _s, l) => out.push(l),
    ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}), resume: opts.resume ?? false,
  });
  net.dispose();
  return out;
};

for (const backend of ["cpu", "wasm"] as const) {
  describe(`trainer on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
    });

    it("overfits a tiny dataset: embedding 16 + mamba + layernorm, tied; loss falls by >= 90%", async () => {
      const rng = new Rng(3);
      const net = SequenceNet.fromIR(tinyMamba(16), 10, 12, rng.fork());
      const summary = await train(net, cyclicSequences(16, 10, 13), {
        config: trainConfig({ epochs: 40, batch: 200, optimizer: { kind: "adam", lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } }),
        maxLen: 12, rng,
      });
      const first = summary.history[0]!.loss;
      const last = summary.history[summary.history.length - 1]!.loss;
      net.dispose();
      assert.ok(last <= 0.1 * first, `loss ${first} -> ${last}`);
    });

    it("is deterministic: same seed, same losses", async () => {
      assert.deepEqual(await losses(2), await losses(2));
    });

    it("resumes exactly: 2 epochs + resume to 4 equals 4 straight", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "reccompile-"));
      try {
        const ck = path.join(dir, "ck.json");
        const straight = await losses(4);
        const first = await losses(2, { checkpoint: ck });
        const rest = await losses(4, { checkpoint: ck, resume: true });
        assert.deepEqual([...first, ...rest], straight);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("reports the whole run's targets per second, also from a resumed call that trains nothing", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "reccompile-"));
      try {
        const checkpoint = path.join(dir, "ck.json");
        const sequences = cyclicSequences(12, 12, 14);
        const once = async (resume: boolean) => {
          const rng = new Rng(11);
          const net = SequenceNet.fromIR(tinyMamba(8, 0.1), 12, 10, rng.fork());
          const summary = await train(net, sequences, { config: trainConfig({ epochs: 2, batch: 40 }), maxLen: 10, rng, checkpoint, resume });
          net.dispose();
          return summary;
        };
        const trained = await once(false);
        const scored = await once(true);
        assert.equal(scored.history.length, 2);
        assert.ok(trained.tokensPerS > 0);
        // 12 users x 13 targets (windows of 10 inputs) per epoch.
        const seconds = trained.history.reduce((s, e) => s + e.seconds, 0);
        assert.ok(Math.abs(trained.tokensPerS - (2 * 12 * 13) / seconds) < 1e-9 * trained.tokensPerS, `${trained.tokensPerS}`);
        assert.equal(scored.tokensPerS, trained.tokensPerS);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("records each epoch's kernel thread count when told it (a study runner re-shares the cores), and none otherwise", async () => {
      const run = async (threads?: (epoch: number) => number | null) => {
        const rng = new Rng(11);
        const net = SequenceNet.fromIR(tinyMamba(8, 0.1), 12, 10, rng.fork());
        let epoch = -1;
        const summary = await train(net, cyclicSequences(12, 12, 14), {
          config: trainConfig({ epochs: 3, batch: 40 }), maxLen: 10, rng, onStep: (e) => { epoch = e; },
          ...(threads ? { threads: () => threads(epoch) } : {}),
        });
        net.dispose();
        return summary.history.map((e) => e.threads);
      };
      // From the second epoch on the run has two threads, as when the other run of two has ended.
      assert.deepEqual(await run((e) => (e === 0 ? 1 : 2)), [1, 2, 2]);
      assert.deepEqual(await run(() => null), [undefined, undefined, undefined]);
      assert.deepEqual(await run(), [undefined, undefined, undefined]);
    });

    it("Ctrl-C after an epoch's training waits for that epoch's checkpoint", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "reccompile-"));
      try {
        const ck = path.join(dir, "ck.json");
        const rng = new Rng(11);
        const net = SequenceNet.fromIR(tinyMamba(8, 0.1), 12, 10, rng.fork());
        const seenAtStop: (number | null)[] = [];
        let validations = 0;
        await train(net, cyclicSequences(12, 12, 14), {
          config: trainConfig({ epochs: 2, batch: 40 }), maxLen: 10, rng, checkpoint: ck,
          validate: async () => {
            // The "Ctrl-C" arrives while epoch 1 is being validated, before its checkpoint exists.
            if (++validations === 1) {
              assert.equal(existsSync(ck), false);
              whenInterruptible(() => seenAtStop.push(existsSync(ck) ? (JSON.parse(readFileSync(ck, "utf8")) as { epoch: number }).epoch : null));
            }
            return { "ndcg@10": 0.5 };
          },
        });
        net.dispose();
        assert.deepEqual(seenAtStop, [1], "the stop ran once, after epoch 1's checkpoint was written");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("micro-batched steps train as whole batches do (no dropout: the same losses within 1e-5), all_positions and last", async () => {
      for (const targets of ["all_positions", "last"] as const) {
        const run = async (microBatchPositions?: number): Promise<number[]> => {
          const rng = new Rng(11);
          const net = SequenceNet.fromIR(tinyMamba(8), 12, 10, rng.fork());
          const out: number[] = [];
          await train(net, cyclicSequences(12, 12, 14), {
            config: trainConfig({ epochs: 2, batch: 40, targets }), maxLen: 10, rng, onStep: (_e, _s, l) => out.push(l),
            ...(microBatchPositions ? { microBatchPositions } : {}),
          });
          net.dispose();
          return out;
        };
        const whole = await run();
        const parts = await run(20);
        assert.equal(parts.length, whole.length);
        parts.forEach((l, i) => assert.ok(Math.abs(l - whole[i]!) < 1e-5 * whole[i]!, `${targets} step ${i}: ${l} vs ${whole[i]}`));
      }
    });

    it("leaks no tensors: numTensors constant over 20 steps", async () => {
      const rng = new Rng(5);
      const net = SequenceNet.fromIR(tinyMamba(8, 0.1), 12, 10, rng.fork());
      const counts: number[] = [];
      await train(net, cyclicSequences(40, 12, 11), {
        config: trainConfig({ epochs: 20, batch: 400, clipNorm: 1 }), maxLen: 10, rng, microBatchPositions: 60,
        onStep: () => counts.push(tf.memory().numTensors),
      });
      net.dispose();
      assert.equal(counts.length, 20);
      assert.ok(counts.every((c) => c === counts[0]), `numTensors per step: ${counts.join(",")}`);
    });

    it("stops on a non-finite loss with a message naming epoch and step", async () => {
      const rng = new Rng(5);
      const net = SequenceNet.fromIR(tinyMamba(8), 12, 10, rng.fork());
      const huge = { kind: "sgd", lr: 1e30, momentum: 0, weightDecay: 0 } as const;
      await assert.rejects(
        train(net, cyclicSequences(8, 12, 11), { config: trainConfig({ epochs: 3, batch: 20, optimizer: huge }), maxLen: 10, rng }),
        (e: unknown) => e instanceof UserError && /epoch \d+, step \d+/.test(e.message),
      );
      net.dispose();
    });
  });
}
