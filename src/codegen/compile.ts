/** Spec file -> generated TypeScript, or the diagnostics that stop it. */
import { isLeft } from "fp-ts/lib/Either.js";
import { join } from "node:path";
import { checkFile } from "../check/index.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import type { CheckedSpec } from "../ir/spec.js";
import { packageRoot, posixRelative } from "../util/paths.js";
import { emitModule } from "./emit.js";

export interface CompileOutput {
  /** The generated module, or null when the spec has errors. */
  readonly code: string | null;
  readonly spec: CheckedSpec | null;
  /** Errors, or warnings when the spec compiled. */
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

/** The import specifier of the generated-code API for a module written into `outDir`. */
export const runtimeImportFrom = (outDir: string): string => {
  const rel = posixRelative(outDir, join(packageRoot(), "src", "api.js"));
  return rel.startsWith(".") ? rel : `./${rel}`;
};

export const compileToTypeScript = (file: string, outDir: string): CompileOutput => {
  const checked = checkFile(file);
  if (isLeft(checked)) return { code: null, spec: null, diagnostics: checked.left, sources: new Map() };
  const { spec, warnings, sources } = checked.right;
  const code = emitModule(spec, { specPath: posixRelative(process.cwd(), file), runtimeImport: runtimeImportFrom(outDir) });
  return { code, spec, diagnostics: warnings, sources };
};
