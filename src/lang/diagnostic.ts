import type { Span } from "./span.js";

export type Severity = "error" | "warning";

/** A location that explains a diagnostic, e.g. "block declared here". */
export interface Related {
  readonly message: string;
  readonly span: Span;
}

/**
 * One finding about a spec. `code` comes from the table in `codes.ts`
 * (REC1xxx syntax, REC2xxx semantics, REC3xxx data and protocol).
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly Related[];
  /** A suggested fix, e.g. "did you mean 'layernorm'?". */
  readonly hint?: string;
}

export const isError = (d: Diagnostic): boolean => d.severity === "error";
