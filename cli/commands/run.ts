/** `reccompile run <file.rec>`: compile, load or generate the data, train, evaluate, write a run folder. */
import { boolFlag, intFlag, oneOf, parseArgs, stringFlag } from "../args.js";
import { BACKENDS, FORMATS, isFormat, KERNELS } from "../../src/app/options.js";
import { runSpec } from "../../src/app/run.js";
import { UserError } from "../../src/util/errors.js";
import { reportDiagnostics } from "./report.js";
import { printSummary } from "../summary.js";

const FLAGS = {
  data: "value", format: "value", epochs: "value", patience: "value", "max-len": "value", batch: "value", seed: "value",
  backend: "value", kernels: "value", out: "value", resume: "boolean", json: "boolean",
} as const;

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("run", argv, FLAGS);
  if (args.positional.length !== 1) throw new UserError(`reccompile run: expected one spec file, got ${args.positional.length}`);
  const format = stringFlag(args, "format") ?? "auto";
  if (format !== "auto" && !isFormat(format)) throw new UserError(`reccompile run: unknown --format '${format}' (expected auto, ${FORMATS.join(", ")})`);
  const data = stringFlag(args, "data");
  if (stringFlag(args, "format") !== undefined && data === undefined) throw new UserError("reccompile run: --format needs --data (the built-in data has no format)");
  const outcome = await runSpec({
    specFile: args.positional[0]!,
    data,
    format,
    overrides: {
      epochs: intFlag("run", args, "epochs", 1, 1_000_000),
      maxLen: intFlag("run", args, "max-len", 1, 1_000_000),
      batch: intFlag("run", args, "batch", 1, 1 << 30),
      seed: intFlag("run", args, "seed", 0, 2 ** 32 - 1),
      patience: intFlag("run", args, "patience", 1, 1_000_000),
    },
    backend: oneOf("run", "backend", stringFlag(args, "backend"), BACKENDS, "auto"),
    kernels: oneOf("run", "kernels", stringFlag(args, "kernels") ?? process.env.REC_KERNELS, KERNELS, "auto"),
    out: stringFlag(args, "out"),
    resume: boolFlag(args, "resume"),
    argv: ["run", ...argv],
    log: process.stderr,
    diagnostics: reportDiagnostics,
  });
  if (outcome === null) return 1;
  printSummary(process.stdout, outcome.result, outcome.out);
  if (boolFlag(args, "json")) process.stdout.write(`${JSON.stringify(outcome.result)}\n`);
  return 0;
};
