/**
 * Checker diagnostics as LSP diagnostics: code, severity, related locations, and the hint in the
 * message. A "did you mean 'x'?" hint on a misspelled name becomes a quick fix that writes `x`.
 */
import { CodeActionKind, DiagnosticSeverity, type CodeAction, type Diagnostic as LspDiagnostic, type DiagnosticRelatedInformation } from "vscode-languageserver";
import type { Diagnostic } from "../../lang/diagnostic.js";
import type { Analysis } from "./analysis.js";
import { pathToUri, spanRange, tokenRange } from "./positions.js";

/** What a quick fix needs, carried in the diagnostic's `data` so code actions need no re-check. */
export interface FixData { readonly replacement: string }

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DID_YOU_MEAN = /^did you mean '([^']+)'\?$/;

/** The replacement a hint proposes, when the diagnostic underlines exactly one name (not, say, `ndcgg@10`). */
const replacementOf = (d: Diagnostic, text: string): string | undefined => {
  const m = d.hint === undefined ? null : DID_YOU_MEAN.exec(d.hint);
  if (m === null) return undefined;
  return NAME.test(text.slice(d.span.start.offset, d.span.end.offset)) ? m[1] : undefined;
};

/**
 * A diagnostic located in an imported file (an error in a block body, say) is shown in this
 * document at its first note here (the block's use), or else at the import that brought the file in.
 */
const placeInMain = (d: Diagnostic, a: Analysis): { range: LspDiagnostic["range"]; moved: boolean } => {
  if (d.span.file === a.file) return { range: spanRange(d.span), moved: false };
  const note = d.related?.find((r) => r.span.file === a.file);
  if (note) return { range: spanRange(note.span), moved: true };
  const imp = a.scan.imports[0];
  return { range: imp ? tokenRange(imp) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, moved: true };
};

export const toLspDiagnostics = (a: Analysis): LspDiagnostic[] =>
  a.diagnostics.map((d) => {
    const { range, moved } = placeInMain(d, a);
    const related: DiagnosticRelatedInformation[] = [
      ...(moved ? [{ location: { uri: pathToUri(d.span.file), range: spanRange(d.span) }, message: `${d.code}: ${d.message}` }] : []),
      ...(d.related ?? []).map((r) => ({ location: { uri: pathToUri(r.span.file), range: spanRange(r.span) }, message: r.message })),
    ];
    const replacement = moved ? undefined : replacementOf(d, a.text);
    return {
      range,
      severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      code: d.code,
      source: "reccompile",
      message: `${moved ? `in ${d.span.file}:${d.span.start.line}:${d.span.start.col}: ` : ""}${d.message}${d.hint !== undefined ? `\nhint: ${d.hint}` : ""}`,
      ...(related.length > 0 ? { relatedInformation: related } : {}),
      ...(replacement !== undefined ? { data: { replacement } satisfies FixData } : {}),
    };
  });

const isFix = (x: unknown): x is FixData => typeof x === "object" && x !== null && typeof (x as { replacement?: unknown }).replacement === "string";

/** Quick fixes for the diagnostics the client sends back with a code-action request. */
export const quickFixes = (uri: string, diagnostics: readonly LspDiagnostic[]): CodeAction[] =>
  diagnostics.flatMap((d) => {
    if (!isFix(d.data)) return [];
    return [{
      title: `Change to '${d.data.replacement}'`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [uri]: [{ range: d.range, newText: d.data.replacement }] } },
    }];
  });
