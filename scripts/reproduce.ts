/**
 * `npm run reproduce -- <dataset> [--data PATH] [--models a,b] [--epochs N] [--out DIR] [--report-only]
 *   [--executor local|slurm [--slurm-partition P] [--slurm-time T] [--slurm-cpus-per-task N] [--slurm-mem M]
 *   [--slurm-gpus G] [--slurm-extra 'FLAGS'] [--detach] [--retries N]] [--jobs N]`
 *
 * Trains the paper's comparison from the shipped specs (`--models` picks some, in that order), one
 * run folder per model under runs/reproduce/<dataset>/ (resumable: finished runs are read back,
 * interrupted ones resumed), then writes docs/results/<dataset>.json and docs/results.md covering
 * every model that has a run folder. A finished model whose folder is not on this machine keeps the
 * row the previous results file recorded for it, marked as carried over (src/app/study/carry.ts).
 * The runs go through the study runner (src/app/study/): locally one at a time, stopping at the
 * first that fails, their progress streaming to this process's stderr, or with `--jobs N` N at a
 * time sharing the cores (two one-core runs side by side train faster than one on two cores on a
 * 2-core machine: bench/share.ts, docs/cluster.md), each run's output in `<out>/<model>.log` and
 * every run tried before a failure is reported; with `--executor slurm` all
 * at once as one Slurm job array (docs/cluster.md), reported when every run has ended (`--detach`
 * submits and returns; the same command later collects them).
 * `--report-only` trains nothing (and needs no data): it reports finished runs, and unfinished ones
 * as far as their last checkpoint got (epochs, best validation so far; no test figures).
 * docs/results.md opens with the paper's table, ML-1M and Video Games side by side, read from both
 * datasets' results files: reproducing either dataset rewrites it.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { mergeResults, timedWith } from "../src/app/study/carry.js";
import { EXECUTORS, studyRunner, type Executor, type ExecutorChoice } from "../src/app/study/executor.js";
import { localRunner } from "../src/app/study/local.js";
import { withStudyLock } from "../src/app/study/study_lock.js";
import { compareRanks, parseMetric } from "../src/eval/metrics.js";
import { writeFileAtomic, writeJsonAtomic } from "../src/util/fs.js";
import { f4, pct, signed } from "../src/util/format.js";
import { median } from "../src/util/median.js";

interface Job { readonly key: string; readonly spec: string; readonly seed?: number }

/**
 * Measured sections kept beside the generated table (docs/results/<dataset>-notes.md: runs that are
 * not reproduce jobs, such as the seen-aware output's pairs from scripts/seen-table.ts), appended
 * verbatim to docs/results.md so that regenerating the page keeps them.
 */
const notesFile = (dataset: string): string => join("docs", "results", `${dataset}-notes.md`);

const JOBS: readonly Job[] = [
  { key: "pop", spec: "specs/pop.rec" },
  { key: "gru4rec", spec: "specs/gru4rec.rec" },
  { key: "sasrec", spec: "specs/sasrec.rec" },
  { key: "mamba4rec", spec: "specs/mamba4rec.rec" },
  { key: "mamba4rec-tuned", spec: "specs/mamba4rec-tuned.rec" },
  { key: "mamba4rec-seed2", spec: "specs/mamba4rec.rec", seed: 2021 },
  { key: "mamba4rec-tuned-seed2", spec: "specs/mamba4rec-tuned.rec", seed: 2021 },
  { key: "sasrec-tuned", spec: "specs/sasrec-tuned.rec" },
  { key: "sasrec-tuned-seed2", spec: "specs/sasrec-tuned.rec", seed: 2021 },
  { key: "narm", spec: "specs/narm.rec" },
  { key: "caser", spec: "specs/caser.rec" },
  { key: "bert4rec", spec: "specs/bert4rec.rec" },
  // Issue 29's second seed, and the seen-aware output (not the paper's configuration) on the official
  // and the tuned spec, each against the same spec without it at the same seed.
  { key: "sasrec-seed2", spec: "specs/sasrec.rec", seed: 2021 },
  { key: "mamba4rec-seen", spec: "specs/mamba4rec-seen.rec" },
  { key: "mamba4rec-seen-seed2", spec: "specs/mamba4rec-seen.rec", seed: 2021 },
  { key: "mamba4rec-tuned-seen", spec: "specs/mamba4rec-tuned-seen.rec" },
  { key: "mamba4rec-tuned-seen-seed2", spec: "specs/mamba4rec-tuned-seen.rec", seed: 2021 },
];

/** Models that add the seen-aware output (`output tied(seen: …)`), which the paper's models do not have. */
const SEEN_AWARE = new Set(["mamba4rec-seen", "mamba4rec-seen-seed2", "mamba4rec-tuned-seen", "mamba4rec-tuned-seen-seed2"]);

/** Each dataset's file, and the max_len every run gets when the paper's configuration sets one (Amazon: 50). */
const DATASETS: Readonly<Record<string, { readonly path: string; readonly maxLen?: number }>> = {
  "ml-1m": { path: "../shared/data/ml-1m/ml-1m.txt" },
  "ml-100k": { path: "../shared/data/ml-100k/u.data" },
  "video-games": { path: "../shared/data/video-games/Video_Games.txt", maxLen: 50 },
};

/**
 * The results page of a dataset: ML-1M's is docs/results.md (the paper's main table), any other
 * dataset's docs/results/<dataset>.md; `up` leads from the page back to docs/.
 */
const resultsPage = (dataset: string): { readonly file: string; readonly up: string; readonly results: string } =>
  dataset === "ml-1m" ? { file: join("docs", "results.md"), up: "", results: "results/" } : { file: join("docs", "results", `${dataset}.md`), up: "../", results: "" };

/** Figures the Mamba4Rec paper reports on ML-1M (its Table 2; SASRec's HR@10 from the same table). */
const PAPER: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  mamba4rec: { "hr@10": 0.3121, "ndcg@10": 0.1822, "mrr@10": 0.1425 },
  sasrec: { "hr@10": 0.2977 },
};

const METRICS = ["hr@10", "ndcg@10", "mrr@10", "hr@20", "ndcg@20"] as const;

/** Paired tests over users: each model against the official configuration trained with the same seed. */
const PAIRS: readonly (readonly [model: string, reference: string])[] = [
  ["mamba4rec-tuned", "mamba4rec"],
  ["mamba4rec-tuned-seed2", "mamba4rec-seed2"],
  ["sasrec-tuned", "sasrec"],
  ["sasrec", "mamba4rec"],
  ["gru4rec", "mamba4rec"],
  ["narm", "mamba4rec"],
  ["caser", "mamba4rec"],
  ["bert4rec", "mamba4rec"],
  ["sasrec-seed2", "mamba4rec-seed2"],
  ["mamba4rec-seen", "mamba4rec"],
  ["mamba4rec-seen-seed2", "mamba4rec-seed2"],
  ["mamba4rec-tuned-seen", "mamba4rec-tuned"],
  ["mamba4rec-tuned-seen-seed2", "mamba4rec-tuned-seed2"],
];
const PAIRED_METRICS = ["hr@10", "ndcg@10", "mrr@10"] as const;

interface PairedRow {
  readonly model: string; readonly reference: string; readonly metric: string; readonly users: number;
  readonly value: number; readonly base: number; readonly delta: number; readonly p_ttest: number; readonly p_wilcoxon: number;
  readonly carried_from?: string;
  /** The reference has been trained again since this test: the date of the reference run it compared against. */
  readonly reference_from?: string;
}

const pCell = (p: number): string => (!Number.isFinite(p) ? "n/a" : p < 1e-4 ? "<1e-4" : p.toFixed(4));

/** Test-split paired tests for the PAIRS whose two run folders have finished (ranks.json). */
const pairedTests = (root: string): PairedRow[] => {
  const ranksOf = (key: string): { test: number[] } | null => {
    const f = join(root, key, "ranks.json");
    return existsSync(join(root, key, "metrics.json")) && existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as { test: number[] }) : null;
  };
  return PAIRS.flatMap(([model, reference]) => {
    const a = ranksOf(model), b = ranksOf(reference);
    if (!a || !b || a.test.length !== b.test.length) return [];
    return PAIRED_METRICS.map((metric) => {
      const c = compareRanks(parseMetric(metric)!, a.test, b.test);
      return { model, reference, metric, users: c.n, value: c.a, base: c.b, delta: c.a - c.b, p_ttest: c.pT, p_wilcoxon: c.pWilcoxon };
    });
  });
};

interface RunMetrics {
  readonly epochs: number; readonly best_epoch: number | null; readonly seconds: number; readonly tokens_per_s: number;
  readonly peak_rss_mb: number; readonly seed: number; readonly valid: Record<string, number>; readonly test: Record<string, number>;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/**
 * Trains the jobs that have not finished, continuing an interrupted one from its checkpoint:
 * locally in order, the first that fails stopping the reproduction, or `parallel` at a time, every
 * one tried and the failures reported together; on Slurm all at once.
 */
const trainAll = async (jobs: readonly Job[], data: string, maxLen: number | undefined, root: string, epochs: string | undefined, choice: ExecutorChoice, parallel: number): Promise<boolean> => {
  const common = { data, ...(maxLen !== undefined ? { maxLen } : {}) };
  const list = jobs.map((job) => ({ id: job.key, specFile: job.spec, flags: { ...common, ...(job.seed !== undefined ? { seed: job.seed } : {}), ...(epochs !== undefined ? { epochs: Number(epochs) } : {}) } }));
  if (choice.executor === "slurm") {
    const results = await studyRunner("npm run reproduce", choice).run(list, root, {
      jobs: list.length,
      resumeUnfinished: true,
      onDone: (r) => process.stderr.write(`== ${r.id}: ${r.status}${r.error ? `: ${r.error}` : ""}\n`),
    });
    const queued = results.filter((r) => r.status === "queued");
    if (queued.length > 0) {
      process.stderr.write(`${queued.length} run(s) queued or running on Slurm; run the same command again to collect them and write the report\n`);
      return false;
    }
    const failed = results.filter((r) => r.status === "failed");
    if (failed.length > 0) throw new Error(failed.map((r) => `${r.id} failed: ${r.error ?? ""}`).join("\n"));
    return true;
  }
  studyRunner("npm run reproduce", choice);
  if (parallel > 1) {
    // Side by side: the local runner shares the cores between the runs in progress (REC_THREADS
    // unset) and gives a finished run's cores to the others; each run's output goes to its log.
    const results = await localRunner().run(list, root, {
      jobs: parallel,
      resumeUnfinished: true,
      onStart: (j, args) => process.stderr.write(`== ${j.id}: reccompile ${args.join(" ")} (log: ${join(root, `${j.id}.log`)})\n`),
      onDone: (r) => process.stderr.write(`== ${r.id}: ${r.status}${r.status === "done" ? ` (${(r.seconds / 60).toFixed(1)} min)` : ""}\n`),
    });
    const failed = results.filter((r) => r.status === "failed");
    if (failed.length > 0) throw new Error(failed.map((r) => `${r.id} failed: ${r.error ?? ""}`).join("\n"));
    return true;
  }
  const runner = localRunner({ output: "inherit" });
  for (const job of list) {
    const [r] = await runner.run([job], root, {
      jobs: 1,
      resumeUnfinished: true,
      onStart: (j, args) => process.stderr.write(`== ${j.id}: reccompile ${args.join(" ")}\n`),
    });
    if (r!.status === "failed") throw new Error(`${job.id} exited with ${r!.exitCode ?? r!.error}`);
  }
  return true;
};

/** `--jobs N`: local runs at a time (default 1). */
const parallelJobs = (choice: ExecutorChoice): number => {
  const jobs = arg("jobs");
  if (jobs === undefined) return 1;
  if (!/^[1-9]\d*$/.test(jobs)) throw new Error(`--jobs must be a positive integer, got '${jobs}'`);
  if (choice.executor === "slurm") throw new Error("--jobs applies to the local executor: with --executor slurm every run is queued at once, and Slurm decides how many run together");
  return Number(jobs);
};

/** The executor flags (as `reccompile ablate` takes them). */
const executorChoice = (): ExecutorChoice => {
  const executor = arg("executor") ?? "local";
  if (!(EXECUTORS as readonly string[]).includes(executor)) throw new Error(`--executor must be one of ${EXECUTORS.join(", ")}, got '${executor}'`);
  const cpus = arg("slurm-cpus-per-task");
  const retries = arg("retries");
  if (cpus !== undefined && !/^[1-9]\d*$/.test(cpus)) throw new Error(`--slurm-cpus-per-task must be a positive integer, got '${cpus}'`);
  if (retries !== undefined && !/^\d+$/.test(retries)) throw new Error(`--retries must be an integer >= 0, got '${retries}'`);
  return {
    executor: executor as Executor,
    slurm: {
      partition: arg("slurm-partition"), time: arg("slurm-time"), cpusPerTask: cpus === undefined ? undefined : Number(cpus),
      mem: arg("slurm-mem"), gpus: arg("slurm-gpus"), extra: arg("slurm-extra"),
    },
    detach: process.argv.includes("--detach"),
    retries: retries === undefined ? undefined : Number(retries),
    origin: ["npm run reproduce --", ...process.argv.slice(2)].join(" "),
  };
};

/** One model's row of a results file (docs/results/<dataset>.json). */
type Row = Partial<RunMetrics> & {
  status: "finished" | "unfinished"; epochs: number; seconds_per_epoch: number | null; minutes_to_best?: number | null;
  /** Median seconds of an epoch's training steps, validation excluded (absent for runs from before history.json recorded it). */
  train_seconds_per_epoch?: number | null;
  /**
   * Kernel threads the run trained on: the fewest of its epochs (history.json records each epoch's
   * count), else, for runs from before that was recorded, REC_THREADS or every core from its
   * environment.json.
   */
  threads: number | null;
  /** The most threads an epoch had, when more than `threads`: a run of `--jobs N` is given more cores when another ends. */
  threads_max?: number;
  spec: string; command: string;
  /** Set on a row carried over from the previous results file (src/app/study/carry.ts). */
  carried_from?: string;
  /** On a carried row: this machine's run of the model, not finished yet (it replaces the row when it is). */
  rerun?: Row;
};

interface ResultsFile { readonly dataset: string; readonly date: string; readonly models: Record<string, Row>; readonly paired?: PairedRow[] }

const resultsFileOf = (dataset: string): string => join("docs", "results", `${dataset}.json`);
const readResults = (dataset: string): ResultsFile | null =>
  existsSync(resultsFileOf(dataset)) ? (JSON.parse(readFileSync(resultsFileOf(dataset), "utf8")) as ResultsFile) : null;

const fmt = (x: number | undefined): string => (x === undefined ? "–" : x.toFixed(4));

/** A row's threads: the count, or the fewest to the most when its epochs had different counts. */
const threadsCell = (r: Row): string => (r.threads === null || r.threads === undefined ? "–" : `${r.threads}${r.threads_max !== undefined ? `–${r.threads_max}` : ""}`);

const medianOrNull = (xs: readonly number[]): number | null => (xs.length === 0 ? null : median(xs));

interface CheckpointView { readonly epoch: number; readonly best: { value: number; epoch: number } | null; readonly history: { seconds: number; valid: Record<string, number> | null; threads?: number }[] }

const main = async (): Promise<void> => {
  const dataset = process.argv[2];
  if (dataset === undefined || dataset.startsWith("--")) throw new Error("usage: npm run reproduce -- <dataset> [--data PATH] [--models a,b] [--epochs N]");
  const data = resolve(arg("data") ?? DATASETS[dataset]?.path ?? "");
  const maxLen = DATASETS[dataset]?.maxLen;
  const reportOnly = process.argv.includes("--report-only");
  // --report-only trains nothing, so it needs the runs, not the data.
  if (!reportOnly && !existsSync(data)) throw new Error(`no data for '${dataset}' at ${data}; pass --data PATH`);
  const wanted = arg("models")?.split(",");
  for (const w of wanted ?? []) if (!JOBS.some((j) => j.key === w)) throw new Error(`unknown model '${w}' (known: ${JOBS.map((j) => j.key).join(", ")})`);
  // --models picks which to train, in that order; the report covers every model with a run folder.
  const toRun = (wanted ? wanted.map((w) => JOBS.find((j) => j.key === w)!) : JOBS).filter((j) => existsSync(j.spec));
  const root = resolve(arg("out") ?? join("runs", "reproduce", dataset));
  mkdirSync(root, { recursive: true });
  const fresh: Record<string, Row> = {};
  // One controller at a time: a second command training into the same folder would submit every run again.
  const train = (choice: ExecutorChoice, parallel: number): Promise<boolean> => withStudyLock(root, "npm run reproduce", { notice: (l) => process.stderr.write(`note: ${l}\n`) },
    () => trainAll(toRun, data, maxLen, root, arg("epochs"), choice, parallel));
  if (!reportOnly) {
    const choice = executorChoice();
    if (!(await train(choice, parallelJobs(choice)))) return;
  }
  const threadsOfEnvironment = (dir: string): number | null => {
    const f = join(dir, "environment.json");
    if (!existsSync(f)) return null;
    const e = JSON.parse(readFileSync(f, "utf8")) as { cores?: number; env?: Record<string, string> };
    const t = Number(e.env?.["REC_THREADS"]);
    return Number.isInteger(t) && t > 0 ? t : e.cores ?? null;
  };
  /** The fewest and the most threads of the recorded epochs, else the environment's count. */
  const threadsOf = (dir: string, history: readonly { threads?: number }[]): Pick<Row, "threads" | "threads_max"> => {
    const counts = history.flatMap((e) => (e.threads === undefined ? [] : [e.threads]));
    if (counts.length > 0) {
      const [lo, hi] = [Math.min(...counts), Math.max(...counts)];
      return { threads: lo, ...(hi > lo ? { threads_max: hi } : {}) };
    }
    return { threads: threadsOfEnvironment(dir) };
  };
  for (const job of JOBS) {
    const dir = join(root, job.key);
    const command = `reccompile run ${job.spec} --data ${DATASETS[dataset]?.path ?? data}${maxLen !== undefined ? ` --max-len ${maxLen}` : ""}${job.seed !== undefined ? ` --seed ${job.seed}` : ""}${arg("epochs") ? ` --epochs ${arg("epochs")}` : ""}`;
    if (existsSync(join(dir, "metrics.json"))) {
      const m = JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8")) as RunMetrics;
      const history = JSON.parse(readFileSync(join(dir, "history.json"), "utf8")) as { seconds: number; train_seconds?: number; threads?: number }[];
      const toBest = m.best_epoch === null ? null : history.slice(0, m.best_epoch).reduce((t, e) => t + e.seconds, 0) / 60;
      const trainSeconds = history.every((e) => e.train_seconds !== undefined) ? medianOrNull(history.map((e) => e.train_seconds!)) : null;
      fresh[job.key] = {
        ...m, status: "finished", seconds_per_epoch: medianOrNull(history.map((e) => e.seconds)), ...(trainSeconds !== null ? { train_seconds_per_epoch: trainSeconds } : {}),
        minutes_to_best: toBest, ...threadsOf(dir, history), spec: job.spec, command,
      };
    } else if (existsSync(join(dir, "checkpoint.json"))) {
      const c = JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8")) as CheckpointView;
      const best = c.best ? c.history[c.best.epoch - 1]?.valid ?? undefined : undefined;
      fresh[job.key] = {
        status: "unfinished", epochs: c.epoch, best_epoch: c.best?.epoch ?? null, ...(best ? { valid: best } : {}),
        seconds_per_epoch: medianOrNull(c.history.map((e) => e.seconds)), ...threadsOf(dir, c.history), spec: job.spec, command,
      };
    }
  }
  mkdirSync(join("docs", "results"), { recursive: true });
  const resultsFile = resultsFileOf(dataset);
  const previous = readResults(dataset);
  const { models: results, paired } = mergeResults(JOBS.map((j) => j.key), fresh, pairedTests(root), previous, PAIRS);
  for (const [k, r] of Object.entries(results)) {
    if (r.rerun !== undefined) process.stderr.write(`${k}: its run here has not finished (${r.rerun.epochs} epochs); the row carried over from ${r.carried_from} stays until it does\n`);
    else if (r.carried_from !== undefined) process.stderr.write(`${k}: no run folder here; its row is carried over from ${r.carried_from}\n`);
  }
  writeJsonAtomic(resultsFile, { dataset, date: new Date().toISOString(), models: results, paired });
  process.stderr.write(`wrote ${resultsFile}\n`);

  writePage(dataset);
  // The paper's table on docs/results.md reads every paper dataset's results file: refresh it too.
  if (dataset !== "ml-1m" && PAPER_DATASETS.includes(dataset) && existsSync(resultsFileOf("ml-1m"))) writePage("ml-1m");
};


/** The paper's datasets, in the order of its table; docs/results.md opens with their side-by-side table. */
const PAPER_DATASETS: readonly string[] = ["ml-1m", "video-games"];

/**
 * The rows of that table: the paper's models at their RecBole-default configurations (our specs),
 * in the paper's order, then configurations the paper does not have (`ours`).
 */
const PAPER_ROWS: readonly { readonly key: string; readonly label: string; readonly ours?: true }[] = [
  { key: "pop", label: "Pop" },
  { key: "caser", label: "Caser" },
  { key: "narm", label: "NARM" },
  { key: "gru4rec", label: "GRU4Rec" },
  { key: "sasrec", label: "SASRec" },
  { key: "bert4rec", label: "BERT4Rec" },
  { key: "mamba4rec", label: "Mamba4Rec" },
  { key: "mamba4rec-tuned", label: "Mamba4Rec, tuned on ML-1M (ours)", ours: true },
  { key: "sasrec-tuned", label: "SASRec, tuned on ML-1M (ours)", ours: true },
  { key: "mamba4rec-seen", label: "Mamba4Rec + seen-aware output (ours)", ours: true },
  { key: "mamba4rec-tuned-seen", label: "Mamba4Rec, tuned on ML-1M, + seen-aware output (ours)", ours: true },
];

const TABLE_METRICS = ["hr@10", "ndcg@10", "mrr@10"] as const;

/**
 * The paper's comparison on every paper dataset that has a results file: each model's test
 * HR@10, NDCG@10 and MRR@10 side by side, the best of the paper's models per column in bold, and a
 * star where the paired t-test over users against Mamba4Rec (same seed) gives p < 0.05.
 */
const paperTable = (): string => {
  const files = PAPER_DATASETS.map((d) => ({ dataset: d, file: readResults(d) })).filter((x): x is { dataset: string; file: ResultsFile } => x.file !== null);
  if (files.length === 0) return "";
  const best = new Map<string, number>();
  for (const { dataset, file } of files) {
    for (const metric of TABLE_METRICS) {
      const values = PAPER_ROWS.filter((r) => !r.ours).map((r) => file.models[r.key]).filter((r) => r?.status === "finished").map((r) => r!.test?.[metric] ?? -1);
      if (values.length > 0) best.set(`${dataset} ${metric}`, Math.max(...values));
    }
  }
  const cell = (dataset: string, file: ResultsFile, key: string, ours: boolean, metric: string): string => {
    const r = file.models[key];
    if (r === undefined) return "–";
    if (r.status !== "finished") return metric === TABLE_METRICS[0] ? `(unfinished, ${r.epochs} epochs)` : "–";
    const v = r.test?.[metric];
    if (v === undefined) return "–";
    // Only a test against the Mamba4Rec run this table shows.
    const pair = file.paired?.find((p) => p.model === key && p.reference === "mamba4rec" && p.metric === metric && p.reference_from === undefined);
    const text = `${f4(v)}${pair !== undefined && pair.p_ttest < 0.05 ? "*" : ""}${r.carried_from !== undefined ? " †" : ""}`;
    return !ours && best.get(`${dataset} ${metric}`) === v ? `**${text}**` : text;
  };
  const rows = PAPER_ROWS.filter((r) => files.some(({ file }) => file.models[r.key] !== undefined)).map((r) =>
    `| ${r.label} | ${files.map(({ dataset, file }) => TABLE_METRICS.map((m) => cell(dataset, file, r.key, r.ours === true, m)).join(" | ")).join(" | ")} |`);
  const paper = Object.entries(PAPER).map(([k, p]) =>
    `| ${PAPER_ROWS.find((r) => r.key === k)?.label ?? k} (the paper) | ${files.map(({ dataset }) => TABLE_METRICS.map((m) => (dataset === "ml-1m" ? fmt(p[m]) : "–")).join(" | ")).join(" | ")} |`);
  const name = (d: string): string => (d === "ml-1m" ? "MovieLens-1M" : d === "video-games" ? "Amazon Video Games" : d);
  const short = (d: string): string => (d === "ml-1m" ? "ML-1M" : d === "video-games" ? "Video Games" : d);
  return `
## The paper's comparison

Test figures on ${files.map((f) => name(f.dataset)).join(" and ")}: leave-one-out, full ranking over all items, seen
items kept (the paper's protocol), the epoch with the best validation NDCG@10. Each of the paper's
models runs at its RecBole-default configuration (its spec in specs/)${files.some((f) => DATASETS[f.dataset]?.maxLen !== undefined) ? ", with max_len 50 on Video Games as the paper's Amazon configuration" : ""}; seed 2020.
Bold: the best of the paper's models in the column. *: differs from Mamba4Rec trained with the same
seed at p < 0.05 (paired t-test over users; both tests and their p-values are in each dataset's
section). †: carried over from an earlier machine (below). The rows marked "ours" are
configurations the paper does not have. Seconds per epoch, memory and the paired tests:
${files.map((f) => (f.dataset === "ml-1m" ? "ML-1M below" : `[${name(f.dataset)}](results/${f.dataset}.md)`)).join(", ")}. The paper's own figures are given where this
repository records them (its ML-1M Mamba4Rec row and SASRec's HR@10).

| model | ${files.map((f) => TABLE_METRICS.map((m) => `${short(f.dataset)} ${m.toUpperCase()}`).join(" | ")).join(" | ")} |
|---|${files.map(() => TABLE_METRICS.map(() => "---").join("|")).join("|")}|
${[...rows, ...paper].join("\n")}

## ML-1M in detail
`;
};

/**
 * Writes a dataset's page (docs/results.md for ML-1M, else docs/results/<dataset>.md) from its
 * results file alone, so that any dataset's reproduction can refresh the pages that read it.
 */
const writePage = (dataset: string): void => {
  const file = readResults(dataset);
  if (file === null) return;
  const results = file.models, paired = file.paired ?? [];
  const maxLen = DATASETS[dataset]?.maxLen;
  const carried = Object.values(results).some((r) => r.carried_from !== undefined);
  const rows = Object.entries(results).map(([k, r]) =>
    `| ${k}${r.status === "unfinished" ? " (unfinished)" : ""}${r.carried_from !== undefined ? " †" : ""}${r.rerun !== undefined ? ` (rerun here: ${r.rerun.epochs} epochs so far)` : ""} | ${METRICS.map((m) => fmt(r.test?.[m])).join(" | ")} | ${fmt(r.valid?.["ndcg@10"])} | ${r.best_epoch ?? "–"}/${r.epochs} | ${r.minutes_to_best?.toFixed(1) ?? "–"} | ${r.seconds_per_epoch?.toFixed(1) ?? "–"} | ${threadsCell(r)} | ${r.peak_rss_mb ?? "–"} | ${r.seed ?? "–"} |`);
  const page = resultsPage(dataset);
  const paper = dataset !== "ml-1m" ? [] : Object.entries(PAPER).map(([k, p]) => `| ${k} (paper) | ${METRICS.map((m) => fmt(p[m])).join(" | ")} | | | | | | | |`);
  const m = results["mamba4rec"], s = results["sasrec"];
  // Every model at its spec's configuration against SASRec, as the paper's efficiency table (its ratios from an A5000).
  const PAPER_EFFICIENCY: Readonly<Record<string, { time: number; memory: number }>> = { mamba4rec: { time: 0.58, memory: 0.32 }, bert4rec: { time: 207.6 / 131.2, memory: 15.48 / 14.98 } };
  // Finished runs only: an unfinished run's epochs so far may have shared the machine differently.
  // And only runs timed where SASRec's was: a row carried from another date ran on another machine.
  const timed = ["gru4rec", "narm", "caser", "sasrec", "bert4rec", "mamba4rec"].filter((k) => results[k]?.status === "finished" && results[k]!.seconds_per_epoch);
  const { same: effKeys, elsewhere } = timedWith(results, timed, "sasrec");
  // The paper times training epochs: the training steps alone where every compared run recorded them, else whole epochs.
  const trainOnly = effKeys.every((k) => results[k]!.train_seconds_per_epoch != null);
  const perEpoch = (r: Row): number => (trainOnly ? r.train_seconds_per_epoch! : r.seconds_per_epoch!);
  const effRows = s?.status === "finished" && effKeys.includes("sasrec")
    ? effKeys.map((k) => {
      const r = results[k]!;
      const p = PAPER_EFFICIENCY[k];
      const mem = r.peak_rss_mb && s.peak_rss_mb ? `${r.peak_rss_mb} | ${(r.peak_rss_mb / s.peak_rss_mb).toFixed(2)}` : "– | –";
      return `| ${k} | ${perEpoch(r).toFixed(1)} | ${(perEpoch(r) / perEpoch(s)).toFixed(2)} | ${mem} | ${p ? `${p.time.toFixed(2)} / ${p.memory.toFixed(2)}` : "–"} | ${threadsCell(r)} |`;
    })
    : [];
  const efficiency = effRows.length > 1
    ? `\n## Efficiency against SASRec (max_len ${maxLen ?? 200}, this machine)\n\n${trainOnly ? "Seconds of an epoch's training steps (median over epochs, validation excluded, as the paper times an epoch)" : "Seconds per epoch (median over epochs, validation included: not every run recorded its training steps alone)"} and peak memory (RSS) of each finished run, and their ratios to SASRec's; the paper's ratios (time / GPU memory, an A5000) where it gives them. Runs on fewer threads, or sharing the machine, are slower than their ratio suggests: the threads column says.${elsewhere.length === 0 ? "" : ` Left out, as timed elsewhere than SASRec's run: ${elsewhere.map((k) => `${k} (${results[k]!.carried_from !== undefined ? `its run of ${results[k]!.carried_from}` : "run here"})`).join(", ")}.`}\n\n| model | ${trainOnly ? "train s/epoch" : "s/epoch"} | ratio | peak MB | ratio | paper ratios | threads |\n|---|---|---|---|---|---|---|\n${effRows.join("\n")}\n`
    : "";
  const gpu = dataset === "ml-1m" ? gpuEfficiency(m?.seconds_per_epoch ?? null) : "";
  const pairedText = paired.length === 0 ? "" : `
## Paired tests over users (test split)

Each model against the official configuration trained with the same seed, on the per-user metric
values of their test ranks (runs/reproduce/${dataset}/<model>/ranks.json): the change, and the
two-sided p-values of a paired t-test and of a Wilcoxon signed-rank test over the ${paired[0]!.users} users.${paired.some((r) => r.reference_from !== undefined) ? `
A carried test whose reference has been trained again since compares against the reference's
earlier run, named by its date ("its run of …"); its value and change are that comparison's.` : ""}

| model | against | metric | value | change | p (t-test) | p (Wilcoxon) |
|---|---|---|---|---|---|---|
${paired.map((r) => `| ${r.model}${r.carried_from !== undefined ? " †" : ""} | ${r.reference}${r.reference_from !== undefined ? ` (its run of ${r.reference_from})` : ""} | ${r.metric} | ${f4(r.value)} | ${signed(r.delta)} (${pct(r.base === 0 ? NaN : r.delta / r.base)}) | ${pCell(r.p_ttest)} | ${pCell(r.p_wilcoxon)} |`).join("\n")}
`;
  writeFileAtomic(page.file, `# Results${dataset === "ml-1m" ? "" : ` on ${dataset}`}
${dataset === "ml-1m" ? paperTable() : ""}
Leave-one-out, full ranking over all items, seen items not removed (the paper's protocol; see
DESIGN.md). Test metrics; the model is the epoch with the best validation NDCG@10. s/epoch is the
median over epochs (training and validation); "min to best" sums the epochs up to the best one;
"threads" is the native kernels' thread count (fewer than the machine's cores when two runs
shared it, so their times are not comparable with the others; a range when its epochs had different
counts: under \`--jobs\` a run is given the other's cores once that one has ended). An unfinished run shows how far its last
checkpoint got: its best validation NDCG@10 so far and no test figures.
Produced by \`npm run reproduce -- ${dataset}\` on ${file.date.slice(0, 10)}; raw figures in
[${page.results}${dataset}.json](${page.results}${dataset}.json), one run folder per model under runs/reproduce/${dataset}/.${carried ? `
Rows marked † are carried over: their run folders are not on the machine that wrote this page, so
they show the figures recorded when they ran (on the date in their \`carried_from\` field of the json).
A carried row whose model is being trained again here says how far that run has got; the run's own
figures replace the row once it finishes.` : ""}
${maxLen !== undefined ? `Every run has max_len ${maxLen} (\`--max-len ${maxLen}\`), the paper's configuration for this dataset.\n` : ""}How \`mamba4rec-tuned\` and \`sasrec-tuned\` were chosen, on validation only (on ML-1M): [tuning.md](${page.up}tuning.md).
${Object.keys(results).some((k) => SEEN_AWARE.has(k))
    ? `The rows whose name holds \`seen\` (${Object.keys(results).filter((k) => SEEN_AWARE.has(k)).map((k) => `\`${k}\``).join(", ")}) add the seen-aware output
(\`output tied(seen: recency)\`, language.md) to the spec without it, and are **not** the paper's configuration; every other row is.`
    : "Every row of this table is a configuration without the seen-aware output (`output tied(seen: …)`,\nlanguage.md)."} How much of each top 10 the users' seen items take, with and without it, is in
the section after the commands${existsSync(notesFile(dataset)) ? "" : " (none measured on this dataset yet)"}.

| model | HR@10 | NDCG@10 | MRR@10 | HR@20 | NDCG@20 | valid NDCG@10 | best/epochs | min to best | s/epoch | threads | peak MB | seed |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${[...rows, ...paper].join("\n")}
${pairedText}${efficiency}${gpu}
## Commands

${Object.entries(results).map(([k, r]) => `- ${k}: \`${r.command}\``).join("\n")}
${existsSync(notesFile(dataset)) ? `\n${readFileSync(notesFile(dataset), "utf8")}` : ""}`);
  process.stderr.write(`wrote ${page.file}\n`);
};

/**
 * The GPU efficiency table, from docs/results/efficiency-gpu.json (written by hand from a device
 * run of `bench/gpu/run.sh efficiency`; this machine has no GPU), or "" when there is none.
 */
const gpuEfficiency = (cpuSecondsPerEpoch: number | null): string => {
  const file = join("docs", "results", "efficiency-gpu.json");
  if (!existsSync(file)) return "";
  const e = JSON.parse(readFileSync(file, "utf8")) as {
    gpu: string; date: string; command: string; logs: string; backend: string; users: number; items: number; interactions: number; epochs: number;
    rows: Array<{ model: string; seconds_per_epoch: number; tokens_per_s: number; gpu_peak_mib: number | null }>;
    ratios: { time: number; gpu_memory: number | null };
  };
  const m = e.rows.find((r) => r.model === "mamba4rec"), s = e.rows.find((r) => r.model === "sasrec");
  if (!m || !s) return "";
  return `
## Efficiency on a GPU (${e.gpu}, ${e.backend} backend, ${e.date})

The same two specs through \`reccompile run --backend ${e.backend}\`, ${e.epochs} epoch${e.epochs > 1 ? "s" : ""} each, on synthetic
data of ML-1M's shape (${e.users} users, ${e.items} items, ${e.interactions} interactions; MovieLens may not travel to the
GPU machine). Command: \`${e.command}\`; logs in ${e.logs}. GPU memory is the peak of
\`nvidia-smi\`'s memory in use above the idle level, which counts the buffers tfjs-backend-webgpu keeps
pooled for reuse, not only live tensors (measured before the runtime capped that pool, gpu.md).${
  cpuSecondsPerEpoch !== null && m.seconds_per_epoch > cpuSecondsPerEpoch
    ? ` A Mamba4Rec epoch here is slower than on this 2-core CPU (${m.seconds_per_epoch.toFixed(1)} s against ${cpuSecondsPerEpoch.toFixed(1)} s): a
step of 2,048 targets (about a dozen sequences) is too little work to fill the GPU (Mamba4Rec ran at
${m.tokens_per_s} targets/s, against 76,348 for bench/gpu's steps of 256 sequences in gpu.md's run 5).`
    : ""}

| | Mamba4Rec | SASRec | ratio (paper, GPU) |
|---|---|---|---|
| seconds per epoch | ${m.seconds_per_epoch.toFixed(1)} | ${s.seconds_per_epoch.toFixed(1)} | ${e.ratios.time.toFixed(2)} (0.58) |
${m.gpu_peak_mib !== null && s.gpu_peak_mib !== null ? `| peak GPU memory (MiB) | ${m.gpu_peak_mib} | ${s.gpu_peak_mib} | ${(e.ratios.gpu_memory ?? m.gpu_peak_mib / s.gpu_peak_mib).toFixed(2)} (0.32) |\n` : ""}`;
};

main().catch((err: unknown) => {
  process.stderr.write(`reproduce: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
