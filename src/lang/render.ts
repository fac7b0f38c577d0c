/**
 * Diagnostics as text, in the TypeScript compiler's manner:
 *
 *   specs/x.rec:3:9: error REC2008: 'mamba' has no parameter 'd_stat'
 *      3 |   mamba(d_stat: 32)
 *        |         ^~~~~~
 *     hint: did you mean 'd_state'?
 *     specs/blocks.rec:1:7: note: block declared here
 *      1 | block mambaLayer(d_state) {
 *        |       ^~~~~~~~~~
 */
import type { Diagnostic } from "./diagnostic.js";
import type { Span } from "./span.js";

/** Source lines longer than this are shown as a window around the span. */
const MAX_SHOWN = 120;

const lineOf = (text: string, line: number): string | undefined => {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, "");
};

const excerpt = (span: Span, sources: ReadonlyMap<string, string>): string[] => {
  const text = sources.get(span.file);
  if (text === undefined) return [];
  const raw = lineOf(text, span.start.line);
  if (raw === undefined) return [];
  let line = raw.replace(/\t/g, " ").replace(/[\u0000-\u001f\u007f]/g, "?");
  let col = span.start.col - 1;
  const width = span.end.line === span.start.line ? Math.max(1, span.end.col - span.start.col) : Math.max(1, line.length - col);
  let shift = 0;
  if (line.length > MAX_SHOWN) {
    shift = Math.max(0, Math.min(col - 20, line.length - MAX_SHOWN));
    line = `${shift > 0 ? "…" : ""}${line.slice(shift, shift + MAX_SHOWN)}${shift + MAX_SHOWN < line.length ? "…" : ""}`;
    col = col - shift + (shift > 0 ? 1 : 0);
  }
  const shownWidth = Math.max(1, Math.min(width, line.length - col));
  const num = String(span.start.line);
  const gutter = " ".repeat(num.length);
  return [
    ` ${num} | ${line}`,
    ` ${gutter} | ${" ".repeat(Math.max(0, col))}^${"~".repeat(shownWidth - 1)}`,
  ];
};

const where = (s: Span): string => `${s.file}:${s.start.line}:${s.start.col}`;

export const renderDiagnostic = (d: Diagnostic, sources: ReadonlyMap<string, string>): string => {
  const out = [`${where(d.span)}: ${d.severity} ${d.code}: ${d.message}`, ...excerpt(d.span, sources)];
  if (d.hint !== undefined) out.push(`  hint: ${d.hint}`);
  for (const r of d.related ?? []) {
    out.push(`  ${where(r.span)}: note: ${r.message}`, ...excerpt(r.span, sources).map((l) => `  ${l}`));
  }
  return out.join("\n");
};

/** Orders by file, then position, then code, so output is deterministic. */
export const sortDiagnostics = (diags: readonly Diagnostic[]): Diagnostic[] =>
  [...diags].sort((a, b) =>
    a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1
      : a.span.start.offset - b.span.start.offset || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

export const renderDiagnostics = (diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string =>
  sortDiagnostics(diags).map((d) => `${renderDiagnostic(d, sources)}\n`).join("");

/** "2 errors, 1 warning". */
export const summarize = (diags: readonly Diagnostic[]): string => {
  const e = diags.filter((d) => d.severity === "error").length;
  const w = diags.length - e;
  return `${e} error${e === 1 ? "" : "s"}, ${w} warning${w === 1 ? "" : "s"}`;
};
