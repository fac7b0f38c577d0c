/**
 * Trains the base and every variant with the same data, seed and budget: each run is one
 * `reccompile run <spec> --json --out <runsDir>/<id>` subprocess (the compiled CLI under the
 * package root), `jobs` at a time. A run folder whose `metrics.json` exists is finished and skipped,
 * so an interrupted study resumes where it stopped. Each run's stdout and stderr go to
 * `<runsDir>/<id>.log`; `<runsDir>/<id>.json` records a fingerprint of the spec text and the run
 * flags, and a finished run whose fingerprint no longer matches (the spec or the budget changed) is
 * moved aside to `<id>.stale` and run again.
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { writeFileAtomic, writeJsonAtomic } from "../util/fs.js";
import { join } from "node:path";
import { packageRoot } from "../util/paths.js";

export interface RunFlags {
  readonly data?: string;
  readonly format?: string;
  readonly epochs?: number;
  readonly seed?: number;
}

export interface Job {
  readonly id: string;
  readonly specFile: string;
}

export interface JobResult {
  readonly id: string;
  readonly dir: string;
  readonly status: "done" | "skipped" | "failed";
  /** Set when a finished run was moved aside because its spec or flags changed. */
  readonly staleMoved?: string;
  readonly seconds: number;
  /** For a failed run: the exit code and the last lines of its log. */
  readonly error?: string;
}

/** The compiled CLI, `dist/cli/reccompile.js` under the package root. */
export const cliPath = (): string => join(packageRoot(), "dist", "cli", "reccompile.js");

export const runArgs = (job: Job, dir: string, flags: RunFlags): string[] => [
  "run", job.specFile, "--json", "--out", dir,
  ...(flags.data !== undefined ? ["--data", flags.data] : []),
  ...(flags.format !== undefined ? ["--format", flags.format] : []),
  ...(flags.epochs !== undefined ? ["--epochs", String(flags.epochs)] : []),
  ...(flags.seed !== undefined ? ["--seed", String(flags.seed)] : []),
];

export const isFinished = (dir: string): boolean => existsSync(join(dir, "metrics.json"));

/** sha256 of the spec text and the flags that shape the run. */
export const fingerprint = (job: Job, flags: RunFlags): string =>
  createHash("sha256").update(readFileSync(job.specFile)).update(JSON.stringify([flags.data ?? null, flags.format ?? null, flags.epochs ?? null, flags.seed ?? null])).digest("hex");

/**
 * Parallel runs share the cores for the native kernels' threads, since OpenMP threads of several
 * processes on the same cores wait on each other (two runs of 2 threads each on 2 cores took 2.3
 * times as long as with 1 thread each).
 */
/** Each of `running` runs' share of `cores` threads (at least 1). */
export const threadShare = (cores: number, running: number): number => Math.max(1, Math.floor(cores / Math.max(1, running)));

/** The file through which the runner tells run `id` how many threads to use now (see runner/threads_file.ts). */
export const threadsFile = (runsDir: string, id: string): string => join(runsDir, `${id}.threads`);

const runOne = (job: Job, runsDir: string, flags: RunFlags, cli: string, env: NodeJS.ProcessEnv, onStart: () => void): Promise<JobResult> => {
  const dir = join(runsDir, job.id);
  const fpFile = join(runsDir, `${job.id}.json`);
  const fp = fingerprint(job, flags);
  let staleMoved: string | undefined;
  if (isFinished(dir)) {
    const old = existsSync(fpFile) ? (JSON.parse(readFileSync(fpFile, "utf8")) as { fingerprint?: string }).fingerprint : undefined;
    if (old === undefined || old === fp) return Promise.resolve({ id: job.id, dir, status: "skipped", seconds: 0 });
    staleMoved = `${dir}.stale`;
    rmSync(staleMoved, { recursive: true, force: true });
    renameSync(dir, staleMoved);
  }
  const logFile = join(runsDir, `${job.id}.log`);
  const log = createWriteStream(logFile);
  const t0 = Date.now();
  let tail = "";
  return new Promise((resolve) => {
    onStart();
    const child = spawn(process.execPath, [cli, ...runArgs(job, dir, flags)], { stdio: ["ignore", "pipe", "pipe"], env });
    const take = (b: Buffer): void => { log.write(b); tail = (tail + b.toString("utf8")).slice(-2000); };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const finish = (code: number | null, err?: Error): void => {
      log.end(() => {
        const seconds = (Date.now() - t0) / 1000;
        if (code === 0 && isFinished(dir)) {
          writeJsonAtomic(fpFile, { spec: job.specFile, flags, fingerprint: fp });
          resolve({ id: job.id, dir, status: "done", seconds, staleMoved });
        }
        else {
          const last = tail.trimEnd().split("\n").slice(-5).join("\n");
          resolve({ id: job.id, dir, status: "failed", seconds, staleMoved, error: `${err ? err.message : `exit ${code ?? "signal"}${code === 0 ? " without metrics.json" : ""}`} (log: ${logFile})${last ? `\n${last}` : ""}` });
        }
      });
    };
    child.on("error", (e) => finish(null, e));
    child.on("close", (code) => finish(code));
  });
};

export interface RunAllOptions {
  /** The compiled CLI to run (tests pass a stand-in). */
  readonly cli?: string;
  /** Cores to share between parallel runs (default: os.availableParallelism()). */
  readonly cores?: number;
  /** Environment of the runs (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs the jobs `jobs` at a time, in order; `onDone` is called as each finishes (for progress lines).
 * With more than one at a time (and REC_THREADS unset) the cores are shared between the runs in
 * progress and re-shared whenever one starts or ends: each run starts with its share in REC_THREADS
 * and follows later changes through its REC_THREADS_FILE, so the last runs of a study get the
 * cores the finished ones gave back.
 */
export const runAll = async (jobsList: readonly Job[], runsDir: string, flags: RunFlags, jobs: number, onDone: (r: JobResult) => void,
  options: RunAllOptions = {}): Promise<JobResult[]> => {
  const cli = options.cli ?? cliPath();
  const cores = options.cores ?? availableParallelism();
  const baseEnv = options.env ?? process.env;
  mkdirSync(runsDir, { recursive: true });
  const results: JobResult[] = new Array(jobsList.length);
  let next = 0;
  const parallel = Math.max(1, Math.min(jobs, jobsList.length));
  const share = parallel > 1 && baseEnv.REC_THREADS === undefined;
  const running = new Set<string>();
  const rebalance = (): void => {
    const n = String(threadShare(cores, running.size));
    for (const id of running) writeFileAtomic(threadsFile(runsDir, id), `${n}\n`);
  };
  const worker = async (): Promise<void> => {
    while (next < jobsList.length) {
      const i = next++;
      const job = jobsList[i]!;
      const env = share ? { ...baseEnv, REC_THREADS_FILE: threadsFile(runsDir, job.id) } : baseEnv;
      const r = await runOne(job, runsDir, flags, cli, env, () => {
        if (!share) return;
        running.add(job.id);
        rebalance();
        env.REC_THREADS = String(threadShare(cores, running.size));
      });
      if (running.delete(job.id)) {
        rmSync(threadsFile(runsDir, job.id), { force: true });
        rebalance();
      }
      results[i] = r;
      onDone(r);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
};
