/**
 * The shared run: backend and kernels, build the model from its generated builder, train with
 * validation and early stopping, score validation and test (score.ts, the path `eval` scores
 * through too), and write the run folder's results. Every generated module's `run` lands here.
 */
import { join } from "node:path";
import type { PreparedData } from "../data/prepare.js";
import { seenInTopFigures } from "../eval/evaluate.js";
import type { MetricValues } from "../eval/types.js";
import { metricKey, type Metric } from "../ir/spec.js";
import { kernels as kernelSet, setKernelImpl, type KernelImpl } from "../kernels/select.js";
import { initBackend, type BackendChoice } from "../runtime/backend.js";
import type { BuildContext, Model, ModelDefinition } from "../runtime/definition.js";
import { SequenceNet } from "../runtime/net.js";
import { ParamStore } from "../runtime/params.js";
import type { ProgressStream } from "../runtime/progress.js";
import { train, type TrainSummary } from "../runtime/trainer.js";
import { writeFileAtomic, writeJsonAtomic } from "../util/fs.js";
import { Rng } from "../util/rng.js";
import { renderReport } from "./report_html.js";
import { RUN_FILES } from "./run_folder.js";
import { scoreCases, scoreSplit, scorerOf } from "./score.js";
import type { SeenInTopSplits } from "./seen_in_top.js";
import { threadsFollower } from "./study/threads_file.js";

export interface RunOptions {
  readonly data: PreparedData;
  /** The run folder; it exists and is writable. */
  readonly runDir: string;
  readonly backend: BackendChoice;
  readonly kernels: KernelImpl | "auto";
  /** Continue from the run folder's checkpoint. */
  readonly resume: boolean;
  /** Progress and notices (stderr in the CLI). */
  readonly log: ProgressStream;
  /** The resolved spec as .rec text, for the report. */
  readonly specText: string;
}

/** The `--json` summary line of the command-line contract, plus a few facts about the run. */
export interface RunResult {
  readonly model: string;
  readonly dataset: string;
  readonly users: number;
  readonly items: number;
  readonly epochs: number;
  readonly best_epoch: number | null;
  /** Training and scoring time of the whole run, the epochs before a resume included. */
  readonly seconds: number;
  /** Training targets per second over every epoch of the run, validation included (the epochs before a resume too). */
  readonly tokens_per_s: number;
  /** Peak resident memory of this call's process. */
  readonly peak_rss_mb: number;
  readonly backend: string;
  readonly kernels: string;
  readonly seed: number;
  readonly valid: MetricValues;
  readonly test: MetricValues;
  /**
   * How much of the top K (each K of the metrics) the users' seen items take, validation and test
   * (eval/evaluate.ts); absent in runs from before it was measured.
   */
  readonly seen_in_top?: SeenInTopSplits;
}

const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** The spec's metrics, plus the early-stopping and plateau metrics when they are not among them. */
const evalMetrics = (def: ModelDefinition): Metric[] => {
  const metrics = [...def.config.eval.metrics];
  const { earlyStopping, schedule } = def.config.train;
  for (const watched of [earlyStopping?.metric, schedule.kind === "plateau" ? schedule.metric : undefined]) {
    if (watched && !metrics.some((m) => metricKey(m) === metricKey(watched))) metrics.push(watched);
  }
  return metrics;
};

const buildModel = (def: ModelDefinition, numItems: number, numUsers: number, rng: Rng): Model => {
  const ctx: BuildContext = { params: new ParamStore(rng), numItems, numUsers, maxLen: def.config.data.maxLen, rng };
  return def.build(ctx);
};

export const runModel = async (def: ModelDefinition, options: RunOptions): Promise<RunResult> => {
  const log = (line: string): void => { options.log.write(`${line}\n`); };
  const backend = await initBackend(options.backend, log);
  const { split } = options.data;
  const cfg = def.config;
  const scoring = { metrics: evalMetrics(def), excludeSeen: cfg.eval.excludeSeen };

  const rng = new Rng(cfg.train.seed);
  const model = buildModel(def, split.numItems, split.train.length, rng);
  let kernels = "none";
  let summary: TrainSummary | null = null;
  const t0 = performance.now();
  if (model instanceof SequenceNet) {
    if (backend === "webgpu") {
      // The scan, conv and cross-entropy run as WGSL / tfjs ops on the GPU (each fused op in
      // src/kernels dispatches on the backend); the CPU kernel sets do not apply.
      if (options.kernels === "native") log("notice: --kernels native does not apply on the webgpu backend; its WGSL kernels run");
      await setKernelImpl("ts");
      kernels = "webgpu";
    } else {
      kernels = await setKernelImpl(options.kernels, log);
    }
    log(`${def.name}: ${model.params.count().toLocaleString("en-US")} parameters; ${split.train.length} users, ${split.numItems} items; backend ${backend}, ${kernels} kernels`);
    summary = await train(model, split.train, {
      config: cfg.train,
      maxLen: cfg.data.maxLen,
      rng,
      validate: async (net) => {
        const r = await scoreCases(net.scorer(), split, "valid", scoring);
        return { metrics: r.metrics, seenInTop: seenInTopFigures(r.seenInTop) };
      },
      checkpoint: join(options.runDir, RUN_FILES.checkpoint),
      resume: options.resume,
      progress: options.log,
      onEpoch: (history) => writeJsonAtomic(join(options.runDir, RUN_FILES.history), history),
      // Parallel ablation runs: follow this run's share of the cores as other runs start and end.
      onStep: threadsFollower(process.env["REC_THREADS_FILE"], (n) => kernelSet().setThreads?.(n)),
      threads: () => kernelSet().threads?.() ?? null,
    });
  } else {
    log(`${def.name}: popularity counts over ${split.train.length} users, ${split.numItems} items`);
  }
  const { valid, test } = await scoreSplit(scorerOf(model, split), split, scoring);
  // A resumed run counts the epochs trained before the resume too, so `seconds` is the run's
  // whole training and scoring time however many calls it took.
  const seconds = (performance.now() - t0) / 1000 + (summary?.priorSeconds ?? 0);

  const result: RunResult = {
    model: def.name,
    dataset: options.data.name,
    users: split.valid.length,
    items: split.numItems,
    epochs: summary?.epochs ?? 0,
    best_epoch: summary?.bestEpoch ?? null,
    seconds: Math.round(seconds * 100) / 100,
    tokens_per_s: Math.round(summary?.tokensPerS ?? 0),
    peak_rss_mb: peakRssMb(),
    backend,
    kernels,
    seed: cfg.train.seed,
    valid: valid.metrics,
    test: test.metrics,
    seen_in_top: { valid: seenInTopFigures(valid.seenInTop), test: seenInTopFigures(test.seenInTop) },
  };
  const dir = options.runDir;
  if (model instanceof SequenceNet) writeJsonAtomic(join(dir, RUN_FILES.weights), await model.params.saveAsync());
  writeJsonAtomic(join(dir, RUN_FILES.history), summary?.history ?? []);
  writeJsonAtomic(join(dir, RUN_FILES.ranks), { valid: Array.from(valid.ranks), test: Array.from(test.ranks) });
  writeFileAtomic(join(dir, RUN_FILES.report), renderReport({
    title: `${def.name} on ${options.data.name}`,
    specText: options.specText,
    facts: [
      ["spec", def.spec],
      ["dataset", `${options.data.name}: ${result.users} users, ${result.items} items, ${options.data.interactions} interactions`],
      ["backend", `${backend}, ${kernels} kernels`],
      ["epochs", `${result.epochs}${result.best_epoch === null ? "" : ` (best ${result.best_epoch})`}`],
      ["time", `${result.seconds.toFixed(1)} s, ${result.tokens_per_s} targets/s`],
      ["peak memory", `${result.peak_rss_mb} MB`],
      ["seed", String(result.seed)],
    ],
    history: (summary?.history ?? []).map((e) => ({
      epoch: e.epoch, loss: e.loss, seconds: e.seconds, valid: e.valid ?? {},
      ...(e.lr === undefined ? {} : { lr: e.lr }), ...(e.seen_in_top === undefined ? {} : { seenInTop: e.seen_in_top }),
    })),
    valid: valid.metrics,
    test: test.metrics,
    seenInTop: result.seen_in_top,
    bestEpoch: result.best_epoch,
  }));
  // metrics.json last: its presence marks the run as complete.
  writeJsonAtomic(join(dir, RUN_FILES.metrics), result);
  if (model instanceof SequenceNet) model.dispose();
  return result;
};
