/**
 * `reccompile ablate --run`: the base and every variant trained with the same data, seed and
 * budget through a study runner, then the report: ablation.md, .csv and .svg beside the variants.
 */
import { join } from "node:path";
import type { Ablation } from "../../ablate/generate.js";
import { buildReport, readRun, renderCsv, renderMarkdown, renderSvg, type ReportInput } from "../../ablate/report.js";
import type { CheckedSpec } from "../../ir/spec.js";
import { UserError } from "../../util/errors.js";
import { writeFileAtomic } from "../../util/fs.js";
import { relativeToCwd } from "../../util/paths.js";
import type { TextSink } from "../text_sink.js";
import type { JobResult, RunFlags, StudyJob, StudyRunner } from "./runner.js";

export interface AblationStudyOptions {
  readonly ablation: Ablation;
  /** The checked base spec. */
  readonly spec: CheckedSpec;
  readonly flags: RunFlags;
  /** Runs at a time. */
  readonly jobs: number;
  readonly runner: StudyRunner;
  /** Progress lines and what was written. */
  readonly out: TextSink;
  /** The failed runs. */
  readonly err: TextSink;
}

/** Trains the study into `<outDir>/runs/` and writes its report; the number of runs that failed. */
export const runAblationStudy = async (o: AblationStudyOptions): Promise<number> => {
  const { ablation: a, spec, flags, out } = o;
  const runsDir = join(a.outDir, "runs");
  const list: StudyJob[] = [{ id: "base", specFile: a.baseFile, flags }, ...a.variants.map((v) => ({ id: v.id, specFile: v.file, flags }))];
  if (flags.epochs !== undefined && spec.ablate.some((s) => s.param === "epochs")) {
    out.write("note: --epochs overrides the epochs of every run, the `epochs` sweep included\n");
  }
  let finished = 0;
  const progress = (r: JobResult): void => {
    finished++;
    const head = `[${finished}/${list.length}] ${r.id}`;
    if (r.staleMoved) out.write(`note: ${r.id}: its spec or run flags changed since it finished; the old run was moved to ${relativeToCwd(r.staleMoved)}\n`);
    if (r.status === "skipped") out.write(`${head}: finished earlier, skipped (${relativeToCwd(r.dir)})\n`);
    else if (r.status === "failed") out.write(`${head}: FAILED after ${r.seconds.toFixed(1)}s: ${r.error?.split("\n")[0] ?? ""}\n`);
    else {
      const m = readRun(r.dir)?.metrics.test ?? {};
      out.write(`${head}: done in ${r.seconds.toFixed(1)}s; test ${Object.entries(m).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(", ")}\n`);
    }
  };
  // A run interrupted after a checkpoint continues where it stopped, as a finished one is skipped.
  const results = await o.runner.run(list, runsDir, { jobs: o.jobs, resumeUnfinished: true, onDone: progress });
  const queued = results.filter((r) => r.status === "queued");
  if (queued.length > 0) {
    out.write(`${queued.length} run${queued.length === 1 ? "" : "s"} queued or running (${queued.map((r) => r.id).join(", ")}); run the same command again (without --detach to wait) to collect ${queued.length === 1 ? "it" : "them"} and write the report\n`);
    return 0;
  }
  const byId = new Map(results.map((r) => [r.id, r]));
  const baseRun = readRun(join(runsDir, "base"));
  if (baseRun === null) {
    throw new UserError(`reccompile ablate: the base run failed, so there is nothing to compare against:\n${byId.get("base")?.error ?? ""}`);
  }
  const input: ReportInput = {
    baseFile: a.baseFile,
    base: baseRun,
    budget: [
      `data ${flags.data ?? "built-in synthetic"}${flags.format ? ` (${flags.format})` : ""}`,
      `epochs ${flags.epochs ?? `${spec.train.epochs} (spec)`}${spec.train.earlyStopping ? `, early stopping on ${spec.train.earlyStopping.metric.name}@${spec.train.earlyStopping.metric.k} (patience ${spec.train.earlyStopping.patience})` : ""}`,
      `seed ${flags.seed ?? `${spec.train.seed} (spec)`}`,
      ...(flags.backend !== undefined ? [`backend ${flags.backend}`] : []),
    ].join(", "),
    variants: a.variants.map((v) => ({ id: v.id, description: v.description, run: readRun(join(runsDir, v.id)), error: byId.get(v.id)?.error })),
  };
  const report = buildReport(input);
  writeFileAtomic(join(a.outDir, "ablation.md"), renderMarkdown(report, input));
  writeFileAtomic(join(a.outDir, "ablation.csv"), renderCsv(report));
  writeFileAtomic(join(a.outDir, "ablation.svg"), renderSvg(report, input));
  out.write(`wrote ${relativeToCwd(join(a.outDir, "ablation.md"))}, ablation.csv and ablation.svg\n`);
  const failed = results.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    o.err.write(`${failed.length} run${failed.length === 1 ? "" : "s"} failed:\n${failed.map((f) => `  ${f.id}: ${f.error ?? ""}\n`).join("")}`);
  }
  return failed.length;
};
