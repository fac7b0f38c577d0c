/**
 * report.html for a run folder: the summary, the configuration and the training curves as inline
 * SVG, with no script and no network access.
 */
import { parseMetric } from "../eval/metrics.js";
import type { SeenInTopFigures } from "../eval/types.js";
import { seenKs, share, type SeenInTopSplits } from "./seen_in_top.js";

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly seconds: number;
  readonly valid: Readonly<Record<string, number>>;
  /** The learning rate at the epoch's first step, when recorded. */
  readonly lr?: number;
  /** Validation's seen-items figures, when recorded. */
  readonly seenInTop?: SeenInTopFigures;
}

export interface ReportInput {
  readonly title: string;
  readonly specText: string;
  readonly facts: readonly (readonly [string, string])[];
  readonly history: readonly EpochRecord[];
  readonly valid: Readonly<Record<string, number>>;
  readonly test: Readonly<Record<string, number>>;
  /** The kept weights' seen-items figures (absent: "–"). */
  readonly seenInTop?: SeenInTopSplits;
  readonly bestEpoch: number | null;
}

const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

/** One line chart of `ys` against epochs, with min and max labelled; empty when there are no points. */
export const lineChart = (title: string, xs: readonly number[], ys: readonly number[], mark: number | null): string => {
  const w = 420, h = 200, left = 56, right = 12, top = 24, bottom = 30;
  const points = xs.map((x, i) => [x, ys[i]!] as const).filter(([, y]) => Number.isFinite(y));
  if (points.length === 0) return "";
  const xMin = Math.min(...points.map(([x]) => x)), xMax = Math.max(...points.map(([x]) => x));
  const yMin = Math.min(...points.map(([, y]) => y)), yMax = Math.max(...points.map(([, y]) => y));
  const sx = (x: number) => left + (xMax === xMin ? 0.5 : (x - xMin) / (xMax - xMin)) * (w - left - right);
  const sy = (y: number) => top + (yMax === yMin ? 0.5 : 1 - (y - yMin) / (yMax - yMin)) * (h - top - bottom);
  const path = points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
  const dots = points.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5"/>`).join("");
  const best = mark !== null && mark >= xMin && mark <= xMax
    ? `<line x1="${sx(mark).toFixed(1)}" x2="${sx(mark).toFixed(1)}" y1="${top}" y2="${h - bottom}" stroke="#c33" stroke-dasharray="4 3"/>`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escape(title)}">
<text x="${left}" y="16" font-size="13" font-weight="bold">${escape(title)}</text>
<line x1="${left}" y1="${h - bottom}" x2="${w - right}" y2="${h - bottom}" stroke="#888"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${h - bottom}" stroke="#888"/>
<text x="${left - 4}" y="${sy(yMax) + 4}" font-size="10" text-anchor="end">${fmt(yMax)}</text>
<text x="${left - 4}" y="${sy(yMin) + 4}" font-size="10" text-anchor="end">${fmt(yMin)}</text>
<text x="${sx(xMin)}" y="${h - bottom + 14}" font-size="10" text-anchor="middle">${xMin}</text>
<text x="${sx(xMax)}" y="${h - bottom + 14}" font-size="10" text-anchor="middle">${xMax}</text>
<text x="${(left + w - right) / 2}" y="${h - 4}" font-size="10" text-anchor="middle">epoch</text>
${best}<path d="${path}" fill="none" stroke="#2563eb" stroke-width="1.8"/><g fill="#2563eb">${dots}</g>
</svg>`;
};

const table = (rows: readonly (readonly string[])[], head: readonly string[]): string =>
  `<table><thead><tr>${head.map((c) => `<th>${escape(c)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;

/** Rows of the metrics table for the seen-items figures: per K, the share of slots and of users. */
const seenRows = (seen: SeenInTopSplits | undefined, ks: readonly number[]): string[][] =>
  ks.flatMap((k) => (["slots", "users"] as const).map((what) => [
    `seen in top ${k}: ${what}`, share(seen?.valid[String(k)]?.[what]), share(seen?.test[String(k)]?.[what]),
  ]));

export const renderReport = (r: ReportInput): string => {
  const epochs = r.history.map((e) => e.epoch);
  const metricKeys = [...new Set(r.history.flatMap((e) => Object.keys(e.valid)))];
  // Validation's seen-items share of the slots per epoch, when the history records it.
  const epochSeen = seenKs(r.history.map((e) => e.seenInTop));
  const slotsAt = (e: EpochRecord, k: number): number => e.seenInTop?.[String(k)]?.slots ?? Number.NaN;
  const charts = [
    lineChart("training loss", epochs, r.history.map((e) => e.loss), r.bestEpoch),
    ...metricKeys.map((k) => lineChart(`validation ${k}`, epochs, r.history.map((e) => e.valid[k] ?? Number.NaN), r.bestEpoch)),
    ...epochSeen.map((k) => lineChart(`validation: seen items' share of the top ${k}`, epochs, r.history.map((e) => slotsAt(e, k)), r.bestEpoch)),
  ].filter((c) => c !== "");
  const keys = [...new Set([...Object.keys(r.valid), ...Object.keys(r.test)])];
  // The learning-rate column, when the history records it (runs from before it did have none).
  const withLr = r.history.some((e) => e.lr !== undefined);
  // The seen-items rows at their recorded K, or "–" at the metrics' K when the run has none.
  const seenAtK = r.seenInTop ? seenKs([r.seenInTop.valid, r.seenInTop.test]) : [...new Set(keys.flatMap((k) => parseMetric(k)?.k ?? []))].sort((a, b) => a - b);
  const metrics = table([
    ...keys.map((k) => [k, r.valid[k] === undefined ? "" : r.valid[k]!.toFixed(4), r.test[k] === undefined ? "" : r.test[k]!.toFixed(4)]),
    ...seenRows(r.seenInTop, seenAtK),
  ], ["metric", "valid", "test"]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(r.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}pre{background:#f7f7f7;padding:1em;overflow:auto}
.charts{display:flex;flex-wrap:wrap;gap:1em}</style></head>
<body><h1>${escape(r.title)}</h1>
${table(r.facts.map(([k, v]) => [k, v]), ["", ""])}
<h2>Metrics${r.bestEpoch === null ? "" : ` (best epoch ${r.bestEpoch})`}</h2>${metrics}
<h2>Training</h2><div class="charts">${charts.join("\n") || "<p>No training epochs (a non-neural model).</p>"}</div>
${r.history.length ? table(r.history.map((e) => [String(e.epoch), e.loss.toFixed(4), ...(withLr ? [e.lr === undefined ? "" : String(Number(e.lr.toPrecision(4)))] : []), e.seconds.toFixed(1), ...metricKeys.map((k) => (e.valid[k] ?? NaN).toFixed(4)), ...epochSeen.map((k) => share(e.seenInTop?.[String(k)]?.slots))]), ["epoch", "loss", ...(withLr ? ["lr"] : []), "seconds", ...metricKeys.map((k) => `valid ${k}`), ...epochSeen.map((k) => `valid seen in top ${k}`)]) : ""}
<h2>Spec</h2><pre>${escape(r.specText)}</pre>
</body></html>
`;
};
