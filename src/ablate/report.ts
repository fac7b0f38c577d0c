/**
 * The ablation report from finished run folders: for each variant and each metric, its value, the
 * change against the base and a paired significance test over users (paired t-test, and Wilcoxon
 * signed-rank in the CSV) on the per-user metric values computed from `ranks.json` (`compareRanks`).
 * Renders `ablation.md`, `ablation.csv` and `ablation.svg` (a self-contained bar chart).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compareRanks, pairedChange, parseMetric, type PairedChange, type RankComparison } from "../eval/metrics.js";
import { f4, pct, pText, signed } from "../util/format.js";

export interface RunResult {
  readonly metrics: { readonly valid: Readonly<Record<string, number>>; readonly test: Readonly<Record<string, number>>; readonly [k: string]: unknown };
  readonly ranks: { readonly valid: readonly number[]; readonly test: readonly number[] } | null;
}

/** Reads `<dir>/metrics.json` and `<dir>/ranks.json`; null when the run has not finished. */
export const readRun = (dir: string): RunResult | null => {
  const mp = join(dir, "metrics.json");
  if (!existsSync(mp)) return null;
  const metrics = JSON.parse(readFileSync(mp, "utf8")) as RunResult["metrics"];
  const rp = join(dir, "ranks.json");
  const ranks = existsSync(rp) ? (JSON.parse(readFileSync(rp, "utf8")) as RunResult["ranks"]) : null;
  return { metrics, ranks };
};

/** One metric of a variant against the base; the paired tests run over users. */
export interface Cell extends PairedChange {
  readonly metric: string;
}

export interface Row {
  readonly id: string;
  readonly description: string;
  readonly split: "valid" | "test";
  readonly cells: readonly Cell[];
}

export interface ReportInput {
  readonly baseFile: string;
  readonly base: RunResult;
  readonly variants: readonly { readonly id: string; readonly description: string; readonly run: RunResult | null; readonly error?: string }[];
  /** A line on the budget, e.g. "data: built-in synthetic, epochs 1, seed 2020". */
  readonly budget?: string;
}

export interface Report {
  readonly metrics: readonly string[];
  readonly rows: readonly Row[];
  /** Variants with no result, and why. */
  readonly missing: readonly { readonly id: string; readonly reason: string }[];
}

const pairedTests = (metric: string, a: readonly number[] | undefined, b: readonly number[] | undefined): RankComparison | null => {
  const m = parseMetric(metric);
  if (m === null || a === undefined || b === undefined || a.length !== b.length || a.length === 0) return null;
  return compareRanks(m, a, b);
};

/** The table: one row per variant and split, one cell per metric of the base run. */
export const buildReport = (input: ReportInput): Report => {
  const metrics = Object.keys(input.base.metrics.test);
  const rows: Row[] = [];
  const missing: { id: string; reason: string }[] = [];
  for (const v of input.variants) {
    if (v.run === null) { missing.push({ id: v.id, reason: v.error ?? "no metrics.json" }); continue; }
    for (const split of ["test", "valid"] as const) {
      const cells = metrics.map((metric): Cell => {
        const base = input.base.metrics[split]?.[metric] ?? NaN;
        const value = v.run!.metrics[split]?.[metric] ?? NaN;
        return { metric, ...pairedChange(value, base, pairedTests(metric, v.run!.ranks?.[split], input.base.ranks?.[split])) };
      });
      rows.push({ id: v.id, description: v.description, split, cells });
    }
  }
  return { metrics, rows, missing };
};

const mdEscape = (s: string): string => s.replace(/\|/g, "\\|");

export const renderMarkdown = (r: Report, input: ReportInput): string => {
  const test = r.rows.filter((x) => x.split === "test");
  const out = [
    `# Ablation of ${input.baseFile}`,
    "",
    ...(input.budget ? [`Budget per variant: ${input.budget}.`, ""] : []),
    "Test split. Each cell: the metric, its change against the base (absolute, relative) and the two-sided",
    "p-value of a paired t-test over users on the per-user metric values; `*` marks p < 0.05.",
    "",
    `| variant | ${r.metrics.join(" | ")} |`,
    `|---|${r.metrics.map(() => "---").join("|")}|`,
    `| **base** | ${r.metrics.map((m) => f4(input.base.metrics.test[m] ?? NaN)).join(" | ")} |`,
    ...test.map((row) => `| ${row.id} | ${row.cells.map((c) => `${f4(c.value)} (${signed(c.delta)}, ${pct(c.relDelta)}, ${pText(c.pT)}${c.pT < 0.05 ? "*" : ""})`).join(" | ")} |`),
    "",
    "## Variants",
    "",
    ...input.variants.map((v) => `- \`${v.id}\`: ${mdEscape(v.description)}`),
  ];
  if (r.missing.length > 0) out.push("", "## Not finished", "", ...r.missing.map((m) => `- \`${m.id}\`: ${mdEscape(m.reason)}`));
  return `${out.join("\n")}\n`;
};

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csvNum = (x: number): string => (Number.isFinite(x) ? String(x) : "");

export const renderCsv = (r: Report): string => {
  const lines = ["variant,description,split,metric,value,base,delta,rel_delta,p_ttest,p_wilcoxon,n_users"];
  for (const row of r.rows) {
    for (const c of row.cells) {
      lines.push([csvField(row.id), csvField(row.description), row.split, c.metric, csvNum(c.value), csvNum(c.base), csvNum(c.delta), csvNum(c.relDelta), csvNum(c.pT), csvNum(c.pWilcoxon), String(c.n)].join(","));
    }
  }
  return `${lines.join("\n")}\n`;
};

const xml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A horizontal bar chart, one panel per metric (test split): the base first (grey), then each
 * variant, green when above the base and red when below, bold outline when p < 0.05; a dashed line
 * marks the base value. Plain SVG, no scripts, fonts or links.
 */
export const renderSvg = (r: Report, input: ReportInput): string => {
  const test = r.rows.filter((x) => x.split === "test");
  const names = ["base", ...test.map((x) => x.id)];
  const labelW = Math.max(60, 7 * Math.max(...names.map((n) => n.length)) + 12);
  const panelW = 220;
  const rowH = 18;
  const top = 40;
  const width = labelW + r.metrics.length * (panelW + 20) + 10;
  const height = top + names.length * rowH + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${xml(`Ablation of ${input.baseFile} (test split)`)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">${xml(`Ablation of ${input.baseFile} (test)`)}</text>`,
  ];
  names.forEach((n, i) => parts.push(`<text x="${labelW - 6}" y="${top + i * rowH + 13}" text-anchor="end">${xml(n)}</text>`));
  r.metrics.forEach((metric, k) => {
    const x0 = labelW + k * (panelW + 20);
    const base = input.base.metrics.test[metric] ?? 0;
    const values = [base, ...test.map((row) => row.cells.find((c) => c.metric === metric)?.value ?? NaN)];
    const max = Math.max(1e-12, ...values.filter(Number.isFinite));
    const w = (v: number): number => (Number.isFinite(v) ? Math.max(0, (v / max) * (panelW - 50)) : 0);
    parts.push(`<text x="${x0}" y="${top - 8}" font-weight="bold">${xml(metric)}</text>`);
    values.forEach((v, i) => {
      const cell = i === 0 ? undefined : test[i - 1]!.cells.find((c) => c.metric === metric);
      const fill = i === 0 ? "#888888" : v >= base ? "#4c9a5a" : "#c4504a";
      const strong = cell !== undefined && cell.pT < 0.05;
      const y = top + i * rowH + 3;
      parts.push(`<rect x="${x0}" y="${y}" width="${w(v).toFixed(1)}" height="${rowH - 6}" fill="${fill}"${strong ? ` stroke="black" stroke-width="1.5"` : ""}><title>${xml(`${names[i]}: ${f4(v)}${cell ? ` (${signed(cell.delta)}, ${pText(cell.pT)})` : ""}`)}</title></rect>`);
      parts.push(`<text x="${(x0 + w(v) + 3).toFixed(1)}" y="${y + rowH - 8}" font-size="9">${f4(v)}</text>`);
    });
    const bx = (x0 + w(base)).toFixed(1);
    parts.push(`<line x1="${bx}" y1="${top}" x2="${bx}" y2="${top + names.length * rowH}" stroke="#333" stroke-dasharray="3,3"/>`);
  });
  parts.push(`<text x="8" y="${height - 8}" font-size="9">grey: base; green/red: above/below the base; outlined: paired t-test p &lt; 0.05 over users</text>`, "</svg>");
  return `${parts.join("\n")}\n`;
};
