/**
 * `reccompile eval <run-dir>`: re-score a finished run's best weights on its data, or on other
 * data over the same items, or with inputs of another length (`--max-len`), or with the user's
 * seen items kept in or removed from the ranking (`--seen`).
 */
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { evalRun } from "../../src/app/eval.js";
import { seenLines } from "../../src/app/seen_in_top.js";
import { FORMATS, isFormat, type BackendChoice } from "../../src/app/options.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("eval", argv, { data: "value", format: "value", backend: "value", "max-len": "value", seen: "value", json: "boolean" });
  if (args.positional.length !== 1) throw new UserError(`reccompile eval: expected one run folder, got ${args.positional.length}`);
  const runDir = args.positional[0]!;
  const seen = stringFlag(args, "seen");
  if (seen !== undefined && seen !== "keep" && seen !== "exclude") throw new UserError(`reccompile eval: --seen must be keep or exclude, got '${seen}'`);
  const format = stringFlag(args, "format") ?? "auto";
  if (format !== "auto" && !isFormat(format)) throw new UserError(`reccompile eval: unknown --format '${format}' (expected auto, ${FORMATS.join(", ")})`);
  const r = await evalRun({
    runDir,
    data: stringFlag(args, "data"),
    format,
    // Unchecked, as it always was here (run checks it): an unknown name leaves tfjs's default backend.
    backend: (stringFlag(args, "backend") ?? "auto") as BackendChoice,
    maxLen: intFlag("eval", args, "max-len", 1, 1_000_000),
    seen,
    log: process.stderr,
  });
  const w = Math.max(6, ...r.metrics.map((k) => k.length));
  const inputs = r.maxLen === r.trainedLen ? "" : `, inputs of the most recent ${r.maxLen} items (trained with ${r.trainedLen})`;
  const seenNote = r.excludeSeen === r.specExcludeSeen ? "" : `, seen items ${r.excludeSeen ? "removed from" : "kept in"} the ranking (the run's spec ${r.specExcludeSeen ? "removes" : "keeps"} them)`;
  process.stdout.write(`${r.model} (${runDir}) on ${r.dataset}${inputs}${seenNote}\n${"metric".padEnd(w)}  ${"valid".padStart(7)}  ${"test".padStart(7)}  recorded test\n`);
  for (const k of r.metrics) {
    process.stdout.write(`${k.padEnd(w)}  ${r.valid[k]!.toFixed(4).padStart(7)}  ${r.test[k]!.toFixed(4).padStart(7)}  ${(r.recordedTest[k] ?? NaN).toFixed(4).padStart(7)}\n`);
  }
  for (const line of seenLines([["valid", r.seenInTop.valid], ["test", r.seenInTop.test], ["recorded test", r.recordedSeenInTop]])) process.stdout.write(`${line}\n`);
  if (r.excludeSeen) process.stdout.write("(seen items removed from the ranking: a seen item in the top K is a target the user had seen before)\n");
  if (boolFlag(args, "json")) {
    process.stdout.write(`${JSON.stringify({ model: r.model, dataset: r.dataset, max_len: r.maxLen, exclude_seen: r.excludeSeen, valid: r.valid, test: r.test, seen_in_top: r.seenInTop })}\n`);
  }
  return 0;
};
