/**
 * The Slurm executor's pure parts: the sbatch script of one submission (a job array, one task per
 * run) and the parsing of what `squeue` and `scontrol show job` print. No process is started here.
 *
 * Each task runs `reccompile run ... --out <runs>/<id>` as a job step (`srun`), so a signal for the
 * job's steps reaches the run (`--signal=TERM@<s>` before the time limit, a plain
 * `scancel --signal=TERM`), and the batch shell forwards a TERM sent to it (`--batch`, `--full`).
 * The run stops at the next step boundary (after the epoch's checkpoint if it is writing one) and
 * exits 143; the task then requeues itself (`scontrol requeue`), unless the study was cancelled,
 * and the requeued task continues the run folder with `--resume`.
 */

/** Resources and options of the job array (the `--slurm-*` flags). */
export interface SlurmResources {
  readonly partition?: string;
  /** Time limit per task, in any form sbatch accepts (`30`, `1:00:00`, `2-00:00:00`). */
  readonly time?: string;
  /** Cores per task (default 1); the run's kernels use that many threads (REC_THREADS). */
  readonly cpusPerTask?: number;
  readonly mem?: string;
  readonly gpus?: string;
  /** Raw sbatch flags, as typed: `--qos=high --account proj`. */
  readonly extra?: string;
  /** Seconds before the time limit at which the tasks are sent TERM to checkpoint (default 120). */
  readonly warnSeconds?: number;
}

export interface ScriptTask {
  readonly id: string;
  /** The `reccompile` arguments of the run (`run <spec> --json --out <dir> ...`, without --resume). */
  readonly args: readonly string[];
}

export interface ScriptInput {
  readonly jobName: string;
  /** Absolute runs folder: each task's run folder, log and the array's Slurm output go there. */
  readonly runsDir: string;
  /** The working directory of the tasks (where relative spec and data paths resolve). */
  readonly workDir: string;
  /** The executable and arguments before the reccompile arguments (node, its flags, the entry). */
  readonly command: readonly string[];
  readonly tasks: readonly ScriptTask[];
  readonly resources: SlurmResources;
  /** How the script was made, for its header (e.g. the reccompile command line). */
  readonly origin: string;
}

/** The file whose presence tells job `jobId`'s tasks not to requeue themselves (the study was cancelled). */
export const cancelMarker = (jobId: string): string => `slurm-cancelled-${jobId}`;

/** Quotes a word for bash (single quotes; a word of safe characters stays bare). */
export const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Splits `--slurm-extra` into sbatch options, one per `#SBATCH` line: a word not starting with
 * `-` joins the option before it (`--qos high` stays one option). Quotes group words.
 */
export const splitExtra = (extra: string): string[] => {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(extra); m !== null; m = re.exec(extra)) words.push(m[1] ?? m[2] ?? m[3]!);
  const options: string[] = [];
  for (const w of words) {
    if (w.startsWith("-") || options.length === 0) options.push(w);
    else options[options.length - 1] += ` ${w}`;
  }
  return options;
};

/** The sbatch script of one submission: a job array with one task per run. */
export const renderSbatchScript = (s: ScriptInput): string => {
  const r = s.resources;
  const q = shellQuote;
  const cpus = r.cpusPerTask ?? 1;
  const directives = [
    `--job-name=${s.jobName}`,
    `--array=0-${s.tasks.length - 1}`,
    `--chdir=${s.workDir}`,
    `--output=${s.runsDir}/slurm-%A_%a.out`,
    "--open-mode=append",
    "--ntasks=1",
    `--cpus-per-task=${cpus}`,
    "--requeue",
    `--signal=TERM@${r.warnSeconds ?? 120}`,
    ...(r.partition !== undefined ? [`--partition=${r.partition}`] : []),
    ...(r.time !== undefined ? [`--time=${r.time}`] : []),
    ...(r.mem !== undefined ? [`--mem=${r.mem}`] : []),
    ...(r.gpus !== undefined ? [`--gpus=${r.gpus}`] : []),
    ...(r.extra !== undefined ? splitExtra(r.extra) : []),
  ];
  const cases = s.tasks.map((t, i) => `  ${i}) id=${q(t.id)}; args=(${t.args.map(q).join(" ")}) ;;`);
  return `#!/bin/bash
# A reccompile study on Slurm: ${s.tasks.length} run${s.tasks.length === 1 ? "" : "s"}, one array task each.
# Written by: ${s.origin}
# Resubmit by hand with \`sbatch ${s.runsDir}/<this file>\`; finished runs (metrics.json) exit at once.
${directives.map((d) => `#SBATCH ${d}`).join("\n")}
set -u
runs=${q(s.runsDir)}
case "$SLURM_ARRAY_TASK_ID" in
${cases.join("\n")}
  *) echo "no run for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;
esac
dir="$runs/$id"
log="$runs/$id.log"
# The run's kernels use the cores Slurm gave the task.
export REC_THREADS="\${SLURM_CPUS_PER_TASK:-${cpus}}"
unset REC_THREADS_FILE
if [ -e "$dir/metrics.json" ]; then echo "$id: finished earlier" >> "$log"; exit 0; fi
# A folder the run has started in (status or checkpoint) is continued: a requeued or retried task
# resumes from the last epoch checkpoint.
resume=()
if [ -e "$dir/status.json" ] || [ -e "$dir/checkpoint.json" ]; then
  resume=(--resume)
elif [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then
  rmdir "$dir"
fi
# Slurm runs one attempt of a task at a time, and the study gives each run folder to one task: a
# lock left in it is an earlier attempt's that did not exit cleanly (a node that died, a SIGKILL).
if [ -e "$dir/.lock" ]; then
  echo "== removing the run folder's lock left by an earlier attempt: $(cat "$dir/.lock" 2>/dev/null)" >> "$log"
  rm -f "$dir/.lock"
fi
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) task \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID} (restart \${SLURM_RESTART_COUNT:-0}) on $(hostname): reccompile \${args[*]} \${resume[*]}" >> "$log"
term=0
trap 'term=1; [ -n "\${pid:-}" ] && kill -TERM "$pid" 2>/dev/null' TERM
srun --ntasks=1 --cpus-per-task="\${SLURM_CPUS_PER_TASK:-${cpus}}" ${s.command.map(q).join(" ")} "\${args[@]}" "\${resume[@]}" >> "$log" 2>&1 &
pid=$!
# A trapped signal interrupts wait; wait again until the run has really exited.
while :; do
  wait "$pid"; rc=$?
  if [ "$rc" -gt 128 ] && kill -0 "$pid" 2>/dev/null; then continue; fi
  break
done
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) exit $rc" >> "$log"
if [ "$rc" -ne 0 ] && { [ "$term" = 1 ] || [ "$rc" = 143 ]; } && [ ! -e "$dir/metrics.json" ] \\
    && [ ! -e "$runs/${cancelMarker("")}\${SLURM_ARRAY_JOB_ID}" ]; then
  echo "== preempted: requeueing \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}; it continues with --resume" >> "$log"
  scontrol requeue "\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}" && exit 0
fi
exit "$rc"
`;
};

/** A follow-up job: a submission's fields but tasks, and the jobs it waits for. */
export interface FollowUpInput extends Omit<ScriptInput, "tasks" | "command"> {
  /** The jobs whose end (any end: finished, failed, cancelled) the follow-up waits for. */
  readonly after: readonly string[];
  /** The whole command line: node, its flags, the entry, and the command's own arguments. */
  readonly command: readonly string[];
}

/** The environment variable that tells a command it runs as a follow-up job (study/slurm.ts). */
export const FOLLOW_UP_ENV = "REC_STUDY_FOLLOW_UP";

/**
 * A follow-up job: one core that waits (`--dependency=afterany`) until a detached study's array has
 * ended, then runs the study's command again to collect it and go on (tune: the next rung, and the
 * next follow-up). It asks for the study's partition, time limit and extra flags, but one core, no
 * GPU and Slurm's default memory: it trains nothing.
 */
export const renderFollowUpScript = (s: FollowUpInput): string => {
  const r = s.resources;
  const directives = [
    `--job-name=${s.jobName}`,
    `--dependency=afterany:${s.after.join(":")}`,
    `--chdir=${s.workDir}`,
    `--output=${s.runsDir}/follow-up-%j.out`,
    "--ntasks=1",
    "--cpus-per-task=1",
    ...(r.partition !== undefined ? [`--partition=${r.partition}`] : []),
    ...(r.time !== undefined ? [`--time=${r.time}`] : []),
    ...(r.extra !== undefined ? splitExtra(r.extra) : []),
  ];
  return `#!/bin/bash
# A reccompile study's follow-up: when job${s.after.length === 1 ? "" : "s"} ${s.after.join(", ")} ${s.after.length === 1 ? "has" : "have"} ended, run the study's command again.
# Written by: ${s.origin}
# \`scancel\` this job to stop the study going on by itself; running the command by hand does the same work.
${directives.map((d) => `#SBATCH ${d}`).join("\n")}
set -u
export ${FOLLOW_UP_ENV}=1
export REC_THREADS=1
unset REC_THREADS_FILE
exec ${s.command.map(shellQuote).join(" ")}
`;
};

/** A task's state as squeue lists it. */
export interface QueuedTask {
  readonly jobId: string;
  readonly index: number;
  readonly state: string;
  readonly reason: string;
}

/** The squeue format the executor asks for (`--array --noheader --states=all`). */
export const SQUEUE_FORMAT = "%F|%K|%T|%r";

/** Expands an array index list as squeue prints it: `3`, `0-5`, `[0-3,7%2]`. */
export const expandIndices = (text: string): number[] => {
  const body = text.replace(/^\[|\]$/g, "").replace(/%\d+$/, "");
  const out: number[] = [];
  for (const part of body.split(",")) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]), step = m[3] === undefined ? 1 : Number(m[3]);
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
};

/** Parses `squeue --noheader --array --format=%F|%K|%T|%r`; lines of other jobs (no array index) are left out. */
export const parseSqueue = (text: string): QueuedTask[] =>
  text.split("\n").map((l) => l.trim()).filter(Boolean).flatMap((line) => {
    const [jobId, indices, state, reason] = line.split("|");
    if (!jobId || !indices || !state || indices === "N/A") return [];
    return expandIndices(indices).map((index) => ({ jobId, index, state, reason: reason ?? "" }));
  });

/** States after which a task does nothing more (a requeued task passes through PENDING again instead). */
const ENDED = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT"]);

/** Whether squeue's state means the task has ended. */
export const hasEnded = (state: string): boolean => ENDED.has(state.replace(/\+$/, "").split(" ")[0]!);

/** Parses `scontrol show job` output into its `Key=Value` fields (the first record). */
export const parseScontrolJob = (text: string): Record<string, string> => {
  const fields: Record<string, string> = {};
  const first = text.split(/\n\s*\n/)[0] ?? "";
  for (const m of first.matchAll(/(?:^|\s)([A-Za-z][\w/:]*)=(\S*)/g)) fields[m[1]!] ??= m[2]!;
  return fields;
};

/** How a task ended, in words, from its scontrol fields (empty when Slurm no longer knows it). */
export const exitReason = (f: Readonly<Record<string, string>>): string => {
  const state = f["JobState"];
  if (state === undefined) return "";
  const [code, signal] = (f["ExitCode"] ?? "").split(":");
  const parts = [state];
  if (f["Reason"] && f["Reason"] !== "None") parts.push(`reason ${f["Reason"]}`);
  if (code !== undefined && code !== "" && code !== "0") parts.push(`exit code ${code}`);
  if (signal !== undefined && signal !== "0") parts.push(`signal ${signal}`);
  return parts.join(", ");
};
