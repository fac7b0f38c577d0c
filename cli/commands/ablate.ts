/**
 * `reccompile ablate <spec> [--out DIR] [--dry-run] [--run [--data PATH] [--format F] [--epochs N] [--seed N] [--jobs N]]`
 * --dry-run: lists the variants with their IR diff against the base, writes nothing.
 * default:   writes the variant specs to DIR (default specs/ablations/<base>/ beside the spec).
 * --run:     also trains the base and every variant (resumable, `--jobs` at a time) and writes
 *            DIR/ablation.md, DIR/ablation.csv and DIR/ablation.svg.
 */
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { ablate } from "../../src/app/ablate.js";
import { UserError } from "../../src/util/errors.js";
import { reportDiagnostics } from "./report.js";

const USAGE = "usage: reccompile ablate <file.rec> [--out DIR] [--dry-run] [--run [--data PATH] [--format F] [--epochs N] [--seed N] [--jobs N]]";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("ablate", argv, {
    out: "value", "dry-run": "boolean", run: "boolean", data: "value", format: "value", epochs: "value", seed: "value", jobs: "value",
  });
  if (args.positional.length !== 1) throw new UserError(USAGE);
  const dryRun = boolFlag(args, "dry-run");
  const doRun = boolFlag(args, "run");
  if (dryRun && doRun) throw new UserError("reccompile ablate: use --dry-run or --run, not both");
  const flags = {
    data: stringFlag(args, "data"),
    format: stringFlag(args, "format"),
    epochs: intFlag("ablate", args, "epochs", 1),
    seed: intFlag("ablate", args, "seed", 0),
  };
  const jobs = intFlag("ablate", args, "jobs", 1, 64) ?? 1;
  if (!doRun) {
    for (const name of ["data", "format", "epochs", "seed", "jobs"]) {
      if (args.flags.has(name)) throw new UserError(`reccompile ablate: --${name} only applies with --run`);
    }
  }
  const failed = await ablate({
    specFile: args.positional[0]!,
    outDir: stringFlag(args, "out"),
    mode: dryRun ? "dry-run" : doRun ? "run" : "write",
    flags,
    jobs,
    out: process.stdout,
    err: process.stderr,
    diagnostics: reportDiagnostics,
  });
  return failed > 0 ? 1 : 0;
};
