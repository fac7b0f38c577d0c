/**
 * The Slurm executor: a study's runs as one job array on a cluster whose nodes share the study
 * folder with this machine. It writes the sbatch script beside the runs (`<runs>/submit-<n>.sbatch`,
 * readable and resubmittable by hand; slurm_script.ts), submits it with `sbatch --parsable`, and
 * records the job id and each task's run in `<runs>/slurm.json`, so that a later invocation tells
 * the tasks still queued or running (followed, not resubmitted) from the missing ones (submitted
 * again). It follows the tasks through `squeue` (and `scontrol show job` for how one ended) and the
 * run folders: one `onDone` per finished run, as the local executor. Ctrl-C cancels the study's jobs
 * (`scancel`) and waits until squeue lists none of them; `detach` submits and returns; `retries`
 * resubmits a failed run (continuing from its checkpoint) up to that many times. Accounting
 * (`sacct`) is not used: many clusters, and the local test cluster, run without it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { UserError } from "../../util/errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../../util/fs.js";
import { RUN_FILES, isComplete } from "../run_folder.js";
import { nodeCommand } from "./entry.js";
import { freezeCode } from "./freeze.js";
import { planJob, recordFinished, type JobResult, type StudyJob, type StudyRunner } from "./runner.js";
import {
  cancelMarker, exitReason, FOLLOW_UP_ENV, hasEnded, parseScontrolJob, parseSqueue, renderFollowUpScript, renderSbatchScript, SQUEUE_FORMAT,
  type QueuedTask, type SlurmResources,
} from "./slurm_script.js";

export interface SlurmRunnerConfig {
  readonly resources: SlurmResources;
  /** Submit and return without waiting (the results of submitted runs are "queued"). */
  readonly detach?: boolean;
  /** Resubmissions of a failed run while following (default 0). */
  readonly retries?: number;
  /** How the study was started, for the script's header. */
  readonly origin?: string;
  /** The command-line entry the tasks run (default: this installation's). */
  readonly entry?: string;
  /** Milliseconds between squeue polls (default 3000). */
  readonly pollMs?: number;
  /** Where notes go (submissions, cancellation). */
  readonly log?: { write(text: string): unknown };
}

/** One submitted task, as slurm.json records it. */
interface TaskRecord {
  readonly id: string;
  readonly jobId: string;
  readonly index: number;
  readonly fingerprint: string;
  /** 1 for the first submission of the run, +1 for each retry. */
  readonly attempt: number;
}

interface StudyState {
  readonly submissions: { readonly jobId: string; readonly script: string; readonly time: string }[];
  /** The latest task of each run id. */
  readonly tasks: Record<string, TaskRecord>;
}

const stateFile = (runsDir: string): string => join(runsDir, "slurm.json");

const readState = (runsDir: string): StudyState => {
  const f = stateFile(runsDir);
  if (!existsSync(f)) return { submissions: [], tasks: {} };
  return JSON.parse(readFileSync(f, "utf8")) as StudyState;
};

/** Whether `command` is an executable on PATH. */
export const onPath = (command: string, path = process.env["PATH"] ?? ""): boolean =>
  path.split(delimiter).some((d) => d !== "" && existsSync(join(d, command)));

const exec = (command: string, args: readonly string[]): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? (r.error?.message ?? "") };
};

/** The tasks of `jobIds` that squeue still lists (any state), keyed `<job>_<index>`. */
const queued = (jobIds: readonly string[]): Map<string, QueuedTask> => {
  const out = new Map<string, QueuedTask>();
  for (const job of new Set(jobIds)) {
    // A job Slurm has forgotten is "Invalid job id": none of its tasks is queued.
    const r = exec("squeue", ["--noheader", "--array", "--states=all", `--format=${SQUEUE_FORMAT}`, `--jobs=${job}`]);
    for (const t of parseSqueue(r.stdout)) out.set(`${t.jobId}_${t.index}`, t);
  }
  return out;
};

/** The fingerprint `<runs>/<id>.json` records for a finished run, if any. */
const recordedFingerprint = (runsDir: string, id: string): string | undefined => {
  const f = join(runsDir, `${id}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as { fingerprint?: string }).fingerprint : undefined;
};

const key = (t: { readonly jobId: string; readonly index: number }): string => `${t.jobId}_${t.index}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const tail = (file: string, lines = 5): string => {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").filter((l) => !l.startsWith("== ")).slice(-lines).join("\n");
};

/** Submits `script`; its job id. */
const sbatch = (script: string): string => {
  const r = exec("sbatch", ["--parsable", script]);
  const jobId = r.stdout.trim().split(";")[0] ?? "";
  if (r.code !== 0 || !/^\d+$/.test(jobId)) throw new UserError(`--executor slurm: sbatch ${script} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return jobId;
};

/** A study's Slurm job name, from the last two parts of its runs folder. */
const jobName = (runsDir: string): string => `reccompile-${runsDir.split("/").slice(-2).join("-")}`.replace(/[^\w.-]/g, "_");

/** Where a study records its follow-up job (study/slurm.ts: the runner's `followUp`). */
const followUpFile = (runsDir: string): string => join(runsDir, "follow-up.json");

/** Runs studies as Slurm job arrays (see the file's comment). */
export const slurmRunner = (config: SlurmRunnerConfig): StudyRunner => {
  // This installation's code, frozen into the first runs folder the runner submits from (freeze.ts).
  let frozen: string | undefined;
  // What the study's jobs run: a copy of this installation's code, frozen once per runner, so that a
  // task that starts or is requeued later runs what was submitted, whatever changed on disk.
  const entry = (runsDir: string): string => config.entry ?? (frozen ??= freezeCode(runsDir));
  return {
    ...(config.detach ? { followUp: (runsDir: string, ids: readonly string[], args: readonly string[]): string => followUp(config, resolve(runsDir), ids, args, entry(resolve(runsDir))) } : {}),
    run: async (jobList, runsDirGiven, options) => {
      if (!onPath("sbatch")) throw new UserError("--executor slurm: sbatch is not on PATH (run on a Slurm login node, or use --executor local)");
      const runsDir = resolve(runsDirGiven);
      const log = config.log ?? process.stderr;
      const pollMs = config.pollMs ?? 3000;
      mkdirSync(runsDir, { recursive: true });
      const state = readState(runsDir);
      const tasks: Record<string, TaskRecord> = { ...state.tasks };
      const submissions = [...state.submissions];
      const save = (): void => writeJsonAtomic(stateFile(runsDir), { submissions, tasks });
      const results = new Map<string, JobResult>();
      const t0 = Date.now();
      const done = (r: JobResult): void => {
        results.set(r.id, r);
        options.onDone?.(r);
      };

      const submit = (batch: readonly { job: StudyJob; args: readonly string[]; fingerprint: string; attempt: number }[]): void => {
        if (batch.length === 0) return;
        const n = submissions.length + 1;
        const script = join(runsDir, `submit-${n}.sbatch`);
        const { command, args: pre } = nodeCommand(entry(runsDir), []);
        writeFileSync(script, renderSbatchScript({
          jobName: jobName(runsDir),
          runsDir, workDir: process.cwd(), command: [command, ...pre],
          tasks: batch.map((b) => ({ id: b.job.id, args: b.args })),
          resources: config.resources,
          origin: config.origin ?? "reccompile",
        }), { mode: 0o755 });
        const jobId = sbatch(script);
        submissions.push({ jobId, script, time: new Date().toISOString() });
        batch.forEach((b, index) => { tasks[b.job.id] = { id: b.job.id, jobId, index, fingerprint: b.fingerprint, attempt: b.attempt }; });
        save();
        log.write(`submitted Slurm job ${jobId}: ${batch.length} run${batch.length === 1 ? "" : "s"} (${batch.map((b) => b.job.id).join(", ")}); script ${script}\n`);
        for (const b of batch) options.onStart?.(b.job, b.args);
      };

      // What is still queued or running from earlier submissions is followed, not submitted again.
      const active = queued(Object.values(tasks).map((t) => t.jobId));
      const following = new Map<string, StudyJob>();
      const toSubmit: { job: StudyJob; args: readonly string[]; fingerprint: string; attempt: number }[] = [];
      for (const job of jobList) {
        const prev = tasks[job.id];
        const q = prev === undefined ? undefined : active.get(key(prev));
        if (prev !== undefined && q !== undefined && !hasEnded(q.state)) {
          following.set(job.id, job);
          continue;
        }
        const dir = join(runsDir, job.id);
        if (options.noResubmit && prev !== undefined && !isComplete(dir)) {
          const logFile = join(runsDir, `${job.id}.log`);
          done({ id: job.id, dir, status: "failed", seconds: 0, exitCode: null,
            error: [`task ${key(prev)} ended without finishing the run; a follow-up job does not submit it again (log: ${logFile})`, tail(logFile)].filter(Boolean).join("\n") });
          continue;
        }
        // A run that finished while no one was following: record the fingerprint it was submitted with
        // (replacing an earlier one when the task trained a finished run further: tune's promotions).
        if (prev !== undefined && isComplete(dir) && recordedFingerprint(runsDir, job.id) !== prev.fingerprint) recordFinished(job, runsDir, { dir, fingerprint: prev.fingerprint });
        const plan = planJob(job, runsDir, true);
        if ("skip" in plan) {
          done(plan.skip);
          continue;
        }
        // The task script adds --resume itself when the folder has been started.
        const args = plan.args.filter((a) => a !== "--resume");
        toSubmit.push({ job, args, fingerprint: plan.fingerprint, attempt: 1 });
        if (plan.staleMoved) results.set(job.id, { id: job.id, dir, status: "queued", seconds: 0, staleMoved: plan.staleMoved });
      }
      submit(toSubmit);
      for (const s of toSubmit) following.set(s.job.id, s.job);
      if (following.size > 0 && toSubmit.length < following.size) {
        log.write(`following ${following.size - toSubmit.length} run${following.size - toSubmit.length === 1 ? "" : "s"} queued or running from an earlier submission\n`);
      }

      const result = (job: StudyJob): JobResult => results.get(job.id)!;
      if (config.detach || following.size === 0) {
        for (const job of following.values()) {
          const staleMoved = results.get(job.id)?.staleMoved;
          results.set(job.id, { id: job.id, dir: join(runsDir, job.id), status: "queued", seconds: 0, ...(staleMoved ? { staleMoved } : {}) });
        }
        return jobList.map(result);
      }

      // Follow until every task has ended; Ctrl-C cancels the study's jobs.
      let interrupted = false;
      const onSigint = (): void => { interrupted = true; };
      process.once("SIGINT", onSigint);
      const endedOnce = new Set<string>();
      try {
        while (following.size > 0 && !interrupted) {
          await sleep(pollMs);
          if (interrupted) break;
          const now = queued([...new Set([...following.keys()].map((id) => tasks[id]!.jobId))]);
          const retry: { job: StudyJob; args: readonly string[]; fingerprint: string; attempt: number }[] = [];
          for (const [id, job] of following) {
            const t = tasks[id]!;
            const q = now.get(key(t));
            const dir = join(runsDir, id);
            const ended = q === undefined || hasEnded(q.state);
            if (!ended) { endedOnce.delete(id); continue; }
            // A task ends, is requeued and pending again within moments: believe an end seen twice, or a finished run.
            if (!isComplete(dir) && !endedOnce.has(id)) { endedOnce.add(id); continue; }
            following.delete(id);
            const staleMoved = results.get(id)?.staleMoved;
            const seconds = (Date.now() - t0) / 1000;
            if (isComplete(dir) && recordFinished(job, runsDir, { dir, fingerprint: t.fingerprint })) {
              done({ id, dir, status: "done", seconds, ...(staleMoved ? { staleMoved } : {}) });
              continue;
            }
            const how = exitReason(parseScontrolJob(exec("scontrol", ["show", "job", key(t)]).stdout));
            const status = existsSync(join(dir, RUN_FILES.status)) ? (JSON.parse(readFileSync(join(dir, RUN_FILES.status), "utf8")) as { state?: string; message?: string }) : null;
            const logFile = join(runsDir, `${id}.log`);
            const last = tail(logFile);
            const error = [`task ${key(t)} ${how || "ended"}${status?.message ? `; run: ${status.state ?? ""} (${status.message.split("\n")[0]})` : ""} (log: ${logFile})`, last].filter(Boolean).join("\n");
            if (t.attempt <= (config.retries ?? 0)) {
              log.write(`${id}: failed (${how || "ended"}); resubmitting, retry ${t.attempt} of ${config.retries} (log: ${logFile})\n`);
              const plan = planJob(job, runsDir, true);
              if (!("skip" in plan)) retry.push({ job, args: plan.args.filter((a) => a !== "--resume"), fingerprint: plan.fingerprint, attempt: t.attempt + 1 });
              continue;
            }
            done({ id, dir, status: "failed", seconds, exitCode: null, error, ...(staleMoved ? { staleMoved } : {}) });
          }
          submit(retry);
          for (const r of retry) following.set(r.job.id, r.job);
        }
      } finally {
        process.removeListener("SIGINT", onSigint);
      }
      if (interrupted) {
        const jobIds = [...new Set([...following.keys()].map((id) => tasks[id]!.jobId))];
        const left = await cancel(jobIds, runsDir, log);
        const where = left.length === 0 ? "squeue lists none of its tasks" : `squeue still lists ${left.join(", ")} after a minute; see \`squeue --jobs=${jobIds.join(",")}\``;
        throw new UserError(`interrupted: cancelled Slurm job${jobIds.length === 1 ? "" : "s"} ${jobIds.join(", ")} (scancel); ${where}. Run the same command again to continue: finished runs are kept and unfinished ones resume from their checkpoints`);
      }
      return jobList.map(result);
    },
  };
};

/**
 * Queues the study's command (`args`) to run again, from the study's frozen code, once every task
 * of the runs `ids` has ended (`--dependency=afterany`). One follow-up at a time: while the recorded
 * one is still queued, a second is not submitted (a follow-up replaces itself as it runs). The
 * follow-up runs with FOLLOW_UP_ENV set, so that its command does not resubmit runs that failed.
 */
const followUp = (config: SlurmRunnerConfig, runsDir: string, ids: readonly string[], args: readonly string[], entry: string): string => {
  const tasks = readState(runsDir).tasks;
  const after = [...new Set(ids.map((id) => tasks[id]?.jobId).filter((j): j is string => j !== undefined))];
  if (after.length === 0) return "no Slurm job to follow up";
  const recorded = existsSync(followUpFile(runsDir)) ? (JSON.parse(readFileSync(followUpFile(runsDir), "utf8")) as { jobId: string }).jobId : undefined;
  if (recorded !== undefined && recorded !== process.env["SLURM_JOB_ID"]) {
    // A plain job (not an array): squeue's state alone; nothing when Slurm has forgotten it.
    const state = exec("squeue", ["--noheader", "--states=all", "--format=%T", `--jobs=${recorded}`]).stdout.trim().split("\n")[0]?.trim() ?? "";
    if (state !== "" && !hasEnded(state)) return `follow-up Slurm job ${recorded} is already queued; it goes on when job ${after.join(", ")} ends`;
  }
  const { command, args: pre } = nodeCommand(entry, args);
  const n = readdirSync(runsDir).filter((f) => /^follow-up-\d+\.sbatch$/.test(f)).length + 1;
  const script = join(runsDir, `follow-up-${n}.sbatch`);
  writeFileSync(script, renderFollowUpScript({
    jobName: `${jobName(runsDir)}-follow-up`, runsDir, workDir: process.cwd(), after, command: [command, ...pre],
    resources: config.resources, origin: config.origin ?? "reccompile",
  }), { mode: 0o755 });
  const jobId = sbatch(script);
  writeJsonAtomic(followUpFile(runsDir), { jobId, script, after, time: new Date().toISOString() });
  return `submitted follow-up Slurm job ${jobId}: when job ${after.join(", ")} has ended it runs this command again, to collect the runs and go on (output: ${runsDir}/follow-up-${jobId}.out; \`scancel ${jobId}\` stops it)`;
};

/** Whether this process runs as a study's follow-up job. */
export const isFollowUp = (): boolean => process.env[FOLLOW_UP_ENV] === "1";

/**
 * Cancels `jobIds` and waits (up to a minute) until squeue lists none of their tasks as queued or
 * running; the tasks still listed then (none, normally). The cancel markers keep a task that was
 * stopping from requeueing itself.
 */
export const cancel = async (jobIds: readonly string[], runsDir: string, log: { write(text: string): unknown }): Promise<string[]> => {
  if (jobIds.length === 0) return [];
  for (const j of jobIds) writeFileAtomic(join(runsDir, cancelMarker(j)), `${new Date().toISOString()}\n`);
  log.write(`\ncancelling Slurm job${jobIds.length === 1 ? "" : "s"} ${jobIds.join(", ")} (scancel)\n`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    exec("scancel", [...jobIds]);
    await sleep(1000);
    const left = [...queued(jobIds).values()].filter((t) => !hasEnded(t.state));
    if (left.length === 0 || Date.now() > deadline) return left.map(key);
  }
};
