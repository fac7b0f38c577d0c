/**
 * Runs the generated code itself: the spec is emitted as TypeScript into the run folder
 * (`model.ts`, what a researcher reads), transpiled beside it (`model.mjs`, what ran) with its
 * runtime import pointed at this installation, and imported.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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
