/**
 * `reccompile tune`'s runs: the trials trained through a study runner, rung by rung, then the
 * report and the winner. With `asha`, rung k trains the trials that reached it to its epochs (a
 * promoted trial's run continues from its checkpoint, `run --resume --epochs <rung>`), and the top
 * 1/reduction continue (asha.ts); with `random` and `grid` there is one rung at the spec's own
 * epochs. The base trains once, beside the last rung, for the most epochs any trial trains: it is
 * the reference of the test comparison, never of the choice.
 *
 * `<out>/tune.json` records each finished rung (its values and promotions), keyed by a digest of the
 * trials and the run flags: running the same command again skips the finished rungs, continues the
 * rung in progress (finished runs are skipped, interrupted ones resume), and a changed search starts
 * over. Everything that chooses reads validation figures only (history.json); the test split is read
 * once the winner is fixed, for the report.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readRun, type RunResult } from "../../ablate/report.js";
import { compareRanks, pairedChange, parseMetric } from "../../eval/metrics.js";
import { algorithmText, distributionText } from "../../ir/print.js";
import { metricKey, type CheckedSpec } from "../../ir/spec.js";
import { sweepValues } from "../../ir/sweep.js";
import { pointText } from "../../ir/tune.js";
import { f4 } from "../../util/format.js";
import { writeFileAtomic, writeJsonAtomic } from "../../util/fs.js";
import { relativeToCwd } from "../../util/paths.js";
import { RUN_FILES } from "../run_folder.js";
import type { JobResult, RunFlags, StudyJob, StudyRunner } from "../study/runner.js";
import type { TextSink } from "../text_sink.js";
import { plannedEpochs, promote, rungEpochs, type RungEntry } from "./asha.js";
import { renderCsv, renderMarkdown, renderSvg, type RungRow, type TestCell, type TrialRow, type TuneReport } from "./report.js";
import type { Trial, TuneTrials } from "./trials.js";

export interface TuneStudyOptions {
  readonly trials: TuneTrials;
  /** The checked base spec. */
  readonly spec: CheckedSpec;
  /** Data, format, backend of every run (epochs are the rungs'; the seed is each spec's). */
  readonly flags: RunFlags;
  readonly jobs: number;
  readonly runner: StudyRunner;
  /** The command's own arguments, for a detached runner's follow-up (`StudyRunner.followUp`). */
  readonly command?: readonly string[];
  /** This process is the follow-up: runs that ended unfinished count as failed (`StudyOptions.noResubmit`). */
  readonly followUpJob?: boolean;
  /** Progress lines and what was written. */
  readonly out: TextSink;
  readonly err: TextSink;
}

export interface TuneOutcome {
  /** Runs that failed (the study stops at the rung where they failed; running it again retries them). */
  readonly failed: number;
  /** Runs submitted and not waited for (`--detach`). */
  readonly queued: number;
  /** The winner, once the last rung has finished: the best trial, or the base (id `base`) when no trial beat it. */
  readonly best: { readonly id: string; readonly file: string; readonly value: number; readonly point: string } | null;
  readonly report: TuneReport | null;
}

/** A finished rung as tune.json records it. */
export interface RungRecord {
  readonly epochs: number | null;
  readonly entries: readonly RungEntry[];
  readonly promoted: readonly string[];
  readonly endedEarly: readonly string[];
}

interface TuneState {
  readonly setup: string;
  readonly rungs: readonly RungRecord[];
}

const STATE_FILE = "tune.json";
const BASE_ID = "base";

/** A digest of what the rungs' records depend on: each trial's spec text, the run flags and the algorithm. */
const setupDigest = (t: TuneTrials, flags: RunFlags): string =>
  createHash("sha256").update(JSON.stringify([t.trials.map((x) => [x.id, x.text]), flags, t.tune.algorithm, metricKey(t.tune.metric)])).digest("hex");

const readState = (file: string, setup: string): readonly RungRecord[] | null => {
  if (!existsSync(file)) return [];
  const s = JSON.parse(readFileSync(file, "utf8")) as TuneState;
  return s.setup === setup ? s.rungs : null;
};

/** The validation metric after each epoch of a run (history.json; NaN where missing); empty before its first epoch. */
export const validCurve = (dir: string, metric: string): number[] => {
  const f = join(dir, RUN_FILES.history);
  if (!existsSync(f)) return [];
  const h = JSON.parse(readFileSync(f, "utf8")) as { valid?: Record<string, number> }[];
  return h.map((e) => e.valid?.[metric] ?? NaN);
};

/** The best value of the first `epochs` entries of a curve and its epoch (1-based); NaN and null when there is none. */
export const bestSoFar = (curve: readonly number[], epochs = curve.length): { value: number; epoch: number | null } => {
  let best = { value: NaN, epoch: null as number | null };
  curve.slice(0, epochs).forEach((v, i) => { if (Number.isFinite(v) && !(v <= best.value)) best = { value: v, epoch: i + 1 }; });
  return best;
};

/** Whether a finished run stopped before `epochs` by early stopping (or ran out of patience exactly there): it cannot train further. */
const endedEarly = (dir: string, epochs: number, patience: number | null): boolean => {
  const f = join(dir, RUN_FILES.metrics);
  if (!existsSync(f)) return false;
  const m = JSON.parse(readFileSync(f, "utf8")) as { epochs: number; best_epoch: number | null };
  return m.epochs < epochs || (patience !== null && m.epochs - (m.best_epoch ?? 0) >= patience);
};

const epochsText = (e: number | null): string => (e === null ? "the spec's epochs" : `${e} epoch${e === 1 ? "" : "s"}`);

/** Trains the search rung by rung into `<outDir>/runs/` and writes its report and best.rec. */
export const runTuneStudy = async (o: TuneStudyOptions): Promise<TuneOutcome> => {
  const { trials: t, out } = o;
  const tune = t.tune;
  const metric = metricKey(tune.metric);
  const runsDir = join(t.outDir, "runs");
  const stateFile = join(t.outDir, STATE_FILE);
  const setup = setupDigest(t, o.flags);
  let records = readState(stateFile, setup);
  if (records === null) {
    out.write(`note: the search or its run flags changed since ${relativeToCwd(stateFile)} was written; its rungs are run again (finished runs that still match are kept)\n`);
    records = [];
  }
  const asha = tune.algorithm.kind === "asha" ? tune.algorithm : null;
  const rungs: (number | null)[] = asha ? rungEpochs(asha) : [null];
  const baseEpochs = asha ? asha.maxEpochs : o.spec.train.epochs;
  const byId = new Map(t.trials.map((x) => [x.id, x]));
  const patience = (x: Trial): number | null => x.spec.train.earlyStopping?.patience ?? null;
  const planned = (asha ? plannedEpochs(t.trials.length, asha) : t.trials.reduce((s, x) => s + x.spec.train.epochs, 0)) + baseEpochs;
  const trained = (): number => [...t.trials.map((x) => x.id), BASE_ID].reduce((s, id) => s + validCurve(join(runsDir, id), metric).length, 0);

  let alive = t.trials.map((x) => x.id);
  const done: RungRecord[] = [];
  let failed = 0;
  let queued = 0;
  for (let k = 0; k < rungs.length; k++) {
    const epochs = rungs[k]!;
    const last = k === rungs.length - 1;
    const recorded = records[k];
    if (recorded !== undefined && recorded.entries.map((e) => e.id).join() === alive.join()) {
      out.write(`rung ${k + 1}/${rungs.length} (${epochsText(epochs)}, ${alive.length} trial${alive.length === 1 ? "" : "s"}): finished earlier, skipped\n`);
      done.push(recorded);
      alive = [...recorded.promoted];
      continue;
    }
    // A trial that stopped early at an earlier rung keeps its figures; it trains no further.
    const stoppedBefore = new Set(done.flatMap((r) => r.endedEarly));
    const jobs: StudyJob[] = alive.filter((id) => !stoppedBefore.has(id)).map((id) => ({
      id, specFile: byId.get(id)!.file, flags: { ...o.flags, ...(epochs === null ? {} : { epochs }) }, extend: k > 0,
    }));
    if (last) jobs.push({ id: BASE_ID, specFile: t.baseFile, flags: { ...o.flags, ...(asha ? { epochs: baseEpochs } : {}) } });
    let finished = 0;
    const progress = (r: JobResult): void => {
      finished++;
      const head = `[rung ${k + 1}/${rungs.length}, ${finished}/${jobs.length}] ${r.id}`;
      const what = r.id === BASE_ID ? "the base" : pointText(byId.get(r.id)!.point);
      if (r.staleMoved) out.write(`note: ${r.id}: its spec or run flags changed since it finished; the old run was moved to ${relativeToCwd(r.staleMoved)}\n`);
      const left = `about ${Math.max(0, planned - trained())} of ${planned} epochs left at most`;
      if (r.status === "failed") out.write(`${head} (${what}): FAILED after ${r.seconds.toFixed(1)}s: ${r.error?.split("\n")[0] ?? ""}; ${left}\n`);
      else if (r.status === "queued") out.write(`${head} (${what}): queued\n`);
      else {
        const b = bestSoFar(validCurve(r.dir, metric), epochs ?? undefined);
        out.write(`${head} (${what}): ${r.status === "skipped" ? "finished earlier" : `done in ${r.seconds.toFixed(1)}s`}; valid ${metric} ${f4(b.value)} (epoch ${b.epoch ?? "–"}); ${left}\n`);
      }
    };
    const results = await o.runner.run(jobs, runsDir, { jobs: o.jobs, resumeUnfinished: true, onDone: progress, noResubmit: o.followUpJob === true });
    queued = results.filter((r) => r.status === "queued").length;
    const fails = results.filter((r) => r.status === "failed");
    failed = fails.length;
    if (queued > 0) {
      const head = `${queued} run${queued === 1 ? "" : "s"} of rung ${k + 1} queued or running`;
      // A detached Slurm study goes on by itself: a follow-up job runs this command again when they end.
      const next = o.command !== undefined && o.runner.followUp !== undefined
        ? o.runner.followUp(runsDir, results.filter((r) => r.status === "queued").map((r) => r.id), o.command) : null;
      out.write(next !== null ? `${head}; ${next}\n` : `${head}; run the same command again (without --detach to wait) to collect them and go on\n`);
      break;
    }
    if (failed > 0) {
      o.err.write(`${failed} run${failed === 1 ? "" : "s"} of rung ${k + 1} failed, so the search stops here; run the same command again to retry ${failed === 1 ? "it" : "them"}:\n${fails.map((f) => `  ${f.id}: ${f.error ?? ""}\n`).join("")}`);
      break;
    }
    const entries = alive.map((id) => ({ id, value: bestSoFar(validCurve(join(runsDir, id), metric), epochs ?? undefined).value }));
    const early = alive.filter((id) => stoppedBefore.has(id) || endedEarly(join(runsDir, id), epochs ?? byId.get(id)!.spec.train.epochs, patience(byId.get(id)!)));
    const promoted = last ? [] : promote(entries, asha!.reduction);
    const record: RungRecord = { epochs, entries, promoted, endedEarly: early };
    done.push(record);
    writeJsonAtomic(stateFile, { setup, rungs: done } satisfies TuneState);
    if (!last) {
      const stopped = alive.filter((id) => !promoted.includes(id));
      out.write(`rung ${k + 1}/${rungs.length} (${epochsText(epochs)}): ${promoted.join(", ")} continue${promoted.length === 1 ? "s" : ""} to ${epochsText(rungs[k + 1]!)}; stopped: ${stopped.join(", ") || "none"}; about ${Math.max(0, planned - trained())} epochs left at most\n`);
    }
    alive = [...promoted];
  }

  const complete = done.length === rungs.length;
  const report = buildTuneReport(o, done, rungs, complete, baseEpochs);
  writeFileAtomic(join(t.outDir, "tune.md"), renderMarkdown(report));
  writeFileAtomic(join(t.outDir, "tune.csv"), renderCsv(report));
  writeFileAtomic(join(t.outDir, "tune.svg"), renderSvg(report));
  out.write(`wrote ${relativeToCwd(join(t.outDir, "tune.md"))}, tune.csv and tune.svg${complete ? "" : " (so far)"}\n`);
  if (report.winner === null) return { failed, queued, best: null, report };
  if (report.baseWins) return { failed, queued, best: { id: BASE_ID, file: report.winner.file, value: report.base.value, point: "the base, unchanged" }, report };
  const winner = byId.get(report.winner.id)!;
  return { failed, queued, best: { id: winner.id, file: report.winner.file, value: report.winner.value, point: pointText(winner.point) }, report };
};

/** The report from the rungs finished so far; the winner and the test comparison once the last rung has finished. */
const buildTuneReport = (o: TuneStudyOptions, done: readonly RungRecord[], rungs: readonly (number | null)[], complete: boolean, baseEpochs: number): TuneReport => {
  const t = o.trials;
  const tune = t.tune;
  const metric = metricKey(tune.metric);
  const runsDir = join(t.outDir, "runs");
  const lastRung = (id: string): number => done.reduce((r, g, k) => (g.entries.some((e) => e.id === id) ? k : r), -1);
  const finalEntries = complete ? done[done.length - 1]!.entries : [];
  const winnerEntry = [...finalEntries].filter((e) => Number.isFinite(e.value)).sort((a, b) => b.value - a.value)[0];
  const baseCurve = validCurve(join(runsDir, BASE_ID), metric);
  const baseBest = bestSoFar(baseCurve);
  const params = tune.space.map((s) => s.param);
  // The base competes: a search whose best trial does not beat it has not found a better spec.
  const baseWins = winnerEntry !== undefined && Number.isFinite(baseBest.value) && baseBest.value >= winnerEntry.value;
  const rows: TrialRow[] = t.trials.map((x) => {
    const curve = validCurve(join(runsDir, x.id), metric);
    const best = bestSoFar(curve);
    const rung = lastRung(x.id);
    const g = done[rung];
    const promoted = g !== undefined && g.promoted.includes(x.id);
    const early = done.some((r) => r.endedEarly.includes(x.id));
    const outcome = x.id === winnerEntry?.id ? (baseWins ? "the best trial, not better than the base" : "winner")
      : rung < 0 ? (curve.length > 0 ? "in progress" : "not run yet")
        : rung === rungs.length - 1 ? `finished the last rung${early ? " (ended early by early stopping)" : ""}`
          : promoted ? `continues to rung ${rung + 2}`
            : `stopped at rung ${rung + 1} (${epochsText(rungs[rung]!)})${early ? ", having ended early by early stopping" : ""}`;
    return { id: x.id, point: x.point, curve, value: best.value, bestEpoch: best.epoch, rung, outcome, promoted: promoted || rung === rungs.length - 1 };
  });
  rows.sort((a, b) => b.rung - a.rung || (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : b.value - a.value) || a.id.localeCompare(b.id));
  const rungRows: RungRow[] = done.map((g) => ({ epochs: g.epochs, trials: g.entries.map((e) => e.id), promoted: g.promoted, endedEarly: g.endedEarly }));
  const baseRun = readRun(join(runsDir, BASE_ID));
  let winner: TuneReport["winner"] = null;
  let test: TestCell[] | null = null;
  if (winnerEntry !== undefined) {
    winner = { id: winnerEntry.id, value: winnerEntry.value, file: join(t.outDir, "best.rec") };
    const won = readRun(join(runsDir, winnerEntry.id));
    if (won !== null && baseRun !== null) test = testCells(won, baseRun);
  }
  const flags = o.flags;
  return {
    baseFile: t.baseFile,
    search: tune.space.map((s) => `${s.param} ${distributionText(s.distribution)}`).join("; "),
    algorithm: algorithmText(tune.algorithm),
    metric,
    budget: [
      `Data ${flags.data ?? "built-in synthetic"}${flags.format ? ` (${flags.format})` : ""}`,
      `seed ${o.spec.train.seed} (the spec's, every run)`,
      `sampler seed ${tune.seed}`,
      ...(flags.backend !== undefined ? [`backend ${flags.backend}`] : []),
    ].join(", "),
    params,
    trials: rows,
    rungs: rungRows,
    winner,
    base: { values: params.map((p) => sweepValues(o.spec, p).join(" / ") || "–"), curve: baseCurve, value: baseBest.value, bestEpoch: baseBest.epoch },
    baseWins,
    baseEpochs: `trained for ${baseEpochs} epochs${o.spec.train.earlyStopping ? ", with the spec's early stopping" : ""}`,
    test,
    rejected: t.rejected.map((r) => ({ id: r.id, reason: r.reason })),
  };
};

/** Each test metric of the winner against the base, paired over users on ranks.json. */
const testCells = (won: RunResult, base: RunResult): TestCell[] =>
  Object.keys(base.metrics.test).map((name) => {
    const m = parseMetric(name);
    const a = won.ranks?.test;
    const b = base.ranks?.test;
    const tests = m !== null && a !== undefined && b !== undefined && a.length === b.length && a.length > 0 ? compareRanks(m, a, b) : null;
    return { metric: name, ...pairedChange(won.metrics.test[name] ?? NaN, base.metrics.test[name] ?? NaN, tests) };
  });
