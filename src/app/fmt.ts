/** `reccompile fmt`: a spec file in the canonical layout, comments kept; rewritten in place on request. */
import { readSource } from "../check/load.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { formatSource } from "../lang/format.js";
import { writeFileAtomic } from "../util/fs.js";

export type FormatOutcome =
  | { readonly kind: "unreadable"; readonly error: string }
  | { readonly kind: "invalid"; readonly diagnostics: readonly Diagnostic[]; readonly sources: ReadonlyMap<string, string> }
  | { readonly kind: "formatted"; readonly text: string; readonly changed: boolean };

/** The file's canonical form; with `write`, a file not in it is rewritten (atomically). */
export const formatFile = (file: string, write: boolean): FormatOutcome => {
  const src = readSource(file);
  if ("error" in src) return { kind: "unreadable", error: src.error };
  const r = formatSource(file, src.text);
  if (!r.ok) return { kind: "invalid", diagnostics: r.diagnostics, sources: new Map([[file, src.text]]) };
  const changed = r.text !== src.text;
  if (write && changed) writeFileAtomic(file, r.text);
  return { kind: "formatted", text: r.text, changed };
};
