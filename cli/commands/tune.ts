/**
 * `reccompile tune <spec> [--data PATH] [--format F] [--backend B] [--trials N] [--jobs N] [--executor local|slurm ...] [--out DIR] [--dry-run] [--json]`
 * --dry-run: lists the trials with their IR diff against the base, writes nothing.
 * default:   writes the trial specs to DIR (default tune/<base>/ beside the spec), trains them
 *            (successive halving with `asha`; resumable, `--jobs` at a time or as Slurm job arrays),
 *            writes DIR/tune.md, .csv, .svg and DIR/best.rec.
 */
import { boolFlag, intFlag, oneOf, parseArgs, stringFlag } from "../args.js";
import { EXECUTORS, studyRunner } from "../../src/app/study/executor.js";
import { isFollowUp } from "../../src/app/study/slurm.js";
import { tune } from "../../src/app/tune/tune.js";
import { UserError } from "../../src/util/errors.js";
import { reportDiagnostics } from "./report.js";

const USAGE = "usage: reccompile tune <file.rec> [--data PATH] [--format F] [--backend B] [--trials N] [--jobs N] [--executor local|slurm [--slurm-* ...] [--detach] [--retries N]] [--out DIR] [--dry-run] [--json]";

const SLURM = ["slurm-partition", "slurm-time", "slurm-cpus-per-task", "slurm-mem", "slurm-gpus", "slurm-extra"] as const;

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("tune", argv, {
    out: "value", "dry-run": "boolean", json: "boolean", data: "value", format: "value", backend: "value", trials: "value", jobs: "value",
    executor: "value", ...Object.fromEntries(SLURM.map((f) => [f, "value" as const])), detach: "boolean", retries: "value",
  });
  if (args.positional.length !== 1) throw new UserError(USAGE);
  const dryRun = boolFlag(args, "dry-run");
  if (dryRun) {
    for (const name of ["data", "format", "backend", "jobs", "executor", ...SLURM, "detach", "retries", "json"]) {
      if (args.flags.has(name)) throw new UserError(`reccompile tune: --${name} does not apply with --dry-run (nothing is trained)`);
    }
  }
  const runner = dryRun
    ? undefined
    : studyRunner("reccompile tune", {
      executor: oneOf("tune", "executor", stringFlag(args, "executor"), EXECUTORS, "local"),
      slurm: {
        partition: stringFlag(args, "slurm-partition"),
        time: stringFlag(args, "slurm-time"),
        cpusPerTask: intFlag("tune", args, "slurm-cpus-per-task", 1, 4096),
        mem: stringFlag(args, "slurm-mem"),
        gpus: stringFlag(args, "slurm-gpus"),
        extra: stringFlag(args, "slurm-extra"),
      },
      detach: boolFlag(args, "detach"),
      retries: intFlag("tune", args, "retries", 0, 100),
      origin: ["reccompile", "tune", ...argv].join(" "),
    });
  const json = boolFlag(args, "json");
  const outcome = await tune({
    specFile: args.positional[0]!,
    outDir: stringFlag(args, "out"),
    dryRun,
    trials: intFlag("tune", args, "trials", 1, 10_000),
    flags: { data: stringFlag(args, "data"), format: stringFlag(args, "format"), backend: stringFlag(args, "backend") },
    jobs: intFlag("tune", args, "jobs", 1, 64) ?? 1,
    runner,
    command: ["tune", ...argv],
    followUpJob: isFollowUp(),
    out: process.stdout,
    err: process.stderr,
    diagnostics: reportDiagnostics,
  });
  if (outcome === null) return 0;
  if (json) {
    const r = outcome.report;
    process.stdout.write(`${JSON.stringify({
      best: outcome.best, failed: outcome.failed, queued: outcome.queued,
      metric: r?.metric ?? null, base_valid: r?.base.value ?? null,
      test: r?.test?.map((c) => ({ metric: c.metric, winner: c.value, base: c.base, delta: c.delta, p_ttest: c.pT, p_wilcoxon: c.pWilcoxon, users: c.n })) ?? null,
      trials: r?.trials.map((t) => ({ id: t.id, point: Object.fromEntries(t.point.map((x) => [x.param, x.value])), epochs: t.curve.length, valid: t.value, best_epoch: t.bestEpoch, outcome: t.outcome })) ?? [],
    })}\n`);
  }
  return outcome.failed > 0 ? 1 : 0;
};
