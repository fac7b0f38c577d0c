/** `reccompile recommend <run-dir> --history 12,7,301 [--k 10] [--titles FILE] [--item-map TSV]`: top-K items for a history. */
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { recommend } from "../../src/app/recommend.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("recommend", argv, { history: "value", user: "value", k: "value", titles: "value", "item-map": "value", json: "boolean" });
  if (args.positional.length !== 1) throw new UserError(`reccompile recommend: expected one run folder, got ${args.positional.length}`);
  const history = stringFlag(args, "history");
  if (history === undefined || history.trim() === "") throw new UserError("reccompile recommend: --history is required, e.g. --history 12,7,301 (item ids of the data, oldest first)");
  const r = await recommend({
    runDir: args.positional[0]!,
    k: intFlag("recommend", args, "k", 1, 100_000) ?? 10,
    history: history.split(",").map((s) => s.trim()),
    ...(stringFlag(args, "user") === undefined ? {} : { user: stringFlag(args, "user")! }),
    titles: stringFlag(args, "titles"),
    itemMap: stringFlag(args, "item-map"),
    log: process.stderr,
  });
  if (boolFlag(args, "json")) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    for (const x of r.recommendations) process.stdout.write(`${String(x.rank).padStart(3)}  ${x.item.padStart(6)}  ${x.score.toFixed(4).padStart(9)}${x.title ? `  ${x.title}` : ""}\n`);
  }
  return 0;
};
