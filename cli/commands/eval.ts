/**
 * `reccompile eval <run-dir>`: re-score a finished run's best weights on its data, or on other
 * data over the same items, or with inputs of another length (`--max-len`), or with the user's
 * seen items kept in or removed from the ranking (`--seen`).
 */
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { popularityScorer } from "../../src/eval/popularity.js";
import { FORMATS, isFormat } from "../../src/data/formats.js";
import { metricKey, type Metric } from "../../src/ir/spec.js";
import { initBackend, type BackendChoice } from "../../src/runtime/backend.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { prepareData, type DataSource } from "../../src/runner/data.js";
import { applyOverrides } from "../../src/runner/overrides.js";
import { openRun, restoreModel } from "../../src/runner/restore.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("eval", argv, { data: "value", format: "value", backend: "value", "max-len": "value", seen: "value", json: "boolean" });
  if (args.positional.length !== 1) throw new UserError(`reccompile eval: expected one run folder, got ${args.positional.length}`);
  const runDir = args.positional[0]!;
  const seenFlag = stringFlag(args, "seen");
  if (seenFlag !== undefined && seenFlag !== "keep" && seenFlag !== "exclude") throw new UserError(`reccompile eval: --seen must be keep or exclude, got '${seenFlag}'`);
  const restored = await openRun(runDir);
  const format = stringFlag(args, "format") ?? "auto";
  if (format !== "auto" && !isFormat(format)) throw new UserError(`reccompile eval: unknown --format '${format}' (expected auto, ${FORMATS.join(", ")})`);
  const dataPath = stringFlag(args, "data");
  const source: DataSource = dataPath === undefined ? restored.source : { kind: "file", path: dataPath, format };
  const trainedLen = restored.module.config.data.maxLen;
  const maxLen = intFlag("eval", args, "max-len", 1, 1_000_000) ?? trainedLen;
  // A learned positional table bounds the input length: applyOverrides names the spec line that does.
  applyOverrides(restored.spec, { maxLen });
  const data = prepareData(source, { ...restored.module.config.data, maxLen });
  if (data.split.numItems !== restored.idMaps.items.length - 1) {
    throw new UserError(`the data has ${data.split.numItems} items but the run was trained on ${restored.idMaps.items.length - 1}; pass the run's data with --data`);
  }
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  await initBackend((stringFlag(args, "backend") ?? "auto") as BackendChoice, log);
  await setKernelImpl("auto", log);
  const model = restoreModel(restored, maxLen);
  const cfg = restored.module.config;
  const metrics: Metric[] = [...cfg.eval.metrics];
  const scorer = "params" in model ? model.scorer() : popularityScorer(data.split);
  const excludeSeen = seenFlag === undefined ? cfg.eval.excludeSeen : seenFlag === "exclude";
  const opts = { numItems: data.split.numItems, metrics, excludeSeen };
  const valid = (await evaluate(scorer, data.split.valid, opts)).metrics;
  const test = (await evaluate(scorer, data.split.test, opts)).metrics;
  const keys = metrics.map(metricKey);
  const w = Math.max(6, ...keys.map((k) => k.length));
  const inputs = maxLen === trainedLen ? "" : `, inputs of the most recent ${maxLen} items (trained with ${trainedLen})`;
  const seen = excludeSeen === cfg.eval.excludeSeen ? "" : `, seen items ${excludeSeen ? "removed from" : "kept in"} the ranking (the run's spec ${cfg.eval.excludeSeen ? "removes" : "keeps"} them)`;
  process.stdout.write(`${restored.metrics.model} (${runDir}) on ${data.name}${inputs}${seen}\n${"metric".padEnd(w)}  ${"valid".padStart(7)}  ${"test".padStart(7)}  recorded test\n`);
  for (const k of keys) {
    process.stdout.write(`${k.padEnd(w)}  ${valid[k]!.toFixed(4).padStart(7)}  ${test[k]!.toFixed(4).padStart(7)}  ${(restored.metrics.test[k] ?? NaN).toFixed(4).padStart(7)}\n`);
  }
  if ("params" in model) model.dispose();
  if (boolFlag(args, "json")) process.stdout.write(`${JSON.stringify({ model: restored.metrics.model, dataset: data.name, max_len: maxLen, exclude_seen: excludeSeen, valid, test })}\n`);
  return 0;
};
