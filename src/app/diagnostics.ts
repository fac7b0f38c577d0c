import type { Diagnostic } from "../lang/diagnostic.js";

/** Where a command's spec diagnostics go (cli/ renders them on stderr). */
export type DiagnosticSink = (diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>) => void;
