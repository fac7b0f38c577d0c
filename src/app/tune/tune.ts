/**
 * `reccompile tune`: the spec's `tune { … }` search, listed with each trial's IR diff against the
 * base (dry run), or written as trial specs and trained as a study (study.ts), the winner written as
 * `<out>/best.rec`.
 */
import { isLeft } from "fp-ts/lib/Either.js";
import { join } from "node:path";
import { isValid, validateVariant, type Header } from "../../ablate/generate.js";
import { checkFileDetailed } from "../../check/index.js";
import { algorithmText } from "../../ir/print.js";
import { metricKey } from "../../ir/spec.js";
import { withoutStudies } from "../../ir/sweep.js";
import { pointText } from "../../ir/tune.js";
import { UserError } from "../../util/errors.js";
import { f4, quoteBlock } from "../../util/format.js";
import { writeFileAtomic } from "../../util/fs.js";
import { relativeToCwd } from "../../util/paths.js";
import type { DiagnosticSink } from "../diagnostics.js";
import { localRunner } from "../study/local.js";
import type { RunFlags, StudyRunner } from "../study/runner.js";
import type { TextSink } from "../text_sink.js";
import { plannedEpochs, rungEpochs, rungSizes } from "./asha.js";
import type { TuneReport } from "./report.js";
import { runTuneStudy, type TuneOutcome } from "./study.js";
import { buildTrials, writeTrials, type TuneTrials } from "./trials.js";
import { STALE_AFTER_MS, withStudyLock } from "../study/study_lock.js";

export interface TuneOptions {
  readonly specFile: string;
  /** The study folder (default: tune/<spec>/ beside the spec). */
  readonly outDir?: string;
  /** List the trials, write nothing. */
  readonly dryRun: boolean;
  /** Overrides the spec's `trials`. */
  readonly trials?: number;
  /** Data, format and backend of every run. */
  readonly flags: RunFlags;
  /** Runs at a time. */
  readonly jobs: number;
  /** Where the runs run (default: this machine, `localRunner()`). */
  readonly runner?: StudyRunner;
  /** The command's own arguments (`tune <spec> ...`): a detached Slurm study queues them to run again as its follow-up. */
  readonly command?: readonly string[];
  /** This process is that follow-up: a run that ended unfinished stops the study instead of being submitted again. */
  readonly followUpJob?: boolean;
  readonly out: TextSink;
  readonly err: TextSink;
  readonly diagnostics: DiagnosticSink;
}

/** What the schedule trains: the rungs and their trials, or one run per trial. */
const scheduleText = (t: TuneTrials): string => {
  const a = t.tune.algorithm;
  if (a.kind !== "asha") return `${t.trials.length} trials at the spec's epochs, and the base`;
  const sizes = rungSizes(t.trials.length, a);
  return `rungs ${rungEpochs(a).map((e, k) => `${sizes[k]} × ${e} epoch${e === 1 ? "" : "s"}`).join(", ")}, and the base at ${a.maxEpochs}: at most ${plannedEpochs(t.trials.length, a) + a.maxEpochs} epochs`;
};

const bestHeader = (t: TuneTrials, value: number, point: string, id: string): Header => (_v, baseFile, diff) =>
  [
    `// Tuned from ${baseFile} by \`reccompile tune\`: trial ${id} of ${t.trials.length}, ${algorithmText(t.tune.algorithm)}`,
    `// Sets ${point}; validation ${metricKey(t.tune.metric)} ${f4(value)} (the choice read validation figures only).`,
    `// Study folder: ${relativeToCwd(t.outDir)} (tune.md: the leaderboard, and this spec against the base on test).`,
    "// Changes against the base (checked IR):",
    ...diff.map((d) => `//   ${d}`),
    "",
  ].join("\n");

const baseHeader = (t: TuneTrials, r: TuneReport): Header => (_v, baseFile) =>
  [
    `// ${baseFile}, unchanged: \`reccompile tune\` found no better trial (${t.trials.length} trials, ${algorithmText(t.tune.algorithm)}).`,
    `// Validation ${r.metric}: the base ${f4(r.base.value)} (${r.baseEpochs}), the best trial ${r.winner?.id ?? "–"} ${f4(r.winner?.value ?? NaN)}.`,
    `// Study folder: ${relativeToCwd(t.outDir)} (tune.md: the leaderboard, and the best trial against the base on test).`,
    "",
  ].join("\n");

/** How long a follow-up job waits for the study's lock: long enough for a dead holder's heartbeat to go stale. */
const FOLLOW_UP_WAIT_MS = STALE_AFTER_MS + 5 * 60_000;

/** Lists or trains the search; with training, the outcome (null for a dry run). */
export const tune = async (o: TuneOptions): Promise<TuneOutcome | null> => {
  const file = o.specFile;
  const checked = checkFileDetailed(file);
  if (isLeft(checked.result)) {
    o.diagnostics(checked.result.left, checked.sources);
    throw new UserError(`reccompile tune: ${file} does not check; fix it before tuning`);
  }
  const spec = checked.result.right.spec;
  const t = buildTrials(spec, file, o.outDir, o.trials);
  const { out } = o;
  for (const n of t.notes) out.write(`note: ${n}\n`);
  for (const r of t.rejected) o.err.write(`\nrejected ${r.id}: ${pointText(r.point)}\n${r.diff.map((d) => `  ${d}\n`).join("")}${quoteBlock(r.reason)}\n`);
  if (o.dryRun) {
    out.write(`${t.trials.length} trial${t.trials.length === 1 ? "" : "s"} of ${file} (${algorithmText(t.tune.algorithm)}, chosen by validation ${metricKey(t.tune.metric)}): ${scheduleText(t)}; nothing written (would write to ${relativeToCwd(t.outDir)}/)\n`);
    for (const trial of t.trials) {
      out.write(`\n${trial.id}: ${pointText(trial.point)}\n${trial.diff.map((d) => `  ${d}\n`).join("")}`);
      if (trial.warnings) out.write(`${quoteBlock(trial.warnings)}\n`);
    }
    return null;
  }
  if (t.trials.length === 0) throw new UserError(`reccompile tune: none of the trials of ${file} checks (see above)`);
  // One controller at a time: a follow-up job waits for a hand-run command to finish, a second command is refused.
  const lockOptions = { waitMs: o.followUpJob === true ? FOLLOW_UP_WAIT_MS : 0, notice: (line: string) => o.err.write(`note: ${line}\n`) };
  return withStudyLock(t.outDir, "reccompile tune", lockOptions, async () => {
    writeTrials(t);
    out.write(`wrote ${t.trials.length} trial spec${t.trials.length === 1 ? "" : "s"} to ${relativeToCwd(t.outDir)}/; ${scheduleText(t)}\n`);
    const outcome = await runTuneStudy({ trials: t, spec, flags: o.flags, jobs: o.jobs, runner: o.runner ?? localRunner(), command: o.command, followUpJob: o.followUpJob, out, err: o.err });
    if (outcome.best === null) return outcome;
    const report = outcome.report!;
    const baseWins = report.baseWins;
    const winner = baseWins ? null : t.trials.find((x) => x.id === outcome.best!.id)!;
    const best = validateVariant(spec, { id: "best", description: outcome.best.point, spec: winner?.spec ?? withoutStudies(spec) }, join(t.outDir, "best.rec"), file,
      winner === null ? baseHeader(t, report) : bestHeader(t, outcome.best.value, outcome.best.point, winner.id));
    if (!isValid(best)) throw new Error(`internal: ${winner === null ? "the base" : `the winning trial ${winner.id}`} no longer checks as best.rec:\n${best.reason}`);
    writeFileAtomic(best.file, best.text);
    const metric = metricKey(t.tune.metric);
    out.write(winner === null
      ? `best: the base (no trial beat it: validation ${metric} ${f4(report.base.value)} against the best trial ${report.winner!.id}'s ${f4(report.winner!.value)}); wrote it unchanged to ${relativeToCwd(best.file)}\n`
      : `best: ${winner.id} (${outcome.best.point}), validation ${metric} ${f4(outcome.best.value)}; wrote ${relativeToCwd(best.file)}\n`);
    const test = outcome.report?.test;
    if (test) {
      out.write(`on test, not used for selection, ${report.winner!.id} against the base: ${test.map((c) => `${c.metric} ${f4(c.value)} vs the base's ${f4(c.base)} (p=${Number.isFinite(c.pT) ? c.pT.toPrecision(2) : "n/a"})`).join(", ")}\n`);
    }
    return outcome;
  });
};
