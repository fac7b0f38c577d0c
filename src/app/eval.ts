/**
 * `reccompile eval`: a finished run's kept weights scored again, on its data or on other data over
 * the same items, with inputs of another length, or with the seen items kept in or removed from the
 * ranking; through the same scoring path as the run itself (score.ts).
 */
import { prepareData, type DataSource } from "../data/prepare.js";
import { seenInTopFigures } from "../eval/evaluate.js";
import type { MetricValues, SeenInTopFigures } from "../eval/types.js";
import { metricKey } from "../ir/spec.js";
import { setKernelImpl } from "../kernels/select.js";
import { initBackend } from "../runtime/backend.js";
import type { ProgressStream } from "../runtime/progress.js";
import { UserError } from "../util/errors.js";
import type { BackendChoice, Format } from "./options.js";
import { applyOverrides } from "./overrides.js";
import { openRun, restoreModel } from "./restore.js";
import { scoreSplit, scorerOf } from "./score.js";
import type { SeenInTopSplits } from "./seen_in_top.js";

export interface EvalRunOptions {
  readonly runDir: string;
  /** Score on this data (default: the run's). */
  readonly data?: string;
  readonly format: Format | "auto";
  readonly backend: BackendChoice;
  /** Feed only the most recent `maxLen` items (default: the run's max_len). */
  readonly maxLen?: number;
  /** Keep or remove the users' seen items (default: the run's eval { exclude_seen }). */
  readonly seen?: "keep" | "exclude";
  /** Notices (stderr in the CLI). */
  readonly log: ProgressStream;
}

export interface EvalOutcome {
  readonly model: string;
  readonly dataset: string;
  readonly maxLen: number;
  /** The max_len the run was trained with. */
  readonly trainedLen: number;
  readonly excludeSeen: boolean;
  /** The run's spec's own setting. */
  readonly specExcludeSeen: boolean;
  /** The spec's metrics, in its order. */
  readonly metrics: readonly string[];
  readonly valid: MetricValues;
  readonly test: MetricValues;
  /** The test figures the run recorded when it finished. */
  readonly recordedTest: MetricValues;
  /** How much of the top K the users' seen items take, at each K of the metrics. */
  readonly seenInTop: SeenInTopSplits;
  /** The test seen-items figures the run recorded (absent in runs from before they were measured). */
  readonly recordedSeenInTop?: SeenInTopFigures;
  /** Each case's rank under this scoring, in case order (for paired tests against another run). */
  readonly ranks: { readonly valid: Int32Array; readonly test: Int32Array };
}

export const evalRun = async (o: EvalRunOptions): Promise<EvalOutcome> => {
  const restored = await openRun(o.runDir, "reccompile eval", (text) => o.log.write(text));
  const source: DataSource = o.data === undefined ? restored.source : { kind: "file", path: o.data, format: o.format };
  const cfg = restored.module.config;
  const trainedLen = cfg.data.maxLen;
  const maxLen = o.maxLen ?? trainedLen;
  // A learned positional table bounds the input length: applyOverrides names the spec line that does.
  applyOverrides(restored.spec, { maxLen });
  const data = prepareData(source, { ...cfg.data, maxLen });
  if (data.split.numItems !== restored.idMaps.items.length - 1) {
    throw new UserError(`the data has ${data.split.numItems} items but the run was trained on ${restored.idMaps.items.length - 1}; pass the run's data with --data`);
  }
  const log = (line: string): void => { o.log.write(`${line}\n`); };
  await initBackend(o.backend, log);
  await setKernelImpl("auto", log);
  const model = restoreModel(restored, maxLen);
  const excludeSeen = o.seen === undefined ? cfg.eval.excludeSeen : o.seen === "exclude";
  const { valid, test } = await scoreSplit(scorerOf(model, data.split), data.split, { metrics: cfg.eval.metrics, excludeSeen });
  if ("params" in model) model.dispose();
  return {
    model: restored.metrics.model, dataset: data.name, maxLen, trainedLen, excludeSeen, specExcludeSeen: cfg.eval.excludeSeen,
    metrics: cfg.eval.metrics.map(metricKey), valid: valid.metrics, test: test.metrics, recordedTest: restored.metrics.test,
    seenInTop: { valid: seenInTopFigures(valid.seenInTop), test: seenInTopFigures(test.seenInTop) },
    ...(restored.metrics.seen_in_top === undefined ? {} : { recordedSeenInTop: restored.metrics.seen_in_top.test }),
    ranks: { valid: valid.ranks, test: test.ranks },
  };
};
