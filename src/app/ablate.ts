/**
 * `reccompile ablate`: the spec's ablation variants, listed with their IR diff against the base
 * (dry run), written as checked spec files, or also trained as a study with its report
 * (study/ablation.ts).
 */
import { isLeft } from "fp-ts/lib/Either.js";
import { buildAblation, writeVariants } from "../ablate/generate.js";
import { checkFileDetailed } from "../check/index.js";
import { UserError } from "../util/errors.js";
import { relativeToCwd } from "../util/paths.js";
import type { DiagnosticSink } from "./diagnostics.js";
import { runAblationStudy } from "./study/ablation.js";
import { localRunner } from "./study/local.js";
import type { RunFlags, StudyRunner } from "./study/runner.js";
import { withStudyLock } from "./study/study_lock.js";
import type { TextSink } from "./text_sink.js";
import { quoteBlock } from "../util/format.js";

export interface AblateOptions {
  readonly specFile: string;
  /** Where the variants go (default: specs/ablations/<spec>/ beside the spec). */
  readonly outDir?: string;
  /** "dry-run": list the variants, write nothing; "write": write the variant specs; "run": also train them and write the report. */
  readonly mode: "dry-run" | "write" | "run";
  /** With "run": the flags of every run. */
  readonly flags: RunFlags;
  /** With "run": runs at a time. */
  readonly jobs: number;
  /** With "run": where the runs run (default: this machine, `localRunner()`). */
  readonly runner?: StudyRunner;
  /** The variants, notes and progress. */
  readonly out: TextSink;
  /** Rejected variants and failed runs. */
  readonly err: TextSink;
  /** The base spec's diagnostics when it does not check. */
  readonly diagnostics: DiagnosticSink;
}

/** Generates (and with mode "run", trains) the ablation; the number of runs that failed. */
export const ablate = async (o: AblateOptions): Promise<number> => {
  const { specFile: file, out } = o;
  const checked = checkFileDetailed(file);
  if (isLeft(checked.result)) {
    o.diagnostics(checked.result.left, checked.sources);
    throw new UserError(`reccompile ablate: ${file} does not check; fix it before generating ablations`);
  }
  const spec = checked.result.right.spec;
  const a = buildAblation(spec, file, o.outDir);

  for (const n of a.notes) out.write(`note: ${n}\n`);
  if (o.mode === "dry-run") {
    out.write(`${a.variants.length} variant${a.variants.length === 1 ? "" : "s"} of ${file}${a.rejected.length > 0 ? ` (${a.rejected.length} rejected)` : ""}; nothing written (would write to ${relativeToCwd(a.outDir)}/)\n`);
    for (const v of a.variants) {
      out.write(`\n${v.id}: ${v.description}\n${v.diff.map((d) => `  ${d}\n`).join("")}`);
      if (v.warnings) out.write(`${quoteBlock(v.warnings)}\n`);
    }
  }
  for (const r of a.rejected) {
    o.err.write(`\nrejected ${r.id}: ${r.description}\n${r.diff.map((d) => `  ${d}\n`).join("")}${quoteBlock(r.reason)}\n`);
  }
  if (o.mode === "dry-run") return 0;

  // One writer at a time: a second `ablate` on the same folder is refused, naming the first.
  return withStudyLock(a.outDir, "reccompile ablate", { notice: (line) => o.err.write(`note: ${line}\n`) }, async () => {
    const written = writeVariants(a);
    out.write(`wrote ${written.length} variant spec${written.length === 1 ? "" : "s"} to ${relativeToCwd(a.outDir)}/${a.rejected.length > 0 ? ` (${a.rejected.length} rejected, see above)` : ""}\n`);
    if (o.mode !== "run") return 0;
    return runAblationStudy({ ablation: a, spec, flags: o.flags, jobs: o.jobs, runner: o.runner ?? localRunner(), out, err: o.err });
  });
};
