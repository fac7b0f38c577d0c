/** `reccompile recommend <run-dir> --history 12,7,301 [--k 10] [--titles FILE] [--item-map TSV]`: top-K items for a history. */
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { popularityScorer } from "../../src/eval/popularity.js";
import { initBackend } from "../../src/runtime/backend.js";
import { setKernelImpl } from "../../src/kernels/select.js";
import { prepareData } from "../../src/runner/data.js";
import { openRun, restoreModel } from "../../src/runner/restore.js";
import { readItemMap, readTitles } from "../../src/runner/titles.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("recommend", argv, { history: "value", k: "value", titles: "value", "item-map": "value", json: "boolean" });
  if (args.positional.length !== 1) throw new UserError(`reccompile recommend: expected one run folder, got ${args.positional.length}`);
  const historyText = stringFlag(args, "history");
  if (historyText === undefined || historyText.trim() === "") throw new UserError("reccompile recommend: --history is required, e.g. --history 12,7,301 (item ids of the data, oldest first)");
  const k = intFlag("recommend", args, "k", 1, 100_000) ?? 10;
  const restored = await openRun(args.positional[0]!);
  const internal = new Map(restored.idMaps.items.map((id, i) => [id, i] as const));
  const history = historyText.split(",").map((s) => s.trim()).map((id) => {
    const i = internal.get(id);
    if (i === undefined || i === 0) throw new UserError(`reccompile recommend: item '${id}' in --history is not an item of the run's data`);
    return i;
  });
  const titles = stringFlag(args, "titles") === undefined ? null : readTitles(stringFlag(args, "titles")!);
  const itemMap = stringFlag(args, "item-map") === undefined ? null : readItemMap(stringFlag(args, "item-map")!);
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  await initBackend("auto", log);
  await setKernelImpl("auto", log);
  const model = restoreModel(restored);
  const scorer = "params" in model ? model.scorer() : popularityScorer(prepareData(restored.source, restored.module.config.data).split);
  const scores = await scorer([Int32Array.from(history)]);
  const numItems = restored.idMaps.items.length - 1;
  const order = Array.from({ length: numItems }, (_, i) => i + 1).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
  const rows = order.map((item, r) => {
    const id = restored.idMaps.items[item]!;
    const titleKey = itemMap?.get(id) ?? id;
    return { rank: r + 1, item: id, score: scores[item]!, title: titles?.get(titleKey) ?? null };
  });
  if (boolFlag(args, "json")) {
    process.stdout.write(`${JSON.stringify({ history: history.map((i) => restored.idMaps.items[i]), recommendations: rows })}\n`);
  } else {
    for (const r of rows) process.stdout.write(`${String(r.rank).padStart(3)}  ${r.item.padStart(6)}  ${r.score.toFixed(4).padStart(9)}${r.title ? `  ${r.title}` : ""}\n`);
  }
  if ("params" in model) model.dispose();
  return 0;
};
