/**
 * The run folder: what a run writes and where. Each file is written atomically; `metrics.json` is
 * written last, so a folder without it is a run that did not finish (interrupted or failed: see
 * `status.json`), never one that looks complete.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { UserError } from "../util/errors.js";
import { LOCK_FILE } from "./run_lock.js";
import { writeJsonAtomic } from "../util/fs.js";
import { packageRoot } from "../util/paths.js";

export const RUN_FILES = {
  status: "status.json",
  spec: "spec.rec",
  generated: "model.ts",
  compiled: "model.mjs",
  environment: "environment.json",
  data: "data.json",
  checkpoint: "checkpoint.json",
  weights: "weights.json",
  history: "history.json",
  ranks: "ranks.json",
  report: "report.html",
  metrics: "metrics.json",
  /** A finished run's metrics.json, kept when `run --resume` trains it further. */
  previousMetrics: "metrics.previous.json",
} as const;

export type RunState = "running" | "complete" | "interrupted" | "failed";

export const writeStatus = (dir: string, state: RunState, message?: string): void =>
  writeJsonAtomic(join(dir, RUN_FILES.status), { state, time: new Date().toISOString(), ...(message ? { message } : {}) });

export const isComplete = (dir: string): boolean => existsSync(join(dir, RUN_FILES.metrics));

const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);

/** `runs/<model>-<yyyymmdd-hhmmss>` unless `out` names the folder. */
export const defaultRunDir = (model: string): string => join("runs", `${model.toLowerCase()}-${stamp(new Date())}`);

/** The limits a finished run stopped at, from its metrics.json. */
interface Finished {
  readonly epochs: number;
  readonly best_epoch: number | null;
}

/**
 * Whether a finished run can train further under the new limits: it stopped because it reached its
 * epochs or ran out of patience, so it continues only when `epochs` or `patience` (null: no early
 * stopping) now lets it. Returns the reason it cannot, or null when it can.
 */
export const cannotExtend = (out: string, f: Finished, epochs: number, patience: number | null): string | null => {
  if (f.epochs >= epochs) return `${out} holds a finished run of ${f.epochs} epochs; --resume trains it further only with more --epochs (now ${epochs})`;
  const stale = f.best_epoch === null ? 0 : f.epochs - f.best_epoch;
  if (patience !== null && stale >= patience) {
    return `${out} holds a finished run that early-stopped at epoch ${f.epochs} (best ${f.best_epoch}); --resume trains it further only with a --patience above ${stale} (now ${patience})`;
  }
  return null;
};

/**
 * Makes (or, with `resume`, reopens) the run folder and checks that it can be written. A finished
 * run is never overwritten; a non-empty folder is only reused to resume. Resuming a finished run
 * trains it further when `limits` (the resumed spec's epochs and patience) let it: its metrics.json
 * is kept as metrics.previous.json, so the folder reads as unfinished until the new training ends.
 */
export const openRunDir = (out: string, resume: boolean, limits?: { readonly epochs: number; readonly patience: number | null }): string => {
  const dir = resolve(out);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`--out ${out} exists and is not a folder`);
    if (isComplete(dir)) {
      if (!resume || !limits) throw new UserError(`${out} holds a finished run (metrics.json); choose another --out, or score it with \`reccompile eval ${out}\``);
      if (!existsSync(join(dir, RUN_FILES.checkpoint))) throw new UserError(`--resume: ${out} holds a finished run without ${RUN_FILES.checkpoint}, so it cannot train further`);
      let finished: Finished;
      try {
        finished = JSON.parse(readFileSync(join(dir, RUN_FILES.metrics), "utf8")) as Finished;
      } catch {
        throw new UserError(`--resume: ${join(out, RUN_FILES.metrics)} is not valid JSON, so the finished run there cannot be trained further`);
      }
      const why = cannotExtend(out, finished, limits.epochs, limits.patience);
      if (why !== null) throw new UserError(why);
      renameSync(join(dir, RUN_FILES.metrics), join(dir, RUN_FILES.previousMetrics));
    } else if (resume) {
      if (!existsSync(join(dir, RUN_FILES.checkpoint)) && !existsSync(join(dir, RUN_FILES.status))) {
        throw new UserError(`--resume: ${out} holds no run to resume (no ${RUN_FILES.checkpoint})`);
      }
    } else if (readdirSync(dir).some((f) => f !== LOCK_FILE)) {
      throw new UserError(`--out ${out} is not empty; resume the run there with --resume, or choose another folder`);
    }
  } else if (resume) {
    throw new UserError(`--resume: no run folder at ${out}`);
  }
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new UserError(`cannot write the run folder ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return dir;
};

const packageVersion = (name: string): string | null => {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
};

const RECORDED_ENV = ["OPENBLAS_CORETYPE", "REC_KERNELS", "REC_THREADS", "REC_THREADS_FILE", "REC_NATIVE_BLAS", "REC_WEBGPU_CE"] as const;

/** What ran where: versions, machine, the command line (`argv`, without the program). */
export const environment = (argv: readonly string[], extra: Record<string, unknown>): Record<string, unknown> => ({
  reccompile: (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version,
  node: process.version,
  tfjs: packageVersion("@tensorflow/tfjs-core"),
  platform: `${process.platform} ${process.arch}`,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memory_gb: Math.round(totalmem() / 2 ** 30),
  argv,
  cwd: process.cwd(),
  date: new Date().toISOString(),
  // The settings that change results or speed: kernels, threads (fixed, or followed from a file in
  // a parallel ablation), BLAS, the webgpu cross-entropy form.
  env: Object.fromEntries(RECORDED_ENV.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]])),
  ...extra,
});

/**
 * Removes the temporary files of atomic writes that never finished (`.<name>.<pid>.tmp`, left by a
 * process killed mid-write). Called with the folder's lock held, so no live writer owns one.
 */
export const removeStaleTemporaries = (dir: string): void => {
  for (const f of readdirSync(dir)) if (/^\..+\.\d+\.tmp$/.test(f)) rmSync(join(dir, f), { force: true });
};
