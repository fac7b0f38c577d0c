/**
 * A study: many `reccompile run`s of one budget, each into `<runsDir>/<id>/`, resumable. This is the
 * seam between what a study runs and where it runs: `reccompile ablate --run` and
 * `npm run reproduce` hand their jobs to a `StudyRunner`; `localRunner` (study/local.ts) runs them
 * as child processes on this machine, `slurmRunner` (study/slurm.ts) as a Slurm job array, and
 * `studyRunner` (study/executor.ts) picks one from the `--executor` flags. The bookkeeping every
 * executor shares lives here: a run folder whose `metrics.json` exists is finished and skipped, so
 * an interrupted study resumes where it stopped; `<runsDir>/<id>.json` records a fingerprint of the spec text and the run flags, and a
 * finished run whose fingerprint no longer matches (the spec or the budget changed) is moved aside
 * to `<id>.stale` and run again.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../../util/fs.js";
import { isComplete, RUN_FILES } from "../run_folder.js";

/** The `reccompile run` flags that shape a run. */
export interface RunFlags {
  readonly data?: string;
  readonly format?: string;
  readonly epochs?: number;
  readonly seed?: number;
  /** `run --backend` (e.g. webgpu on a GPU node). */
  readonly backend?: string;
  /** `run --max-len`: the data's max_len for every run (Amazon's 50 in the paper's configuration). */
  readonly maxLen?: number;
}

export interface StudyJob {
  /** The run's folder name under the runs folder. */
  readonly id: string;
  readonly specFile: string;
  readonly flags: RunFlags;
  /**
   * A finished run of the same spec and flags but fewer epochs is trained further (`run --resume`
   * with this job's epochs) instead of being moved aside as stale: `reccompile tune` promoting a
   * trial to its next rung.
   */
  readonly extend?: boolean;
}

export interface JobResult {
  readonly id: string;
  readonly dir: string;
  /** "queued": submitted to a cluster and not waited for (`--detach`); collected by a later invocation. */
  readonly status: "done" | "skipped" | "failed" | "queued";
  /** Set when a finished run was moved aside because its spec or flags changed. */
  readonly staleMoved?: string;
  readonly seconds: number;
  /** For a failed run: the exit code (null when it did not start or was killed by a signal). */
  readonly exitCode?: number | null;
  /** For a failed run: what went wrong and, where its output was logged, the log and its last lines. */
  readonly error?: string;
}

export interface StudyOptions {
  /** Runs at a time. */
  readonly jobs: number;
  /** Continue a run folder left unfinished with a checkpoint (`run --resume`) instead of starting it afresh. */
  readonly resumeUnfinished?: boolean;
  /** Called as a run starts, with the `reccompile` arguments it runs with. */
  readonly onStart?: (job: StudyJob, args: readonly string[]) => void;
  /** Called as each run finishes, fails or is skipped (for progress lines). */
  readonly onDone?: (result: JobResult) => void;
  /**
   * A run whose earlier cluster task ended without finishing it is reported failed, not submitted
   * again. A follow-up job sets it: a run that fails every time must stop the study, not loop.
   */
  readonly noResubmit?: boolean;
}

export interface StudyRunner {
  /** Runs `jobs` into `<runsDir>/<id>/`; one result per job, in the jobs' order. */
  run(jobs: readonly StudyJob[], runsDir: string, options: StudyOptions): Promise<JobResult[]>;
  /**
   * Present on a runner that submits and returns (Slurm with `--detach`): queues `args` (the
   * study's own command, `reccompile <command> ...`) to run again once the runs `ids` of `runsDir`
   * have ended, so that the study goes on by itself. Returns what it did, for the user.
   */
  followUp?(runsDir: string, ids: readonly string[], args: readonly string[]): string;
}

/** The `reccompile` arguments of a job's run into `dir`. */
export const runArgs = (job: StudyJob, dir: string, resume = false): string[] => [
  "run", job.specFile, "--json", "--out", dir,
  ...(job.flags.data !== undefined ? ["--data", job.flags.data] : []),
  ...(job.flags.format !== undefined ? ["--format", job.flags.format] : []),
  ...(job.flags.epochs !== undefined ? ["--epochs", String(job.flags.epochs)] : []),
  ...(job.flags.seed !== undefined ? ["--seed", String(job.flags.seed)] : []),
  ...(job.flags.backend !== undefined ? ["--backend", job.flags.backend] : []),
  ...(job.flags.maxLen !== undefined ? ["--max-len", String(job.flags.maxLen)] : []),
  ...(resume ? ["--resume"] : []),
];

/** sha256 of the spec text and the flags that shape the run. */
export const fingerprint = (job: StudyJob): string =>
  createHash("sha256").update(readFileSync(job.specFile))
    // The backend and max_len join the list only when given, so the fingerprints of runs made before they were study flags still match.
    .update(JSON.stringify([job.flags.data ?? null, job.flags.format ?? null, job.flags.epochs ?? null, job.flags.seed ?? null,
      ...(job.flags.backend !== undefined ? [job.flags.backend] : []), ...(job.flags.maxLen !== undefined ? [{ maxLen: job.flags.maxLen }] : [])])).digest("hex");

const fingerprintFile = (runsDir: string, id: string): string => join(runsDir, `${id}.json`);

/** Whether the finished run recorded in `file` is `job`'s spec and flags but for fewer epochs. */
const extendable = (job: StudyJob, file: string): boolean => {
  if (!job.extend || job.flags.epochs === undefined || !existsSync(file)) return false;
  const old = JSON.parse(readFileSync(file, "utf8")) as { fingerprint?: string; flags?: RunFlags };
  const was = old.flags?.epochs;
  return was !== undefined && was < job.flags.epochs && fingerprint({ ...job, flags: { ...job.flags, epochs: was } }) === old.fingerprint;
};

/** What to do with a job before it runs: skip it, or run it into `dir` with `args`. */
export type JobPlan =
  | { readonly skip: JobResult }
  | { readonly dir: string; readonly args: readonly string[]; readonly fingerprint: string; readonly staleMoved?: string };

/**
 * Skips a finished run whose fingerprint matches (or that has none recorded); continues a finished
 * run that an `extend` job trains for more epochs (its metrics.json kept as metrics.previous.json,
 * as `run --resume` keeps it, so the folder reads as unfinished to every executor until the new
 * training ends); moves a finished run whose spec or flags changed aside to `<id>.stale`; otherwise
 * plans the run, with `--resume` for an unfinished folder (a checkpoint or a status) when
 * `resumeUnfinished`.
 */
export const planJob = (job: StudyJob, runsDir: string, resumeUnfinished = false): JobPlan => {
  const dir = join(runsDir, job.id);
  const fp = fingerprint(job);
  let staleMoved: string | undefined;
  if (isComplete(dir)) {
    const file = fingerprintFile(runsDir, job.id);
    const old = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { fingerprint?: string }).fingerprint : undefined;
    if (old === undefined || old === fp) return { skip: { id: job.id, dir, status: "skipped", seconds: 0 } };
    if (extendable(job, file)) {
      renameSync(join(dir, RUN_FILES.metrics), join(dir, RUN_FILES.previousMetrics));
      return { dir, args: runArgs(job, dir, true), fingerprint: fp };
    }
    staleMoved = `${dir}.stale`;
    rmSync(staleMoved, { recursive: true, force: true });
    renameSync(dir, staleMoved);
  }
  // A folder that was started (a status, and maybe a checkpoint) is continued: with a checkpoint
  // from there, without one from the start; `run` refuses a started folder without --resume.
  const resume = resumeUnfinished && (existsSync(join(dir, RUN_FILES.checkpoint)) || existsSync(join(dir, RUN_FILES.status)));
  return { dir, args: runArgs(job, dir, resume), fingerprint: fp, ...(staleMoved === undefined ? {} : { staleMoved }) };
};

/** After a run exited 0: whether it finished (metrics.json); a finished run's fingerprint is recorded. */
export const recordFinished = (job: StudyJob, runsDir: string, plan: { readonly dir: string; readonly fingerprint: string }): boolean => {
  if (!isComplete(plan.dir)) return false;
  writeJsonAtomic(fingerprintFile(runsDir, job.id), { spec: job.specFile, flags: job.flags, fingerprint: plan.fingerprint });
  return true;
};
