/** Whole-document formatting through the formatter; text with syntax errors is left as it is (no edits). */
import type { TextEdit } from "vscode-languageserver";
import { formatSource } from "../../lang/format.js";
import { endPosition } from "../../lang/parse.js";

export const formatDocument = (file: string, text: string): TextEdit[] => {
  const r = formatSource(file, text);
  if (!r.ok || r.text === text) return [];
  const end = endPosition(text);
  return [{ range: { start: { line: 0, character: 0 }, end: { line: end.line - 1, character: end.col - 1 } }, newText: r.text }];
};
