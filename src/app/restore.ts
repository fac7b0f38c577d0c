/** Reopening a finished run folder: its resolved spec, its generated module, its weights, its data. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isLeft } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { checkText } from "../check/index.js";
import { loadIdMaps, type IdMaps } from "../data/load.js";
import type { DataSource } from "../data/prepare.js";
import type { CheckedSpec } from "../ir/spec.js";
import { renderDiagnostics } from "../lang/render.js";
import type { BuildContext, Model } from "../runtime/definition.js";
import { ParamStore, type SavedParams } from "../runtime/params.js";
import { UserError } from "../util/errors.js";
import { acquireRunLock } from "./run_lock.js";
import { readJsonFile } from "../util/json.js";
import { Rng } from "../util/rng.js";
import { importRunModule, type GeneratedModule } from "./generated.js";
import { RUN_FILES, isComplete } from "./run_folder.js";
import type { RunResult } from "./run_model.js";

export interface RestoredRun {
  readonly dir: string;
  readonly spec: CheckedSpec;
  readonly source: DataSource;
  readonly idMaps: IdMaps;
  readonly metrics: RunResult;
  readonly module: GeneratedModule;
}

const readJson = <T>(dir: string, file: string): T => readJsonFile(join(dir, file), t.unknown, "a run file") as T;

/**
 * Reading a run takes its lock for the rest of the process, so that no `--resume` rewrites its
 * weights meanwhile. A folder this process may not write (a shared, read-only copy) is read without.
 */
const holdWhileReading = (dir: string, command: string): void => {
  try {
    acquireRunLock(dir, command);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EACCES" && code !== "EROFS" && code !== "EPERM") throw err;
  }
};

export const openRun = async (runDir: string, command = "reccompile eval", note: (text: string) => void = (text) => process.stderr.write(text)): Promise<RestoredRun> => {
  const dir = resolve(runDir);
  if (!existsSync(dir)) throw new UserError(`no run folder at ${runDir}`);
  const specFile = join(dir, RUN_FILES.spec);
  if (!existsSync(specFile)) throw new UserError(`${runDir} is not a run folder (no ${RUN_FILES.spec}); \`reccompile run SPEC --out DIR\` makes one`);
  if (!isComplete(dir)) throw new UserError(`${runDir} is not a finished run (no ${RUN_FILES.metrics}); finish it with \`reccompile run ... --out ${runDir} --resume\``);
  holdWhileReading(dir, command);
  const checked = checkText(specFile, readFileSync(specFile, "utf8"));
  if (isLeft(checked)) throw new UserError(`${specFile} does not check:\n${renderDiagnostics(checked.left, new Map())}`);
  const data = readJson<{ source: DataSource }>(dir, RUN_FILES.data);
  const module = await importRunModule(dir, note);
  return { dir, spec: checked.right.spec, source: data.source, idMaps: loadIdMaps(dir), metrics: readJson<RunResult>(dir, RUN_FILES.metrics), module };
};

/**
 * The run's model with its best weights (neural models), built by the run's own generated code.
 * `maxLen` scores with another input length than the run was trained with (see `reccompile eval --max-len`).
 */
export const restoreModel = (run: RestoredRun, maxLen = run.module.config.data.maxLen): Model => {
  const rng = new Rng(run.module.config.train.seed);
  const numItems = run.idMaps.items.length - 1;
  const ctx: BuildContext = { params: new ParamStore(rng), numItems, numUsers: run.idMaps.users.length, maxLen, rng };
  const model = run.module.build(ctx);
  if ("params" in model) {
    const saved = readJson<SavedParams>(run.dir, RUN_FILES.weights);
    try {
      model.params.load(saved);
    } catch (err) {
      model.dispose();
      throw new UserError(`${join(run.dir, RUN_FILES.weights)}: the saved weights do not fit the run's model (${err instanceof Error ? err.message : String(err)}); the file is damaged or from another run`);
    }
  }
  return model;
};
