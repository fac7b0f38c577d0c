import type { Diagnostic } from "../../src/lang/diagnostic.js";
import { renderDiagnostics } from "../../src/lang/render.js";

/** Prints diagnostics to stderr in the compiler's format. */
export const reportDiagnostics = (diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void => {
  if (diags.length > 0) process.stderr.write(renderDiagnostics(diags, sources));
};
