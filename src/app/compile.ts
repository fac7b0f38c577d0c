/** `reccompile <file.rec>...`: spec file -> checked IR -> generated TypeScript, or the diagnostics that stop it. */
import { isLeft } from "fp-ts/lib/Either.js";
import { mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { checkFileDetailed } from "../check/index.js";
import { emitModule } from "../codegen/emit.js";
import type { CheckedSpec } from "../ir/spec.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { writeFileAtomic } from "../util/fs.js";
import { packageRoot, posixRelative } from "../util/paths.js";

export interface CompileOutput {
  /** The generated module, or null when the spec has errors or is a library of block definitions. */
  readonly code: string | null;
  /** The file only defines blocks (for imports): nothing to emit, and not an error. */
  readonly library: boolean;
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
  const checked = checkFileDetailed(file);
  const { result, sources, library } = checked;
  if (isLeft(result)) return { code: null, spec: null, library, diagnostics: result.left, sources };
  const { spec, warnings } = result.right;
  const code = emitModule(spec, { specPath: posixRelative(process.cwd(), file), runtimeImport: runtimeImportFrom(outDir) });
  return { code, spec, library: false, diagnostics: warnings, sources };
};

/** Compiles `file` and writes its module as `<outDir>/<name>.ts`; `target` is null when nothing was written. */
export const compileFile = (file: string, outDir: string): CompileOutput & { readonly target: string | null } => {
  const result = compileToTypeScript(file, outDir);
  if (result.code === null) return { ...result, target: null };
  const target = join(outDir, `${basename(file).replace(/\.rec$/, "")}.ts`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileAtomic(target, result.code);
  return { ...result, target };
};
