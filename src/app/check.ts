/** `reccompile check`: each spec's diagnostics, and whether it fails. */
import { isLeft } from "fp-ts/lib/Either.js";
import { checkFileDetailed } from "../check/index.js";
import { isError, type Diagnostic } from "../lang/diagnostic.js";

export interface FileCheck {
  readonly file: string;
  /** Errors, or the warnings of a spec that checks. */
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
  /** An error, or no spec in a file that is not a library of block definitions. */
  readonly failed: boolean;
}

export const checkFiles = (files: readonly string[]): FileCheck[] => files.map((file) => {
  const o = checkFileDetailed(file);
  const diagnostics = isLeft(o.result) ? o.result.left : o.result.right.warnings;
  return { file, diagnostics, sources: o.sources, failed: diagnostics.some(isError) || (isLeft(o.result) && !o.library) };
});
