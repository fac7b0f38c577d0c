/**
 * `reccompile ablate <spec> [--out DIR] [--dry-run] [--run [--data PATH] [--format F] [--epochs N] [--seed N] [--jobs N]]`
 * --dry-run: lists the variants with their IR diff against the base, writes nothing.
 * default:   writes the variant specs to DIR (default specs/ablations/<base>/ beside the spec).
 * --run:     also trains the base and every variant (resumable, `--jobs` at a time) and writes
 *            DIR/ablation.md, DIR/ablation.csv and DIR/ablation.svg.
 */
import { relative } from "node:path";
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { buildAblation, writeVariants } from "../../src/ablate/generate.js";
import { buildReport, readRun, renderCsv, renderMarkdown, renderSvg, type ReportInput } from "../../src/ablate/report.js";
import { runAll, type Job, type JobResult, type RunFlags } from "../../src/ablate/runner.js";
import { checkFileDetailed } from "../../src/check/index.js";
import { renderDiagnostics } from "../../src/lang/render.js";
import { UserError } from "../../src/util/errors.js";
import { writeFileAtomic } from "../../src/util/fs.js";
import { join } from "node:path";

const USAGE = "usage: reccompile ablate <file.rec> [--out DIR] [--dry-run] [--run [--data PATH] [--format F] [--epochs N] [--seed N] [--jobs N]]";

const rel = (p: string): string => { const r = relative(process.cwd(), p); return r === "" ? "." : r.startsWith("..") ? p : r; };

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("ablate", argv, {
    out: "value", "dry-run": "boolean", run: "boolean", data: "value", format: "value", epochs: "value", seed: "value", jobs: "value",
  });
  if (args.positional.length !== 1) throw new UserError(USAGE);
  const file = args.positional[0]!;
  const dryRun = boolFlag(args, "dry-run");
  const doRun = boolFlag(args, "run");
  if (dryRun && doRun) throw new UserError("reccompile ablate: use --dry-run or --run, not both");
  const flags: RunFlags = {
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

  const checked = checkFileDetailed(file);
  if (checked.result._tag === "Left") {
    process.stderr.write(renderDiagnostics(checked.result.left, checked.sources));
    throw new UserError(`reccompile ablate: ${file} does not check; fix it before generating ablations`);
  }
  const spec = checked.result.right.spec;
  const a = buildAblation(spec, file, stringFlag(args, "out"));

  const out = process.stdout;
  for (const n of a.notes) out.write(`note: ${n}\n`);
  if (dryRun) {
    out.write(`${a.variants.length} variant${a.variants.length === 1 ? "" : "s"} of ${file}${a.rejected.length > 0 ? ` (${a.rejected.length} rejected)` : ""}; nothing written (would write to ${rel(a.outDir)}/)\n`);
    for (const v of a.variants) {
      out.write(`\n${v.id}: ${v.description}\n${v.diff.map((d) => `  ${d}\n`).join("")}`);
      if (v.warnings) out.write(`${v.warnings.split("\n").map((l) => `  | ${l}`).join("\n")}\n`);
    }
  }
  for (const r of a.rejected) {
    process.stderr.write(`\nrejected ${r.id}: ${r.description}\n${r.diff.map((d) => `  ${d}\n`).join("")}${r.reason.split("\n").map((l) => `  | ${l}`).join("\n")}\n`);
  }
  if (dryRun) return 0;

  const written = writeVariants(a);
  out.write(`wrote ${written.length} variant spec${written.length === 1 ? "" : "s"} to ${rel(a.outDir)}/${a.rejected.length > 0 ? ` (${a.rejected.length} rejected, see above)` : ""}\n`);
  if (!doRun) return 0;

  const runsDir = join(a.outDir, "runs");
  const list: Job[] = [{ id: "base", specFile: file }, ...a.variants.map((v) => ({ id: v.id, specFile: v.file }))];
  if (flags.epochs !== undefined && spec.ablate.some((s) => s.param === "epochs")) {
    out.write("note: --epochs overrides the epochs of every run, the `epochs` sweep included\n");
  }
  let finished = 0;
  const progress = (r: JobResult): void => {
    finished++;
    const head = `[${finished}/${list.length}] ${r.id}`;
    if (r.staleMoved) out.write(`note: ${r.id}: its spec or run flags changed since it finished; the old run was moved to ${rel(r.staleMoved)}\n`);
    if (r.status === "skipped") out.write(`${head}: finished earlier, skipped (${rel(r.dir)})\n`);
    else if (r.status === "failed") out.write(`${head}: FAILED after ${r.seconds.toFixed(1)}s: ${r.error?.split("\n")[0] ?? ""}\n`);
    else {
      const m = readRun(r.dir)?.metrics.test ?? {};
      out.write(`${head}: done in ${r.seconds.toFixed(1)}s; test ${Object.entries(m).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(", ")}\n`);
    }
  };
  const results = await runAll(list, runsDir, flags, jobs, progress);
  const byId = new Map(results.map((r) => [r.id, r]));
  const baseRun = readRun(join(runsDir, "base"));
  if (baseRun === null) {
    throw new UserError(`reccompile ablate: the base run failed, so there is nothing to compare against:\n${byId.get("base")?.error ?? ""}`);
  }
  const input: ReportInput = {
    baseFile: file,
    base: baseRun,
    budget: [
      `data ${flags.data ?? "built-in synthetic"}${flags.format ? ` (${flags.format})` : ""}`,
      `epochs ${flags.epochs ?? `${spec.train.epochs} (spec)`}${spec.train.earlyStopping ? `, early stopping on ${spec.train.earlyStopping.metric.name}@${spec.train.earlyStopping.metric.k} (patience ${spec.train.earlyStopping.patience})` : ""}`,
      `seed ${flags.seed ?? `${spec.train.seed} (spec)`}`,
    ].join(", "),
    variants: a.variants.map((v) => ({ id: v.id, description: v.description, run: readRun(join(runsDir, v.id)), error: byId.get(v.id)?.error })),
  };
  const report = buildReport(input);
  writeFileAtomic(join(a.outDir, "ablation.md"), renderMarkdown(report, input));
  writeFileAtomic(join(a.outDir, "ablation.csv"), renderCsv(report));
  writeFileAtomic(join(a.outDir, "ablation.svg"), renderSvg(report, input));
  out.write(`wrote ${rel(join(a.outDir, "ablation.md"))}, ablation.csv and ablation.svg\n`);
  const failed = results.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    process.stderr.write(`${failed.length} run${failed.length === 1 ? "" : "s"} failed:\n${failed.map((f) => `  ${f.id}: ${f.error ?? ""}\n`).join("")}`);
    return 1;
  }
  return 0;
};
