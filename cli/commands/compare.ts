/**
 * `reccompile compare <run-dir>...`: validation curves of run folders side by side, epoch by epoch,
 * and finished runs per user against the first finished one.
 */
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { compareJson, compareTable, loadRuns } from "../../src/app/compare.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("compare", argv, { metric: "value", every: "value", json: "boolean" });
  if (args.positional.length === 0) throw new UserError("reccompile compare: expected one or more run folders");
  const metric = stringFlag(args, "metric") ?? "ndcg@10";
  const every = intFlag("compare", args, "every", 1) ?? 1;
  const runs = loadRuns(args.positional);
  if (boolFlag(args, "json")) process.stdout.write(`${JSON.stringify(compareJson(runs, metric))}\n`);
  else process.stdout.write(`${compareTable(runs, { metric, every }).join("\n")}\n`);
  return 0;
};
