/** `reccompile run`: check the spec, apply the flags, prepare the data, train and score, write the run folder. */
import { isLeft } from "fp-ts/lib/Either.js";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkFileDetailed } from "../check/index.js";
import { saveIdMaps } from "../data/load.js";
import { builtInData, prepareData, type DataSource } from "../data/prepare.js";
import { printSpec } from "../ir/print.js";
import { whenInterruptible } from "../runtime/interrupt.js";
import type { ProgressStream } from "../runtime/progress.js";
import { UserError } from "../util/errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../util/fs.js";
import { posixRelative } from "../util/paths.js";
import type { DiagnosticSink } from "./diagnostics.js";
import { loadGenerated } from "./generated.js";
import type { BackendChoice, Format, KernelChoice } from "./options.js";
import { applyOverrides, type Overrides } from "./overrides.js";
import { acquireRunLock } from "./run_lock.js";
import { checkResumable, dataFingerprint, recordedRun, resumableWith } from "./resume.js";
import { defaultRunDir, environment, openRunDir, removeStaleTemporaries, RUN_FILES, writeStatus } from "./run_folder.js";
import type { RunResult } from "./run_model.js";

export interface RunSpecOptions {
  readonly specFile: string;
  /** The interactions to train on (default: the resumed run's, else the built-in synthetic data). */
  readonly data?: string;
  readonly format: Format | "auto";
  readonly overrides: Overrides;
  readonly backend: BackendChoice;
  readonly kernels: KernelChoice;
  /** The run folder (default: runs/<model>-<time>; required with `resume`). */
  readonly out?: string;
  readonly resume: boolean;
  /** The command line without the program name: recorded in environment.json, and repeated in the hint to resume after Ctrl-C. */
  readonly argv: readonly string[];
  /** Progress, warnings and notices (stderr in the CLI). */
  readonly log: ProgressStream;
  /** The spec's errors and warnings. */
  readonly diagnostics: DiagnosticSink;
}

export interface RunOutcome {
  readonly result: RunResult;
  /** The run folder, as given or chosen. */
  readonly out: string;
}

const describeSource = (s: DataSource): string => (s.kind === "file" ? s.path : "the built-in synthetic data");

/** Trains and scores the spec into a run folder; null when the spec has errors (reported to `diagnostics`). */
export const runSpec = async (o: RunSpecOptions): Promise<RunOutcome | null> => {
  const checked = checkFileDetailed(o.specFile);
  if (isLeft(checked.result)) {
    o.diagnostics(checked.result.left, checked.sources);
    return null;
  }
  o.diagnostics(checked.result.right.warnings, checked.sources);
  const spec = applyOverrides(checked.result.right.spec, o.overrides);
  const specText = printSpec(spec);
  const out = o.out ?? (o.resume ? undefined : defaultRunDir(spec.model.name));
  if (out === undefined) throw new UserError("reccompile run: --resume needs --out <run folder>");
  const recorded = o.resume ? recordedRun(out) : null;
  if (recorded && recorded.spec !== null && (recorded.spec === "unreadable" || !resumableWith(recorded.spec, spec))) {
    throw new UserError(`reccompile run --resume: the spec or flags differ from those ${out} was started with (see ${join(out, RUN_FILES.spec)}); resume with the same spec and flags (only --epochs and --patience may change)`);
  }
  const source: DataSource = o.data === undefined ? recorded?.source ?? builtInData : { kind: "file", path: resolve(o.data), format: o.format };
  if (recorded?.source && JSON.stringify(recorded.source) !== JSON.stringify(source)) {
    throw new UserError(`reccompile run --resume: ${out} was trained on ${describeSource(recorded.source)}, not ${describeSource(source)}; leave out --data to use the recorded data`);
  }
  const data = prepareData(source, spec.data);
  if (data.source.kind === "file" && data.source.format === "auto") o.log.write(`data: ${posixRelative(process.cwd(), data.source.path)} read as ${data.dataset.format} (detected; --format sets it)\n`);
  for (const w of data.warnings) o.log.write(`warning: ${w}\n`);

  const notice = (line: string): void => { o.log.write(`notice: ${line}\n`); };
  // The folder is this process's from here on; an existing one before anything in it is read for the resume or changed.
  let lock = existsSync(out) && statSync(out).isDirectory() ? acquireRunLock(resolve(out), "reccompile run", notice) : null;
  const fingerprint = dataFingerprint(data);
  if (o.resume && existsSync(out)) await checkResumable(out, data, fingerprint);
  const dir = openRunDir(out, o.resume, { epochs: spec.train.epochs, patience: spec.train.earlyStopping?.patience ?? null });
  lock ??= acquireRunLock(dir, "reccompile run", notice);
  removeStaleTemporaries(dir);
  writeStatus(dir, "running");
  writeFileAtomic(join(dir, RUN_FILES.spec), specText);
  writeJsonAtomic(join(dir, RUN_FILES.data), {
    source: data.source, shown: data.source.kind === "file" ? posixRelative(process.cwd(), data.source.path) : "built-in synthetic data",
    format: data.dataset.format ?? null, fingerprint,
    name: data.name, users: data.dataset.sequences.length, items: data.split.numItems, interactions: data.interactions, warnings: data.warnings,
  });
  saveIdMaps(data.dataset, dir);

  // SIGTERM (a cluster's preemption or time-limit warning, a cancelled task) exits 143, which the
  // Slurm executor's task script takes as "requeue me and resume"; repeated TERMs change nothing.
  let terminating = false;
  const interrupt = (signal: NodeJS.Signals): void => {
    const term = signal === "SIGTERM";
    if (term && terminating) return;
    terminating ||= term;
    const stop = (): void => {
      writeStatus(dir, "interrupted", term ? "stopped by SIGTERM (preempted or cancelled); continue with --resume" : "stopped by the user (Ctrl-C); continue with --resume");
      const again = ["reccompile", ...o.argv.filter((a) => a !== "--resume"), "--resume"].join(" ");
      o.log.write(`\ninterrupted${term ? " (SIGTERM)" : ""}: the run folder ${out} is incomplete; continue with \`${again}\`\n`);
      process.exit(term ? 143 : 1);
    };
    // An epoch that has finished training is validated and checkpointed before the run stops.
    if (whenInterruptible(stop)) o.log.write(`\ninterrupting once this epoch's checkpoint is written${term ? "" : " (Ctrl-C again to stop now)"}\n`);
  };
  process.once("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  try {
    const generated = await loadGenerated(spec, posixRelative(process.cwd(), o.specFile), dir);
    writeJsonAtomic(join(dir, RUN_FILES.environment), environment(o.argv, { backend_requested: o.backend, kernels_requested: o.kernels, seed: spec.train.seed, spec: o.specFile }));
    const result = await generated.run({ data, runDir: dir, backend: o.backend, kernels: o.kernels, resume: o.resume, log: o.log, specText });
    writeStatus(dir, "complete");
    return { result, out };
  } catch (err) {
    try {
      writeStatus(dir, "failed", err instanceof Error ? err.message : String(err));
    } catch {
      // On a full disk the status cannot be written either; the first error is the one to report.
    }
    throw err;
  } finally {
    process.removeListener("SIGINT", interrupt);
    process.removeListener("SIGTERM", interrupt);
    lock.release();
  }
};
