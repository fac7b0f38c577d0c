/** Folding ranges: every bracket that spans lines, and runs of line comments. */
import { FoldingRangeKind, type FoldingRange } from "vscode-languageserver";
import type { Node, Scan } from "./scan.js";

export const foldingRanges = (s: Scan): FoldingRange[] => {
  const out: FoldingRange[] = [];
  const visit = (n: Node): void => {
    const from = (n.open.startLine ?? 1) - 1;
    const to = (n.close?.startLine ?? 1) - 1;
    // The closing line stays visible, so the fold ends one line above it.
    if (n.close && to - 1 > from) out.push({ startLine: from, endLine: to - 1 });
    n.children.forEach(visit);
  };
  s.roots.forEach(visit);
  let runStart = -1;
  let prevLine = -2;
  const flush = (): void => { if (runStart >= 0 && prevLine > runStart) out.push({ startLine: runStart, endLine: prevLine, kind: FoldingRangeKind.Comment }); };
  for (const c of s.comments) {
    const line = (c.startLine ?? 1) - 1;
    if (line !== prevLine + 1) { flush(); runStart = line; }
    prevLine = line;
  }
  flush();
  return out.sort((a, b) => a.startLine - b.startLine);
};
