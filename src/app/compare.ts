/**
 * `reccompile compare`: validation curves of several run folders side by side, epoch by epoch,
 * with each run's best so far. This is how tuning candidates are judged against a reference at
 * matched epochs, and it works on runs still training (history.json is rewritten every epoch).
 * Finished runs are also compared per user against the first finished one, with paired tests on
 * their kept weights' validation and test ranks (ranks.json), and shown with how much of their top
 * K the users' seen items take on test ("–" for runs from before that was measured).
 */
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import * as t from "io-ts";
import { compareRanks, pairedChange, parseMetric, type PairedChange } from "../eval/metrics.js";
import { f4 as fmt4, pct, pText, signed } from "../util/format.js";
import { UserError } from "../util/errors.js";
import { readJsonFile } from "../util/json.js";
import { liveState } from "./run_lock.js";
import { RUN_FILES } from "./run_folder.js";
import { SeenInTopCodec, seenKs, seenText, type SeenInTopSplits } from "./seen_in_top.js";

/** A field that runs from before it was recorded lack; an error in it names the field's own path. */
const optional = <C extends t.Mixed>(codec: C): t.Type<t.TypeOf<C> | undefined, unknown, unknown> =>
  new t.Type(
    `${codec.name} | undefined`,
    (u): u is t.TypeOf<C> | undefined => u === undefined || codec.is(u),
    (u, c) => (u === undefined ? t.success(undefined) : codec.validate(u, c)),
    (a) => a,
  );

const EpochCodec = t.type({
  epoch: t.number,
  loss: t.number,
  valid: t.union([t.null, t.record(t.string, t.number)]),
  seconds: t.number,
  // Validation's seen-items figures.
  seen_in_top: optional(SeenInTopCodec),
});
const HistoryCodec = t.array(EpochCodec);
export type History = t.TypeOf<typeof HistoryCodec>;

const StatusCodec = t.type({ state: t.string });
const MetricsCodec = t.type({ test: t.record(t.string, t.number), seen_in_top: optional(t.type({ valid: SeenInTopCodec, test: SeenInTopCodec })) });
const RanksCodec = t.type({ valid: t.array(t.number), test: t.array(t.number) });
export type Ranks = t.TypeOf<typeof RanksCodec>;

export interface ComparedRun {
  /** What the table calls the run: the folder's name, or its path when two names clash. */
  readonly label: string;
  readonly dir: string;
  readonly history: History;
  /** running, complete, interrupted or failed (status.json); unknown for folders without one. */
  readonly state: string;
  /** Test figures of a finished run (metrics.json), null while it is not finished. */
  readonly test: Readonly<Record<string, number>> | null;
  /** A finished run's seen-items figures (metrics.json), null when not finished or from before they were measured. */
  readonly seenInTop: SeenInTopSplits | null;
  /** Per-user ranks of a finished run's kept weights (ranks.json), null without them. */
  readonly ranks: Ranks | null;
}

/** Reads the run folders to compare; a missing folder or a broken file is a user error naming it. */
export const loadRuns = (dirs: readonly string[]): ComparedRun[] => {
  const names = dirs.map((d) => basename(resolve(d)));
  return dirs.map((dir, i) => {
    if (!existsSync(dir)) throw new UserError(`no run folder at ${dir}`);
    const historyPath = join(dir, RUN_FILES.history);
    if (!existsSync(historyPath)) throw new UserError(`${dir} is not a run folder, or has not finished an epoch yet (no ${RUN_FILES.history})`);
    const history = readJsonFile(historyPath, HistoryCodec, "a training history");
    const statusPath = join(dir, RUN_FILES.status);
    const state = existsSync(statusPath) ? liveState(dir, readJsonFile(statusPath, StatusCodec, "a run status").state) : "unknown";
    const metricsPath = join(dir, RUN_FILES.metrics);
    const finished = existsSync(metricsPath) ? readJsonFile(metricsPath, MetricsCodec, "run metrics") : null;
    const test = finished?.test ?? null;
    const ranksPath = join(dir, RUN_FILES.ranks);
    const ranks = test !== null && existsSync(ranksPath) ? readJsonFile(ranksPath, RanksCodec, "per-user ranks") : null;
    const label = names.filter((n) => n === names[i]).length > 1 ? dir : names[i]!;
    return { label, dir, history, state, test, seenInTop: finished?.seen_in_top ?? null, ranks };
  });
};

export interface CompareOptions {
  /** The validation metric to compare, e.g. `ndcg@10`. */
  readonly metric: string;
  /** Show every `every`-th epoch (and always the first, and the last of each run). */
  readonly every: number;
}

/** One run's curve: per epoch the training loss, the metric and the best so far. */
export interface Curve {
  readonly label: string;
  readonly points: ReadonlyMap<number, { readonly loss: number; readonly value: number | null; readonly best: number | null }>;
  readonly best: { readonly value: number; readonly epoch: number } | null;
  readonly epochs: number;
}

export const curve = (run: ComparedRun, metric: string): Curve => {
  const metrics = new Set(run.history.flatMap((e) => (e.valid ? Object.keys(e.valid) : [])));
  if (run.history.some((e) => e.valid) && !metrics.has(metric)) {
    throw new UserError(`${run.dir} has no validation '${metric}' (it has ${[...metrics].join(", ")})`);
  }
  const points = new Map<number, { loss: number; value: number | null; best: number | null }>();
  let best: { value: number; epoch: number } | null = null;
  for (const e of run.history) {
    const value = e.valid?.[metric] ?? null;
    if (value !== null && (best === null || value > best.value)) best = { value, epoch: e.epoch };
    points.set(e.epoch, { loss: e.loss, value, best: best?.value ?? null });
  }
  return { label: run.label, points, best, epochs: run.history.length === 0 ? 0 : run.history[run.history.length - 1]!.epoch };
};

const f4 = (x: number | null): string => (x === null ? "–" : x.toFixed(4));

/** One finished run against the reference (the first finished run) on one split; the paired tests run over users. */
export interface Paired extends PairedChange {
  readonly label: string;
  readonly split: "valid" | "test";
}

/**
 * Every other finished run with ranks against the first such run, on `metric`, validation and
 * test. Runs with another number of users than the reference's (another dataset or filter) are
 * left out; runs over the same data are assumed to list their users in the same order, as the
 * split does.
 */
export const pairedAgainstFirst = (runs: readonly ComparedRun[], metric: string): { reference: string | null; rows: Paired[]; skipped: string[] } => {
  const m = parseMetric(metric);
  const ranked = runs.filter((r) => r.ranks !== null);
  const ref = ranked[0];
  if (m === null || ref === undefined) return { reference: null, rows: [], skipped: [] };
  const rows: Paired[] = [];
  const skipped: string[] = [];
  for (const r of ranked.slice(1)) {
    if (r.ranks!.valid.length !== ref.ranks!.valid.length || r.ranks!.test.length !== ref.ranks!.test.length) {
      skipped.push(r.label);
      continue;
    }
    for (const split of ["valid", "test"] as const) {
      const c = compareRanks(m, r.ranks![split], ref.ranks![split]);
      rows.push({ label: r.label, split, ...pairedChange(c.a, c.b, c) });
    }
  }
  return { reference: ref.label, rows, skipped };
};

/**
 * `compare --json`: each run's curve (with validation's seen-items figures per epoch where recorded),
 * test figures and seen-items figures (null where absent), and the paired tests against the first finished run.
 */
export const compareJson = (runs: readonly ComparedRun[], metric: string): unknown => {
  const out = runs.map((r) => {
    const c = curve(r, metric);
    const seenAt = new Map(r.history.map((e) => [e.epoch, e.seen_in_top]));
    return {
      label: r.label, dir: r.dir, state: r.state, epochs: c.epochs, best: c.best,
      curve: [...c.points].map(([epoch, p]) => ({ epoch, ...p, ...(seenAt.get(epoch) ? { seen_in_top: seenAt.get(epoch) } : {}) })),
      test: r.test, seen_in_top: r.seenInTop,
    };
  });
  const { reference, rows } = pairedAgainstFirst(runs, metric);
  // JSON has no NaN: a p-value that cannot be computed is null.
  const paired = rows.map((p) => ({ ...p, relDelta: Number.isFinite(p.relDelta) ? p.relDelta : null, pT: Number.isFinite(p.pT) ? p.pT : null, pWilcoxon: Number.isFinite(p.pWilcoxon) ? p.pWilcoxon : null }));
  return { metric, runs: out, paired: { reference, rows: paired } };
};

/** The side-by-side table, as lines of text. */
export const compareTable = (runs: readonly ComparedRun[], opts: CompareOptions): string[] => {
  const curves = runs.map((r) => curve(r, opts.metric));
  const last = Math.max(0, ...curves.map((c) => c.epochs));
  const ends = new Set(curves.map((c) => c.epochs));
  const epochs = [...Array(last).keys()].map((i) => i + 1).filter((e) => e % opts.every === 0 || e === 1 || ends.has(e));
  const cells = (c: Curve, e: number): string[] => {
    const p = c.points.get(e);
    return p ? [p.loss.toFixed(4), f4(p.value), f4(p.best)] : ["", "", ""];
  };
  const header = ["epoch", ...curves.flatMap(() => ["loss", opts.metric, "best"])];
  const rows = epochs.map((e) => [String(e), ...curves.flatMap((c) => cells(c, e))]);
  const footer = [
    ["best", ...curves.flatMap((c) => ["", c.best ? f4(c.best.value) : "–", c.best ? `@${c.best.epoch}` : ""])],
    ["state", ...runs.flatMap((r, i) => [`${curves[i]!.epochs} epochs`, "", r.state])],
  ];
  const table = [header, ...rows, ...footer];
  const widths = header.map((_, j) => Math.max(...table.map((row) => row[j]!.length)));
  // Each run's label spans its three columns; a long label widens the run's last column.
  const span = (k: number): number => widths[1 + 3 * k]! + widths[2 + 3 * k]! + widths[3 + 3 * k]! + 4;
  curves.forEach((c, k) => {
    if (c.label.length > span(k)) widths[3 + 3 * k]! += c.label.length - span(k);
  });
  const line = (row: readonly string[]): string => row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join("  ").trimEnd();
  const labels = [" ".repeat(widths[0]!), ...curves.map((c, k) => c.label.padStart(span(k)))].join("  ").trimEnd();
  const out = [`validation ${opts.metric} by epoch, with each run's best so far`, labels, line(header), ...rows.map(line), ...footer.map(line)];
  const tested = runs.filter((r) => r.test !== null);
  if (tested.length > 0) {
    const keys = [...new Set(tested.flatMap((r) => Object.keys(r.test!)))];
    out.push("", "test (finished runs, at their best epoch):");
    const w = Math.max(...tested.map((r) => r.label.length));
    for (const r of tested) out.push(`  ${r.label.padEnd(w)}  ${keys.map((k) => `${k} ${f4(r.test![k] ?? null)}`).join("  ")}`);
    out.push("", "seen items in the top K on test (finished runs; their share of the top-K slots, and of the users with one):");
    const ks = seenKs(tested.map((r) => r.seenInTop?.test));
    for (const r of tested) {
      const figures = r.seenInTop?.test;
      out.push(`  ${r.label.padEnd(w)}  ${figures === undefined || ks.length === 0 ? "–" : ks.map((k) => `top ${k}: ${seenText(figures, k)}`).join("; ")}`);
    }
  }
  const paired = pairedAgainstFirst(runs, opts.metric);
  if (paired.rows.length > 0 || paired.skipped.length > 0) {
    out.push("", `${opts.metric} per user against ${paired.reference} (its kept weights; two-sided p of a paired t-test and of a Wilcoxon signed-rank test):`);
    const w = Math.max(...paired.rows.map((p) => p.label.length));
    for (const p of paired.rows) {
      out.push(`  ${p.label.padEnd(w)}  ${p.split.padEnd(5)}  ${fmt4(p.value)} vs ${fmt4(p.base)}  ${signed(p.delta)} (${pct(p.relDelta)})  t ${pText(p.pT)}  Wilcoxon ${pText(p.pWilcoxon)}  (${p.n} users)`);
    }
    for (const s of paired.skipped) out.push(`  ${s}: not over the same users as ${paired.reference}, not compared`);
  }
  return out;
};
