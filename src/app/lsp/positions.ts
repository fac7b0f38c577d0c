/** Between the checker's spans (1-based lines and columns, UTF-16 offsets) and LSP ranges (0-based), and between file paths and URIs. */
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "node:path";
import type { IToken } from "chevrotain";
import type { Position, Range } from "vscode-languageserver";
import type { Span } from "../../lang/span.js";

export const spanRange = (s: Span): Range => ({
  start: { line: s.start.line - 1, character: s.start.col - 1 },
  end: { line: s.end.line - 1, character: s.end.col - 1 },
});

export const tokenRange = (t: IToken): Range => ({
  start: { line: (t.startLine ?? 1) - 1, character: (t.startColumn ?? 1) - 1 },
  end: { line: (t.endLine ?? t.startLine ?? 1) - 1, character: t.endColumn ?? t.startColumn ?? 0 },
});

/** The UTF-16 offset of an LSP position in `text`, clamped to the text (clients may send stale positions). */
export const offsetAt = (text: string, p: Position): number => {
  let line = 0;
  let i = 0;
  while (line < p.line) {
    const nl = text.indexOf("\n", i);
    if (nl < 0) return text.length;
    i = nl + 1;
    line++;
  }
  const eol = text.indexOf("\n", i);
  return Math.min(i + Math.max(0, p.character), eol < 0 ? text.length : eol);
};

/** The file a document's URI names; other schemes (`untitled:`) keep the URI, so imports simply do not resolve. */
export const uriToPath = (uri: string): string => (uri.startsWith("file:") ? fileURLToPath(uri) : uri);

export const pathToUri = (path: string): string => (path.includes(":") && !/^[A-Za-z]:[\\/]/.test(path) && !path.startsWith("/") ? path : pathToFileURL(resolve(path)).href);
