/**
 * `reccompile ablate <spec> [--out DIR] [--dry-run] [--run [--data PATH] [--format F] [--epochs N] [--seed N] [--backend B] [--jobs N]]`
 * --dry-run: lists the variants with their IR diff against the base, writes nothing.
 * default:   writes the variant specs to DIR (default specs/ablations/<base>/ beside the spec).
 * --run:     also trains the base and every variant (resumable, `--jobs` at a time) and writes
 *            DIR/ablation.md, DIR/ablation.csv and DIR/ablation.svg.
 * --executor slurm [--slurm-* ...] [--detach] [--retries N]: the runs as a Slurm job array
 *            (src/app/study/slurm.ts; docs/cluster.md).
 */
import { boolFlag, intFlag, oneOf, parseArgs, stringFlag } from "../args.js";
import { ablate } from "../../src/app/ablate.js";
import { EXECUTORS, studyRunner } from "../../src/app/study/executor.js";
import { UserError } from "../../src/util/errors.js";
import { reportDiagnostics } from "./report.js";

const USAGE = "usage: reccompile ablate <file.rec> [--out DIR] [--dry-run] [--run [--data PATH] [--format F] [--epochs N] [--seed N] [--backend B] [--jobs N] [--executor local|slurm [--slurm-* ...] [--detach] [--retries N]]]";

const SLURM = ["slurm-partition", "slurm-time", "slurm-cpus-per-task", "slurm-mem", "slurm-gpus", "slurm-extra"] as const;

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("ablate", argv, {
    out: "value", "dry-run": "boolean", run: "boolean", data: "value", format: "value", epochs: "value", seed: "value", jobs: "value", backend: "value",
    executor: "value", ...Object.fromEntries(SLURM.map((f) => [f, "value" as const])), detach: "boolean", retries: "value",
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
    backend: stringFlag(args, "backend"),
  };
  const jobs = intFlag("ablate", args, "jobs", 1, 64) ?? 1;
  if (!doRun) {
    for (const name of ["data", "format", "epochs", "seed", "backend", "jobs", "executor", ...SLURM, "detach", "retries"]) {
      if (args.flags.has(name)) throw new UserError(`reccompile ablate: --${name} only applies with --run`);
    }
  }
  const runner = doRun
    ? studyRunner("reccompile ablate", {
      executor: oneOf("ablate", "executor", stringFlag(args, "executor"), EXECUTORS, "local"),
      slurm: {
        partition: stringFlag(args, "slurm-partition"),
        time: stringFlag(args, "slurm-time"),
        cpusPerTask: intFlag("ablate", args, "slurm-cpus-per-task", 1, 4096),
        mem: stringFlag(args, "slurm-mem"),
        gpus: stringFlag(args, "slurm-gpus"),
        extra: stringFlag(args, "slurm-extra"),
      },
      detach: boolFlag(args, "detach"),
      retries: intFlag("ablate", args, "retries", 0, 100),
      origin: ["reccompile", "ablate", ...argv].join(" "),
    })
    : undefined;
  const failed = await ablate({
    specFile: args.positional[0]!,
    outDir: stringFlag(args, "out"),
    mode: dryRun ? "dry-run" : doRun ? "run" : "write",
    flags,
    jobs,
    runner,
    out: process.stdout,
    err: process.stderr,
    diagnostics: reportDiagnostics,
  });
  return failed > 0 ? 1 : 0;
};
