/**
 * The training loop: shuffled target-counted batches, one optimizer step each, validation and
 * early stopping per epoch (keeping the best weights), an optional moving average of the weights
 * that validation and the final model read, an atomic checkpoint per epoch from which `resume`
 * continues exactly, and progress on a stream.
 */
import * as tf from "@tensorflow/tfjs-core";
import { metricKey, type TrainConfig } from "../ir/spec.js";
import type { MetricValues, SeenInTopFigures } from "../eval/types.js";
import { UserError } from "../util/errors.js";
import type { Rng } from "../util/rng.js";
import { drawMasks, epochBatches, makeBatch, makeRows, microBatches, targetCount } from "./batches.js";
import { loadCheckpoint, saveCheckpoint, type EpochRecord } from "./checkpoint.js";
import { uninterruptible } from "./interrupt.js";
import { trimWebgpuPool } from "./webgpu.js";
import { sequenceLoss } from "./loss.js";
import type { SequenceNet } from "./net.js";
import { clipByGlobalNormAsync } from "./optim/clip.js";
import { WeightAverage } from "./optim/average.js";
import { makeOptimizer } from "./optim/optimizer.js";
import { learningRate, plateauReductions } from "./optim/schedule.js";
import type { SavedParams } from "./params.js";
import { Progress, type ProgressStream } from "./progress.js";

/**
 * Padded positions (rows x length) that one forward and backward pass holds at most. A larger batch
 * is computed in micro-batches whose gradients add up to the whole batch's, for one optimizer step:
 * `targets: last` batches (2,048 prefixes of up to max_len items, about 270,000 positions on
 * ML-1M) would otherwise overrun the wasm heap. An `all_positions` batch of 2,048 targets stays far
 * below it (at most 5,712 positions on ML-1M), so those batches run whole, as before. Both figures:
 * `npx tsx scripts/context-stats.ts`.
 */
export const MICRO_BATCH_POSITIONS = 16384;

export interface TrainOptions {
  readonly config: TrainConfig;
  readonly maxLen: number;
  /** Shuffling and dropout draw from it; its state is checkpointed. */
  readonly rng: Rng;
  /**
   * Validation after each epoch (e.g. the shared evaluator on the validation cases): its metrics,
   * or with them the seen-items figures that the epoch's history record keeps as `seen_in_top`.
   */
  readonly validate?: (net: SequenceNet) => Promise<MetricValues | Validation>;
  /** Checkpoint file written (atomically) after every epoch. */
  readonly checkpoint?: string;
  /** Continue from `checkpoint` when it exists. */
  readonly resume?: boolean;
  /** Progress output (e.g. process.stderr); none when absent. */
  readonly progress?: ProgressStream;
  /** Overrides MICRO_BATCH_POSITIONS (tests). */
  readonly microBatchPositions?: number;
  /** Called with every step's loss (tests, logging). */
  readonly onStep?: (epoch: number, step: number, loss: number) => void;
  /** Called after each epoch with the history so far (e.g. to keep a per-epoch log on disk). */
  readonly onEpoch?: (history: readonly EpochRecord[]) => void;
  /** The kernels' thread count now, recorded with each epoch; null or absent records none. */
  readonly threads?: () => number | null;
}

/** Validation's metrics, with the seen-items diagnostic when it measured it (eval/evaluate.ts). */
export interface Validation {
  readonly metrics: MetricValues;
  readonly seenInTop?: SeenInTopFigures;
}

/** An epoch's history record; `seen_in_top` when validation measured it (history.json, the checkpoint). */
export type EpochEntry = EpochRecord & { readonly seen_in_top?: SeenInTopFigures };

/** What `validate` returned, as one shape. */
const asValidation = (v: MetricValues | Validation): Validation => (typeof v.metrics === "object" ? (v as Validation) : { metrics: v as MetricValues });

export interface TrainSummary {
  /** Epochs completed in total (including those before a resume). */
  readonly epochs: number;
  /** Best epoch (1-based) by the early-stopping metric, or null without validation. */
  readonly bestEpoch: number | null;
  readonly bestMetric: number | null;
  readonly stoppedEarly: boolean;
  /** Seconds this call spent training (its own epochs). */
  readonly seconds: number;
  /** Seconds of the epochs trained before a resume, by their history records (0 without one). */
  readonly priorSeconds: number;
  /** Training targets per second over every epoch of the run (its history records' seconds, validation included), the epochs before a resume too. */
  readonly tokensPerS: number;
  readonly history: readonly EpochEntry[];
}

/** Trains `net` on the training sequences (LeaveOneOutSplit.train). */
export const train = async (net: SequenceNet, sequences: readonly Int32Array[], opts: TrainOptions): Promise<TrainSummary> => {
  const cfg = opts.config;
  const params = net.params.list();
  const variables = params.map((p) => p.variable);
  const byVarName = new Map(params.map((p) => [p.variable.name, p.name]));
  const optimizer = makeOptimizer(cfg.optimizer, params);
  const average = cfg.weightAverage ? new WeightAverage(cfg.weightAverage.decay, cfg.weightAverage.start, params) : null;
  const rows = makeRows(sequences, opts.maxLen, cfg.targets, cfg.minContext, cfg.maskRatio);
  if (cfg.targets === "masked" && net.maskId === null) throw new Error("train: targets masked needs a network with a mask token (SequenceModel.maskToken)");
  if (rows.targets === 0) throw new UserError("no training targets: every training sequence is shorter than 2 items");
  const progress = new Progress(opts.progress ?? null, cfg.epochs);
  const stopKey = cfg.earlyStopping ? metricKey(cfg.earlyStopping.metric) : null;
  const schedule = cfg.schedule;
  // A plateau schedule's reductions so far, replayed from the validation history.
  const reductionsAfter = (h: readonly EpochRecord[]): number => {
    if (schedule.kind !== "plateau") return 0;
    const key = metricKey(schedule.metric);
    const values = h.map((e) => {
      const v = e.valid?.[key];
      if (v === undefined) throw new UserError(`schedule plateau watches '${key}', which is not among the validation metrics of epoch ${e.epoch}`);
      return v;
    });
    return plateauReductions(values, schedule.patience);
  };

  let startEpoch = 0;
  let history: EpochEntry[] = [];
  let best: { value: number; epoch: number; params: SavedParams } | null = null;
  let stale = 0;
  let steps = 0;
  if (opts.resume && opts.checkpoint) {
    const c = await loadCheckpoint(opts.checkpoint);
    if (c) {
      const file = opts.checkpoint;
      // A checkpoint that parses but does not fit this model (cut short, edited, another spec's) is the user's to sort out.
      const restore = (what: string, f: () => void): void => {
        try {
          f();
        } catch (err) {
          throw new UserError(`${file}: cannot resume from this checkpoint: its ${what} do not fit the model (${err instanceof Error ? err.message : String(err)}); start the run afresh in another folder`);
        }
      };
      restore("weights", () => net.params.load(c.params));
      restore("optimizer state", () => optimizer.setState(c.optimizer));
      restore("random state", () => opts.rng.setState(c.rng));
      startEpoch = c.epoch;
      history = [...c.history];
      best = c.best;
      stale = c.stale;
      steps = c.steps;
      if (average && c.average) restore("weight average", () => average.load(c.average!));
      else if (average && c.epoch > average.start) {
        throw new UserError(`--resume: the checkpoint ${opts.checkpoint} holds no weight average, but weight_average starts after epoch ${average.start} and the run has trained ${c.epoch} epochs`);
      }
    }
  }

  let stoppedEarly = !!(cfg.earlyStopping && stale >= cfg.earlyStopping.patience);
  // Validates the weights in `net` after `epoch` epochs and keeps them when early stopping's metric improved.
  const validateAndKeep = async (epoch: number): Promise<Validation | null> => {
    const valid = opts.validate ? asValidation(await opts.validate(net)) : null;
    if (valid && stopKey && cfg.earlyStopping) {
      const v = valid.metrics[stopKey];
      if (v === undefined) throw new UserError(`early stopping metric '${stopKey}' is not among the validation metrics`);
      if (!best || v > best.value) {
        best = { value: v, epoch, params: await net.params.saveAsync() };
        stale = 0;
      } else {
        stale++;
      }
      stoppedEarly = stale >= cfg.earlyStopping.patience;
    }
    return valid;
  };

  const priorSeconds = history.reduce((sum, e) => sum + e.seconds, 0);
  const t0 = performance.now();
  for (let epoch = startEpoch; epoch < cfg.epochs && !stoppedEarly; epoch++) {
    const e0 = performance.now();
    average?.beforeEpoch(epoch);
    const batches = epochBatches(rows, cfg.batch, opts.rng);
    const fwd = { training: true, rng: opts.rng };
    const reductions = reductionsAfter(history);
    const lrAt = (s: number): number => learningRate(schedule, cfg.optimizer.lr, epoch + s / batches.length, cfg.epochs, reductions);
    if (schedule.kind === "plateau" && lrAt(0) < learningRate(schedule, cfg.optimizer.lr, epoch, cfg.epochs, reductionsAfter(history.slice(0, -1)))) {
      progress.epoch(`learning rate now ${Number(lrAt(0).toPrecision(3))}: ${metricKey(schedule.metric)} has not improved for ${schedule.patience} epochs`);
    }
    let lossSum = 0;
    let count = 0;
    for (let s = 0; s < batches.length; s++) {
      const ids = batches[s]!;
      // Masked rows: this batch's masks, drawn before its parts so that they divide by its whole count.
      const masks = rows.mode === "masked" ? { masks: drawMasks(rows, ids, opts.maxLen, opts.rng), maskId: net.maskId! } : undefined;
      const batchCount = masks ? masks.masks.count : targetCount(rows, ids);
      if (batchCount === 0) continue; // masked rows that drew no mask at all: nothing to learn from, no step
      const lr = lrAt(s);
      // One optimizer step: the loss and gradients of the whole batch, summed over its micro-batches.
      let loss = 0;
      const grads: Record<string, tf.Tensor> = {};
      for (const part of microBatches(rows, ids, opts.microBatchPositions ?? MICRO_BATCH_POSITIONS)) {
        const b = makeBatch(rows, sequences, part, masks);
        if (b.count === 0) continue; // a part whose rows drew no mask predicts nothing
        const { value, grads: byVar } = tf.variableGrads(
          () => sequenceLoss(net, b, cfg.loss.labelSmoothing, fwd, batchCount),
          variables,
        );
        // Read asynchronously: the webgpu backend cannot read synchronously in Node.
        loss += (await value.data())[0]!;
        value.dispose();
        for (const [k, g] of Object.entries(byVar)) {
          const name = byVarName.get(k)!;
          const sum = grads[name];
          if (sum === undefined) {
            grads[name] = g;
          } else {
            grads[name] = tf.add(sum, g);
            tf.dispose([sum, g]);
          }
        }
      }
      if (!Number.isFinite(loss)) {
        tf.dispose(Object.values(grads));
        throw new UserError(`training diverged: loss is ${loss} at epoch ${epoch + 1}, step ${s + 1}; lower the learning rate or enable clipping (clip_norm)`);
      }
      if (cfg.clipNorm !== null) await clipByGlobalNormAsync(grads, cfg.clipNorm);
      optimizer.apply(grads, lr);
      average?.update();
      tf.dispose(Object.values(grads));
      steps++;
      lossSum += loss * batchCount;
      count += batchCount;
      opts.onStep?.(epoch, s, loss);
      const el = (performance.now() - e0) / 1000;
      progress.step(epoch, s + 1, batches.length, lossSum / count, count / el, el);
      trimWebgpuPool(); // a no-op except on webgpu, whose buffer pool would otherwise only grow
      // Let signal handlers (Ctrl-C) and pending I/O run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const trainSeconds = (performance.now() - e0) / 1000;
    const threads = opts.threads?.() ?? null;
    // The epoch's end, from validation to its checkpoint, runs whole: Ctrl-C waits for it (interrupt.ts).
    await uninterruptible(async () => {
      // Validation, and the best weights kept, read the weight average once it has begun.
      const validation = await (average ? average.swapped(() => validateAndKeep(epoch + 1)) : validateAndKeep(epoch + 1));
      const valid = validation?.metrics ?? null;
      const seen = validation?.seenInTop ? { seen_in_top: validation.seenInTop } : {};
      const rec: EpochEntry = { epoch: epoch + 1, loss: lossSum / count, valid, ...seen, seconds: (performance.now() - e0) / 1000, train_seconds: trainSeconds, lr: lrAt(0), ...(threads === null ? {} : { threads }) };
      history.push(rec);
      const metrics = valid ? " " + Object.entries(valid).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(" ") : "";
      progress.epoch(`epoch ${rec.epoch}/${cfg.epochs} loss ${rec.loss.toFixed(4)}${metrics} (${rec.seconds.toFixed(1)}s)`);
      // The checkpoint first: a kill between the two writes leaves history.json behind the
      // checkpoint, never ahead of it, and the resumed run rewrites it from the checkpoint's history.
      if (opts.checkpoint) {
        await saveCheckpoint(opts.checkpoint, {
          version: 1, epoch: epoch + 1, params: await net.params.saveAsync(), optimizer: await optimizer.getStateAsync(), rng: opts.rng.getState(),
          best, stale, history, steps, average: (await average?.saveAsync()) ?? null,
        });
      }
      opts.onEpoch?.(history);
    });
  }
  optimizer.dispose();
  // The model that training leaves: the best weights kept, else the average, else the last weights.
  if (best) net.params.load(best.params);
  else average?.assignToWeights();
  average?.dispose();
  const seconds = (performance.now() - t0) / 1000;
  const epochSeconds = history.reduce((sum, e) => sum + e.seconds, 0);
  return {
    epochs: history.length,
    bestEpoch: best?.epoch ?? null,
    bestMetric: best?.value ?? null,
    stoppedEarly,
    seconds,
    priorSeconds,
    // Every epoch trains on the same targets, so the whole run's rate follows from its history,
    // the epochs before a resume included.
    tokensPerS: epochSeconds > 0 ? (rows.targets * history.length) / epochSeconds : 0,
    history,
  };
};
