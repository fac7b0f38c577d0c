/** `reccompile run <file.rec>`: compile, load or generate the data, train, evaluate, write a run folder. */
import { isLeft } from "fp-ts/lib/Either.js";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { checkFileDetailed, checkText } from "../../src/check/index.js";
import { printSpec } from "../../src/ir/print.js";
import { FORMATS, isFormat } from "../../src/data/formats.js";
import { saveIdMaps } from "../../src/data/load.js";
import { builtInData, prepareData, type DataSource } from "../../src/runner/data.js";
import { applyOverrides } from "../../src/runner/overrides.js";
import { defaultRunDir, environment, openRunDir, RUN_FILES, writeStatus } from "../../src/runner/folder.js";
import { loadGenerated } from "../../src/runner/generated.js";
import { printSummary } from "../../src/runner/summary.js";
import type { BackendChoice } from "../../src/runtime/backend.js";
import { whenInterruptible } from "../../src/runtime/interrupt.js";
import type { KernelImpl } from "../../src/kernels/select.js";
import { UserError } from "../../src/util/errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../../src/util/fs.js";
import { posixRelative } from "../../src/util/paths.js";
import { reportDiagnostics } from "./report.js";

/**
 * What a run folder recorded when it started: its resolved spec and its data source (null where
 * absent). The spec is printed again as this version prints it, so that settings added to the
 * language since (printed with their defaults) do not read as changes.
 */
const recordedRun = (out: string): { specText: string | null; source: DataSource | null } => {
  const read = (f: string): string | null => (existsSync(join(out, f)) ? readFileSync(join(out, f), "utf8") : null);
  const data = read(RUN_FILES.data);
  const source = data === null ? null : (JSON.parse(data) as { source: DataSource }).source;
  const text = read(RUN_FILES.spec);
  const rechecked = text === null ? null : checkText(join(out, RUN_FILES.spec), text);
  const specText = rechecked === null ? null : isLeft(rechecked) ? text : printSpec(rechecked.right.spec);
  return { specText, source: source?.kind === "file" ? { ...source, path: resolve(source.path) } : source };
};

const describeSource = (s: DataSource): string => (s.kind === "file" ? s.path : "the built-in synthetic data");

const FLAGS = {
  data: "value", format: "value", epochs: "value", patience: "value", "max-len": "value", batch: "value", seed: "value",
  backend: "value", kernels: "value", out: "value", resume: "boolean", json: "boolean",
} as const;

const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;
const KERNELS = ["auto", "native", "ts"] as const;

const oneOf = <T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T => {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`reccompile run: --${flag} must be one of ${allowed.join(", ")}, got '${value}'`);
};

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("run", argv, FLAGS);
  if (args.positional.length !== 1) throw new UserError(`reccompile run: expected one spec file, got ${args.positional.length}`);
  const file = args.positional[0]!;
  const format = stringFlag(args, "format") ?? "auto";
  if (format !== "auto" && !isFormat(format)) throw new UserError(`reccompile run: unknown --format '${format}' (expected auto, ${FORMATS.join(", ")})`);
  const dataPath = stringFlag(args, "data");
  if (stringFlag(args, "format") !== undefined && dataPath === undefined) throw new UserError("reccompile run: --format needs --data (the built-in data has no format)");
  const overrides = {
    epochs: intFlag("run", args, "epochs", 1, 1_000_000),
    maxLen: intFlag("run", args, "max-len", 1, 1_000_000),
    batch: intFlag("run", args, "batch", 1, 1 << 30),
    seed: intFlag("run", args, "seed", 0, 2 ** 32 - 1),
    patience: intFlag("run", args, "patience", 1, 1_000_000),
  };
  const backend = oneOf<BackendChoice>("backend", stringFlag(args, "backend"), BACKENDS, "auto");
  const kernels = oneOf<KernelImpl | "auto">("kernels", stringFlag(args, "kernels") ?? process.env.REC_KERNELS, KERNELS, "auto");
  const json = boolFlag(args, "json");
  const resume = boolFlag(args, "resume");

  const checked = checkFileDetailed(file);
  if (isLeft(checked.result)) {
    reportDiagnostics(checked.result.left, checked.sources);
    return 1;
  }
  reportDiagnostics(checked.result.right.warnings, checked.sources);
  const spec = applyOverrides(checked.result.right.spec, overrides);
  const specText = printSpec(spec);
  const out = stringFlag(args, "out") ?? (resume ? undefined : defaultRunDir(spec.model.name));
  if (out === undefined) throw new UserError("reccompile run: --resume needs --out <run folder>");
  const recorded = resume ? recordedRun(out) : null;
  // A resumed run may train for more (or fewer) epochs, with another patience; nothing else may change.
  const withoutLimits = (text: string): string => text.replace(/^ {2}epochs: \d+$/m, "").replace(/(early_stopping\(metric: [^,]+), patience: \d+\)/, "$1)");
  if (recorded && recorded.specText !== null && withoutLimits(recorded.specText) !== withoutLimits(specText)) {
    throw new UserError(`reccompile run --resume: the spec or flags differ from those ${out} was started with (see ${join(out, RUN_FILES.spec)}); resume with the same spec and flags (only --epochs and --patience may change)`);
  }
  const source: DataSource = dataPath === undefined ? recorded?.source ?? builtInData : { kind: "file", path: resolve(dataPath), format };
  if (recorded?.source && JSON.stringify(recorded.source) !== JSON.stringify(source)) {
    throw new UserError(`reccompile run --resume: ${out} was trained on ${describeSource(recorded.source)}, not ${describeSource(source)}; leave out --data to use the recorded data`);
  }
  const data = prepareData(source, spec.data);
  for (const w of data.warnings) process.stderr.write(`warning: ${w}\n`);

  const dir = openRunDir(out, resume, { epochs: spec.train.epochs, patience: spec.train.earlyStopping?.patience ?? null });
  writeStatus(dir, "running");
  writeFileAtomic(join(dir, RUN_FILES.spec), specText);
  writeJsonAtomic(join(dir, RUN_FILES.data), {
    source: data.source, shown: data.source.kind === "file" ? posixRelative(process.cwd(), data.source.path) : "built-in synthetic data",
    name: data.name, users: data.dataset.sequences.length, items: data.split.numItems, interactions: data.interactions, warnings: data.warnings,
  });
  saveIdMaps(data.dataset, dir);

  const interrupt = (): void => {
    const stop = (): void => {
      writeStatus(dir, "interrupted", "stopped by the user (Ctrl-C); continue with --resume");
      const again = ["reccompile", ...process.argv.slice(2).filter((a) => a !== "--resume"), "--resume"].join(" ");
      process.stderr.write(`\ninterrupted: the run folder ${out} is incomplete; continue with \`${again}\`\n`);
      process.exit(1);
    };
    // An epoch that has finished training is validated and checkpointed before the run stops.
    if (whenInterruptible(stop)) process.stderr.write("\ninterrupting once this epoch's checkpoint is written (Ctrl-C again to stop now)\n");
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    const generated = await loadGenerated(spec, posixRelative(process.cwd(), file), dir);
    writeJsonAtomic(join(dir, RUN_FILES.environment), environment({ backend_requested: backend, kernels_requested: kernels, seed: spec.train.seed, spec: file }));
    const result = await generated.run({ data, runDir: dir, backend, kernels, resume, log: process.stderr, specText });
    writeStatus(dir, "complete");
    printSummary(process.stdout, result, out);
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (err) {
    writeStatus(dir, "failed", err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    process.removeListener("SIGINT", interrupt);
    process.removeListener("SIGTERM", interrupt);
  }
};
