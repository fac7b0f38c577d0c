/**
 * The tuning report (pure: rendering only): `tune.md` (the leaderboard on validation, the rungs with
 * their promotions, the winner against the base on test, marked as not used for selection),
 * `tune.csv` (one line per trial) and `tune.svg` (each trial's validation curve, the rungs marked).
 */
import type { PairedChange } from "../../eval/metrics.js";
import type { Point } from "../../ir/tune.js";
import { f4, pct, pText, signed } from "../../util/format.js";

export interface TrialRow {
  readonly id: string;
  readonly point: Point;
  /** The validation metric after each epoch trained (history.json). */
  readonly curve: readonly number[];
  /** Its best validation value (NaN when the trial has none), and the epoch it was reached. */
  readonly value: number;
  readonly bestEpoch: number | null;
  /** The last rung it reached (0-based), -1 when it never finished one. */
  readonly rung: number;
  /** What became of it, e.g. "stopped at rung 1 (1 epoch)", "winner", "failed: …". */
  readonly outcome: string;
  /** It continued from its last finished rung (drawn in colour in the chart). */
  readonly promoted: boolean;
}

export interface RungRow {
  /** The rung's epochs; null when the trials train for the spec's own epochs (random, grid). */
  readonly epochs: number | null;
  readonly trials: readonly string[];
  readonly promoted: readonly string[];
  /** Trials that reached the rung having stopped early (early stopping): they were not trained further. */
  readonly endedEarly: readonly string[];
}

/** The base as the leaderboard shows it: it trains beside the last rung, for the most epochs a trial trains. */
export interface BaseRow {
  /** Its value of each searched parameter (in `params` order), e.g. "0.001", "0.2 / 0.1" where layers differ. */
  readonly values: readonly string[];
  readonly curve: readonly number[];
  readonly value: number;
  readonly bestEpoch: number | null;
}

export interface TestCell extends PairedChange {
  readonly metric: string;
}

export interface TuneReport {
  readonly baseFile: string;
  /** The search as written: `lr log_uniform(0.0001, 0.01); heads choice([1, 2, 4])`. */
  readonly search: string;
  readonly algorithm: string;
  /** The validation metric that chooses. */
  readonly metric: string;
  /** Data, seed, backend. */
  readonly budget: string;
  readonly params: readonly string[];
  /** In leaderboard order: furthest rung first, then by validation value. */
  readonly trials: readonly TrialRow[];
  readonly rungs: readonly RungRow[];
  readonly winner: { readonly id: string; readonly value: number; readonly file: string } | null;
  /** The base's leaderboard row (an empty curve and a NaN value before its run has started). */
  readonly base: BaseRow;
  /**
   * No trial beat the base on validation (the base's value is at least the best trial's): best.rec
   * is then the base, unchanged, and `winner` is the best trial.
   */
  readonly baseWins: boolean;
  /** The base's epochs, for the test comparison's caption. */
  readonly baseEpochs: string;
  /** The best trial against the base on the test split, per metric (null before both have finished). */
  readonly test: readonly TestCell[] | null;
  /** Trials that did not check, with why. */
  readonly rejected: readonly { readonly id: string; readonly reason: string }[];
}

const mdEscape = (s: string): string => s.replace(/\|/g, "\\|");
const valueOf = (p: Point, param: string): string => String(p.find((x) => x.param === param)?.value ?? "");
/** `0.0123`, `<1e-4` or `n/a`: pText without its `p`. */
const pCell = (p: number): string => pText(p).replace(/^p[= ]?/, "");
const rungText = (r: RungRow, k: number): string => `${k + 1} (${r.epochs === null ? "the spec's epochs" : `${r.epochs} epoch${r.epochs === 1 ? "" : "s"}`})`;

type LeaderRow = { readonly kind: "trial"; readonly trial: TrialRow } | { readonly kind: "base"; readonly base: BaseRow };

/**
 * The trials in leaderboard order with the base placed among them: it trained as long as the last
 * rung, so it sits among the last rung's trials by its validation value (after them when it has
 * none yet).
 */
const leaderboard = (r: TuneReport): LeaderRow[] => {
  const rows: LeaderRow[] = r.trials.map((trial) => ({ kind: "trial", trial }));
  const lastRung = r.rungs.length - 1;
  const b = r.base.value;
  const at = Number.isFinite(b) ? r.trials.findIndex((t) => t.rung < lastRung || !(t.value >= b)) : -1;
  rows.splice(at < 0 ? rows.length : at, 0, { kind: "base", base: r.base });
  return rows;
};

const baseOutcome = (r: TuneReport): string =>
  r.base.curve.length === 0 ? "the base (not run yet)"
    : r.baseWins ? "the base, unchanged: no trial beat it, so best.rec is the base"
      : "the base, unchanged (the test comparison's reference)";

export const renderMarkdown = (r: TuneReport): string => {
  const out = [
    `# Tuning of ${r.baseFile}`,
    "",
    `Search: ${mdEscape(r.search)}; ${r.trials.length} trial${r.trials.length === 1 ? "" : "s"}, algorithm ${r.algorithm}, chosen by validation ${r.metric} (the test split is never read to choose). ${r.budget}.`,
    "",
    `## Leaderboard (validation ${r.metric})`,
    "",
    `| rank | trial | ${r.params.join(" | ")} | epochs | valid ${r.metric} | best epoch | outcome |`,
    `|---|---|${r.params.map(() => "---").join("|")}|---|---|---|---|`,
    ...leaderboard(r).map((row, i) => row.kind === "base"
      ? `| ${i + 1} | ${r.baseWins ? "**base**" : "base"} | ${row.base.values.join(" | ")} | ${row.base.curve.length} | ${f4(row.base.value)} | ${row.base.bestEpoch ?? "–"} | ${mdEscape(baseOutcome(r))} |`
      : `| ${i + 1} | ${row.trial.id === r.winner?.id && !r.baseWins ? `**${row.trial.id}**` : row.trial.id} | ${r.params.map((p) => valueOf(row.trial.point, p)).join(" | ")} | ${row.trial.curve.length} | ${f4(row.trial.value)} | ${row.trial.bestEpoch ?? "–"} | ${mdEscape(row.trial.outcome)} |`),
    "",
    "## Rungs",
    "",
    "| rung | trials | continued | stopped |",
    "|---|---|---|---|",
    ...r.rungs.map((g, k) => {
      const stopped = g.trials.filter((t) => !g.promoted.includes(t));
      const early = g.endedEarly.length > 0 ? ` (ended early, not trained further: ${g.endedEarly.join(", ")})` : "";
      return `| ${rungText(g, k)} | ${g.trials.length} | ${k === r.rungs.length - 1 ? "– (last rung)" : g.promoted.join(", ") || "none"}${early} | ${k === r.rungs.length - 1 ? "–" : stopped.join(", ") || "none"} |`;
    }),
  ];
  if (r.winner !== null) {
    const point = r.trials.find((t) => t.id === r.winner!.id)?.point.map((x) => `${x.param} = ${x.value}`).join(", ");
    out.push("", "## The winner", "", r.baseWins
      ? `No trial beat the base: its validation ${r.metric} ${f4(r.base.value)} (${r.baseEpochs}) against the best trial's ${f4(r.winner.value)} (${r.winner.id}: ${point}). \`best.rec\` is therefore the base, unchanged. A search that ends so has not found a better spec; a later first rung, more trials or a narrower space may (docs/tune.md).`
      : `\`best.rec\` is ${r.winner.id} (${point}), validation ${r.metric} ${f4(r.winner.value)} against the base's ${f4(r.base.value)}.`);
  }
  if (r.test !== null) {
    out.push(
      "",
      `### On test, against the base (${r.baseEpochs}): not used for selection`,
      "",
      `The best trial (${r.winner?.id ?? "–"}) against the base, paired over users on the per-user metric values (\`ranks.json\`): change, two-sided p of a paired t-test and of a Wilcoxon signed-rank test.`,
      "",
      "| metric | base | best trial | change | p (t-test) | p (Wilcoxon) | users |",
      "|---|---|---|---|---|---|---|",
      ...r.test.map((c) => `| ${c.metric} | ${f4(c.base)} | ${f4(c.value)} | ${signed(c.delta)} (${pct(c.relDelta)}) | ${pCell(c.pT)} | ${pCell(c.pWilcoxon)} | ${c.n} |`),
    );
  }
  if (r.rejected.length > 0) out.push("", "## Trials that do not check (not run)", "", ...r.rejected.map((x) => `- \`${x.id}\`: ${mdEscape(x.reason.split("\n")[0] ?? "")}`));
  return `${out.join("\n")}\n`;
};

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csvNum = (x: number): string => (Number.isFinite(x) ? String(x) : "");

/** One line per trial and one for the base, in leaderboard order: its values, epochs, best validation value and epoch, its rung and outcome. */
export const renderCsv = (r: TuneReport): string => {
  const head = ["rank", "trial", ...r.params, "epochs", `valid_${r.metric}`, "best_epoch", "rung", "outcome"];
  const lines = leaderboard(r).map((row, i) => (row.kind === "base"
    ? [String(i + 1), "base", ...row.base.values.map(csvField), String(row.base.curve.length), csvNum(row.base.value),
      row.base.bestEpoch === null ? "" : String(row.base.bestEpoch), "", csvField(baseOutcome(r))]
    : [String(i + 1), row.trial.id, ...r.params.map((p) => valueOf(row.trial.point, p)), String(row.trial.curve.length), csvNum(row.trial.value),
      row.trial.bestEpoch === null ? "" : String(row.trial.bestEpoch), row.trial.rung < 0 ? "" : String(row.trial.rung + 1), csvField(row.trial.outcome)]).join(","));
  return `${[head.map(csvField).join(","), ...lines].join("\n")}\n`;
};

const xml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The validation curves: one line per trial over its epochs, the winner thick and blue, trials that
 * continued past a rung in colour, stopped ones grey; dashed verticals at the rungs' epochs; each
 * line labelled at its end. Plain SVG, no scripts, fonts or links.
 */
export const renderSvg = (r: TuneReport): string => {
  const width = 640;
  const height = 380;
  const left = 56;
  const right = 60;
  const top = 36;
  const bottom = 44;
  const baseCurve = r.base.curve;
  const maxEpoch = Math.max(1, baseCurve.length, ...r.trials.map((t) => t.curve.length));
  const values = [...baseCurve, ...r.trials.flatMap((t) => t.curve)].filter(Number.isFinite);
  const lo = values.length === 0 ? 0 : Math.min(...values);
  const hi = values.length === 0 ? 1 : Math.max(...values);
  const pad = (hi - lo) * 0.05 || 0.01;
  const [y0, y1] = [lo - pad, hi + pad];
  const x = (epoch: number): number => left + (maxEpoch === 1 ? 0.5 : (epoch - 1) / (maxEpoch - 1)) * (width - left - right);
  const y = (v: number): number => top + (1 - (v - y0) / (y1 - y0)) * (height - top - bottom);
  const palette = ["#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${xml(`Tuning of ${r.baseFile}: validation ${r.metric} per epoch`)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="18" font-size="13" font-weight="bold">${xml(`Tuning of ${r.baseFile}: validation ${r.metric} per epoch`)}</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#333"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">epoch</text>`,
  ];
  for (const v of [y0 + pad, (y0 + y1) / 2, y1 - pad]) parts.push(`<text x="${left - 4}" y="${y(v).toFixed(1) }" text-anchor="end" font-size="9">${f4(v)}</text>`);
  for (let e = 1; e <= maxEpoch; e++) parts.push(`<text x="${x(e).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle" font-size="9">${e}</text>`);
  for (const g of r.rungs) {
    if (g.epochs === null || g.epochs > maxEpoch) continue;
    parts.push(`<line x1="${x(g.epochs).toFixed(1)}" y1="${top}" x2="${x(g.epochs).toFixed(1)}" y2="${height - bottom}" stroke="#999" stroke-dasharray="4,3"/>`);
  }
  // Grey lines first, so the promoted ones and the winner are drawn over them.
  const order = [...r.trials].sort((a, b) => Number(a.id === r.winner?.id) - Number(b.id === r.winner?.id) || Number(a.promoted) - Number(b.promoted));
  order.forEach((t, i) => {
    const pts = t.curve.map((v, e) => (Number.isFinite(v) ? `${x(e + 1).toFixed(1)},${y(v).toFixed(1)}` : null)).filter((p) => p !== null);
    if (pts.length === 0) return;
    const winner = t.id === r.winner?.id;
    const colour = winner ? "#1f5fbf" : t.promoted ? palette[i % palette.length]! : "#b0b0b0";
    const label = `${t.id}: ${f4(t.value)} (${t.outcome})`;
    parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${colour}" stroke-width="${winner ? 3 : 1.5}"><title>${xml(label)}</title></polyline>`);
    if (pts.length === 1) parts.push(`<circle cx="${pts[0]!.split(",")[0]}" cy="${pts[0]!.split(",")[1]}" r="2.5" fill="${colour}"/>`);
    const [lx, ly] = pts[pts.length - 1]!.split(",");
    parts.push(`<text x="${Number(lx) + 4}" y="${Number(ly) + 3}" font-size="9" fill="${colour}">${xml(t.id)}</text>`);
  });
  // The base last, dashed black, so that it shows over the trials it is measured against.
  const basePts = baseCurve.map((v, e) => (Number.isFinite(v) ? `${x(e + 1).toFixed(1)},${y(v).toFixed(1)}` : null)).filter((p) => p !== null);
  if (basePts.length > 0) {
    parts.push(`<polyline points="${basePts.join(" ")}" fill="none" stroke="#000" stroke-width="${r.baseWins ? 3 : 1.5}" stroke-dasharray="6,3"><title>${xml(`base: ${f4(r.base.value)} (${baseOutcome(r)})`)}</title></polyline>`);
    const [lx, ly] = basePts[basePts.length - 1]!.split(",");
    parts.push(`<text x="${Number(lx) + 4}" y="${Number(ly) + 3}" font-size="9">base</text>`);
  }
  parts.push(`<text x="8" y="${height - 2}" font-size="9">${r.baseWins ? "blue: the best trial" : "blue, thick: the winner"}; coloured: continued past a rung; grey: stopped; black dashed: the base${r.baseWins ? " (better than every trial)" : ""}; grey dashed: rung epochs</text>`, "</svg>");
  return `${parts.join("\n")}\n`;
};
