/**
 * The local executor: each run is a `reccompile run` child process on this machine, `jobs` at a
 * time. Each run's stdout and stderr go to `<runsDir>/<id>.log` (or, with `output: "inherit"`, to
 * this process's). With more than one run at a time (and REC_THREADS unset) the cores are shared
 * between the runs in progress and re-shared whenever one starts or ends: each run starts with its
 * share in REC_THREADS and follows later changes through its REC_THREADS_FILE, so the last runs of
 * a study get the cores the finished ones gave back.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../util/fs.js";
import { nodeCommand } from "./entry.js";
import { freezeCode } from "./freeze.js";
import { planJob, recordFinished, type JobResult, type StudyJob, type StudyOptions, type StudyRunner } from "./runner.js";
import { threadShare, threadsFile } from "./threads_file.js";

export interface LocalRunnerConfig {
  /**
   * The command-line entry each run executes (default: this installation's, frozen into the runs
   * folder at the study's first run, freeze.ts); tests pass a stand-in, which runs as it is.
   */
  readonly entry?: string;
  /** Cores to share between parallel runs (default: os.availableParallelism()). */
  readonly cores?: number;
  /** Environment of the runs (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where each run's output goes: its log file (default), or this process's stdout and stderr. */
  readonly output?: "log" | "inherit";
}

/** One run in a child process; resolves when it has exited and its output is flushed. */
const runOne = (job: StudyJob, runsDir: string, options: StudyOptions, entry: () => string, env: NodeJS.ProcessEnv,
  output: LocalRunnerConfig["output"], onStart: () => void): Promise<JobResult> => {
  const plan = planJob(job, runsDir, options.resumeUnfinished);
  if ("skip" in plan) return Promise.resolve(plan.skip);
  const { dir, staleMoved } = plan;
  const logFile = output === "inherit" ? null : join(runsDir, `${job.id}.log`);
  const log = logFile === null ? null : createWriteStream(logFile);
  const t0 = Date.now();
  let tail = "";
  return new Promise((resolve) => {
    onStart();
    options.onStart?.(job, plan.args);
    const { command, args } = nodeCommand(entry(), plan.args);
    const child = spawn(command, args, { stdio: ["ignore", log === null ? "inherit" : "pipe", log === null ? "inherit" : "pipe"], env });
    const take = (b: Buffer): void => { log!.write(b); tail = (tail + b.toString("utf8")).slice(-2000); };
    child.stdout?.on("data", take);
    child.stderr?.on("data", take);
    const finish = (code: number | null, err?: Error): void => {
      const done = (): void => {
        const seconds = (Date.now() - t0) / 1000;
        if (code === 0 && recordFinished(job, runsDir, plan)) {
          resolve({ id: job.id, dir, status: "done", seconds, staleMoved });
          return;
        }
        const last = tail.trimEnd().split("\n").slice(-5).join("\n");
        const what = err ? err.message : `exit ${code ?? "signal"}${code === 0 ? " without metrics.json" : ""}`;
        const where = logFile === null ? "" : ` (log: ${logFile})${last ? `\n${last}` : ""}`;
        resolve({ id: job.id, dir, status: "failed", seconds, staleMoved, exitCode: code, error: `${what}${where}` });
      };
      if (log === null) done();
      else log.end(done);
    };
    child.on("error", (e) => finish(null, e));
    child.on("close", (code) => finish(code));
  });
};

/** Runs studies on this machine (see the file's comment). */
export const localRunner = (config: LocalRunnerConfig = {}): StudyRunner => {
  // One frozen copy per runner and runs folder, made when its first run starts: every rung of a
  // tuning study and every run of an ablation run the same code, whatever changes on disk meanwhile.
  const frozen = new Map<string, string>();
  const entryFor = (runsDir: string) => (): string => {
    if (config.entry !== undefined) return config.entry;
    let e = frozen.get(runsDir);
    if (e === undefined) frozen.set(runsDir, e = freezeCode(runsDir));
    return e;
  };
  return {
    run: async (jobList, runsDir, options) => {
      const entry = entryFor(runsDir);
      const cores = config.cores ?? availableParallelism();
      const baseEnv = config.env ?? process.env;
      mkdirSync(runsDir, { recursive: true });
      const results: JobResult[] = new Array(jobList.length);
      let next = 0;
      const parallel = Math.max(1, Math.min(options.jobs, jobList.length));
      const share = parallel > 1 && baseEnv.REC_THREADS === undefined;
      const running = new Set<string>();
      const rebalance = (): void => {
        const n = String(threadShare(cores, running.size));
        for (const id of running) writeFileAtomic(threadsFile(runsDir, id), `${n}\n`);
      };
      const worker = async (): Promise<void> => {
        while (next < jobList.length) {
          const i = next++;
          const job = jobList[i]!;
          const env = share ? { ...baseEnv, REC_THREADS_FILE: threadsFile(runsDir, job.id) } : baseEnv;
          const r = await runOne(job, runsDir, options, entry, env, config.output, () => {
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
          options.onDone?.(r);
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
      return results;
    },
  };
};
