/**
 * Runs the generated code itself: the spec is emitted as TypeScript into the run folder
 * (`model.ts`, what a researcher reads), transpiled beside it (`model.mjs`, what ran) with its
 * runtime import pointed at this installation, and imported.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ts } from "ts-morph";
import { emitModule } from "../codegen/emit.js";
import type { CheckedSpec } from "../ir/spec.js";
import type { BuildContext, Model, RunConfig } from "../runtime/definition.js";
import { writeFileAtomic } from "../util/fs.js";
import { RUN_FILES } from "./run_folder.js";
import type { RunOptions, RunResult } from "./run_model.js";

/** What a generated module exports. */
export interface GeneratedModule {
  readonly config: RunConfig;
  readonly build: (ctx: BuildContext) => Model;
  readonly run: (options: RunOptions) => Promise<RunResult>;
}

/** The compiled api module of this installation (dist when compiled, src under tsx). */
const apiUrl = (): string => new URL("../api.js", import.meta.url).href;

const RUNTIME_PLACEHOLDER = "reccompile/api";

export const loadGenerated = async (spec: CheckedSpec, specPath: string, runDir: string): Promise<GeneratedModule> => {
  const source = emitModule(spec, { specPath, runtimeImport: RUNTIME_PLACEHOLDER });
  writeFileAtomic(join(runDir, RUN_FILES.generated), source.replace(`"${RUNTIME_PLACEHOLDER}"`, `"${apiUrl()}"`));
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: RUN_FILES.generated,
  }).outputText.replace(`"${RUNTIME_PLACEHOLDER}"`, `"${apiUrl()}"`);
  const compiled = join(runDir, RUN_FILES.compiled);
  writeFileAtomic(compiled, js);
  return (await import(`${pathToFileURL(compiled).href}?t=${Date.now()}`)) as GeneratedModule;
};

/**
 * A finished run's own generated module (`model.mjs`), run on this process's runtime. The module's
 * runtime import names the installation that trained it: the main installation, a study's frozen
 * copy of it (study/freeze.ts), or one since removed or on another machine. Importing it as it is
 * would load a second runtime beside this process's, whose backend and native kernels this process
 * never set up (measured: a 4x slower evaluation of an ML-1M run, on the TypeScript kernels); so
 * unless it names this installation's runtime, the same generated code is imported from a temporary
 * copy that names this one (the run folder is never written). `note` says so when the installation
 * it names no longer exists.
 */
export const importRunModule = async (runDir: string, note: (text: string) => void): Promise<GeneratedModule> => {
  const compiled = join(runDir, RUN_FILES.compiled);
  const js = readFileSync(compiled, "utf8");
  const recorded = /^import \* as rt from "([^"]+)";$/m.exec(js)?.[1];
  if (recorded === undefined || recorded === apiUrl()) return (await import(pathToFileURL(compiled).href)) as GeneratedModule;
  const tmp = mkdtempSync(join(tmpdir(), "reccompile-model-"));
  try {
    const copy = join(tmp, RUN_FILES.compiled);
    writeFileSync(copy, js.replace(`"${recorded}"`, `"${apiUrl()}"`));
    const module = (await import(pathToFileURL(copy).href)) as GeneratedModule;
    if (!installed(recorded)) note(`note: ${compiled} was trained by an installation that is gone (${recorded}); its generated code runs on this installation's runtime\n`);
    return module;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
};

/** Whether the api module a run recorded is still there (compiled, or its source when it ran under tsx). */
const installed = (url: string): boolean => {
  if (!url.startsWith("file:")) return true;
  const path = fileURLToPath(url);
  return existsSync(path) || existsSync(path.replace(/\.js$/, ".ts"));
};
