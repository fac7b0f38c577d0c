/**
 * `reccompile data`: the data as a run would see it, before anything is trained: what was read,
 * what the spec's filters keep, the users' history lengths, the items' popularity, repeated items,
 * the leave-one-out split, and what one training epoch costs under the spec's `train` settings.
 */
import { isLeft } from "fp-ts/lib/Either.js";
import { resolve } from "node:path";
import { checkFileDetailed, defaultSections } from "../check/index.js";
import { detectFormat } from "../data/detect.js";
import { builtInData, prepareFrom, readSource, type DataSource } from "../data/prepare.js";
import { datasetStats, splitStats, type DatasetStats, type Distribution, type SplitStats, type TimeTies } from "../data/index.js";
import type { DataConfig, TrainConfig } from "../ir/spec.js";
import { epochStats } from "../runtime/batches.js";
import { UserError } from "../util/errors.js";
import type { DiagnosticSink } from "./diagnostics.js";
import type { Format } from "./options.js";
import { applyOverrides } from "./overrides.js";

export interface DescribeDataOptions {
  /** The data file (default: the built-in synthetic data). */
  readonly path?: string;
  readonly format: Format | "auto";
  /** Take the data and train settings from this spec (default: the language's defaults). */
  readonly specFile?: string;
  readonly maxLen?: number;
  readonly batch?: number;
  /** The spec's errors and warnings. */
  readonly diagnostics: DiagnosticSink;
}

export interface DataDescription {
  /** The report, one line each. */
  readonly lines: readonly string[];
  /** The figures, for `--json`. */
  readonly json: unknown;
}

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const pct = (x: number): string => `${(100 * x).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`;
const dist = (d: Distribution): string =>
  `min ${int(d.min)}, median ${int(d.median)}, mean ${d.mean.toFixed(1)}, 90th percentile ${int(d.p90)}, max ${int(d.max)}`;

/**
 * The data and train settings: the spec's (with --max-len applied as `run` applies it), or the
 * language's defaults without one. Null when the spec has errors (reported to `diagnostics`).
 */
const settings = (specFile: string | undefined, maxLen: number | undefined, diagnostics: DiagnosticSink): { data: DataConfig; train: TrainConfig | null; from: string } | null => {
  if (specFile === undefined) {
    const { data, train } = defaultSections();
    return { data: { ...data, maxLen: maxLen ?? data.maxLen }, train, from: "the language's defaults (no --spec)" };
  }
  const checked = checkFileDetailed(specFile);
  if (isLeft(checked.result)) {
    diagnostics(checked.result.left, checked.sources);
    return null;
  }
  diagnostics(checked.result.right.warnings, checked.sources);
  // A learned positional table bounds the input length: applyOverrides names the spec line that does.
  const spec = applyOverrides(checked.result.right.spec, { maxLen });
  return { data: spec.data, train: spec.model.kind === "sequence" ? spec.train : null, from: specFile };
};

/** How much of the order, and of the leave-one-out targets, the file's order decides rather than time. */
const tiesLine = (t: TimeTies, read: DatasetStats): string => {
  const key = t.order === "exact" ? "timestamp" : "timestamp rounded to float32";
  return `time ties (as read): ${pct(t.tiedWithPrevious / Math.max(1, read.interactions))} of the interactions share their ${key} with the user's previous one; ` +
    `for ${int(t.lastTied)} of ${int(read.users)} users the last item ties with the one before it, for ${int(t.secondToLastTied)} the second to last with a neighbour: ` +
    "file order, not time, picks those test and validation targets";
};

/** How many validation and test targets repeat an item of their history: whether a seen item in a top K can ever be right. */
const repeatTargetsLine = (s: SplitStats): string => {
  const of = (seen: number, cases: number, which: string): string => `${int(seen)} of ${int(cases)} ${which} targets (${pct(seen / Math.max(1, cases))})`;
  const figures = `repeat targets: ${of(s.validTargetsSeen, s.valid, "validation")} and ${of(s.testTargetsSeen, s.test, "test")} are already in their user's history`;
  return s.validTargetsSeen + s.testTargetsSeen === 0
    ? `${figures}, so a seen item in a top K is never the hit`
    : `${figures}: only for those can a seen item in a top K be the hit`;
};

const sizeRow = (label: string, s: DatasetStats): string =>
  `${label.padEnd(16)}${int(s.users).padStart(10)}${int(s.items).padStart(10)}${int(s.interactions).padStart(14)}`;

/** The figures and their report; null when the spec has errors (reported to `diagnostics`). */
export const describeData = (o: DescribeDataOptions): DataDescription | null => {
  const { path, format, maxLen, batch } = o;
  const found = settings(o.specFile, maxLen, o.diagnostics);
  if (found === null) return null;
  const cfg = found.data;
  if (batch !== undefined && found.train === null) throw new UserError(`reccompile data: --batch has no effect: ${found.from}'s model is not trained`);
  const source: DataSource = path === undefined ? builtInData : { kind: "file", path: resolve(path), format };
  const raw = readSource(source, cfg);
  const shownFormat = source.kind === "file" ? (format === "auto" ? `${detectFormat(source.path)}, detected` : format) : null;
  const data = prepareFrom(source, raw, cfg);
  const read = datasetStats(raw);
  const kept = datasetStats(data.dataset);
  const split = splitStats(data.split);
  const train = found.train === null ? null : { ...found.train, batch: batch ?? found.train.batch };
  const epoch = train === null ? null : epochStats(data.split.train, cfg.maxLen, train, train.seed);

  const filters = [cfg.minRating === null ? null : `min_rating ${cfg.minRating}`, cfg.kCore > 0 ? `k_core(${cfg.kCore})` : null, `min_seq_len ${cfg.minSeqLen}`]
    .filter((f) => f !== null).join(", ");
  const lines = [
    `${data.name}: ${source.kind === "file" ? `${path} (${shownFormat})` : "the built-in synthetic data"}; settings from ${found.from}`,
    `${"".padEnd(16)}${"users".padStart(10)}${"items".padStart(10)}${"interactions".padStart(14)}`,
    sizeRow("read", read),
    sizeRow("after filters", kept),
    `filters: ${filters}${data.warnings.length ? `: ${data.warnings.join("; ")}` : ": nothing removed"}`,
    ...(raw.ties === undefined ? [] : [tiesLine(raw.ties, read)]),
    ...(cfg.timeOrder === "float32" ? ["order: time_order float32: where the format has timestamps, each user's interactions by timestamp rounded to float32 (RecBole's order), ties in file order"] : []),
    `density: ${pct(kept.density)} of the user-item pairs`,
    `interactions per user: ${dist(kept.length)}`,
    `interactions per item: ${dist(kept.itemCount)}`,
    `popularity: the top 1% of items hold ${pct(kept.top1PctShare)} of the interactions; Gini ${kept.gini.toFixed(3)}`,
    kept.repeats === 0
      ? "repeats: none (no user comes back to an item, so every seen item in a ranking is a wasted slot)"
      : `repeats: ${int(kept.repeats)} interactions (${pct(kept.repeats / kept.interactions)}) return to an item the user had before, by ${int(kept.usersWithRepeats)} users`,
    repeatTargetsLine(split),
    `split ${cfg.split}, max_len ${cfg.maxLen}: ${int(split.trainTargets)} training targets, ${int(split.valid)} validation and ${int(split.test)} test cases; ` +
      `${int(split.testInputsCut)} test inputs cut to the most recent ${cfg.maxLen} items`,
  ];
  if (epoch !== null) {
    const rows = epoch.targets === "last" ? "prefixes" : `windows${epoch.minContext > 0 ? ` overlapping by ${epoch.minContext}` : ""}`;
    lines.push(
      `training epoch (targets ${epoch.targets}${epoch.targets === "all_positions" ? `, min_context ${epoch.minContext}` : epoch.targets === "masked" ? ` (ratio ${epoch.maskRatio}; targets expected)` : ""}, batch ${int(epoch.batch)}): ` +
        `${int(epoch.rows)} ${rows}, ${int(epoch.positions)} input positions (${(epoch.positions / epoch.trainTargets).toFixed(2)} per target; ` +
        `${int(epoch.paddedPositions)} padded), about ${int(epoch.steps)} steps`,
      `history per training target: ${epoch.meanContext.toFixed(1)} items on average (RecBole's prefixes: ${epoch.prefixMeanContext.toFixed(1)}); ` +
        `${pct(epoch.shortShare)} of the targets see less than their prefix would`,
    );
  } else lines.push("training epoch: none (the spec's model has no trained weights)");
  return {
    lines,
    json: {
      dataset: data.name, source: data.source, format: shownFormat === null ? null : shownFormat.replace(", detected", ""), settings: found.from,
      data: cfg, read, ties: raw.ties ?? null, kept, warnings: data.warnings, split, epoch,
    },
  };
};
