/** `reccompile explain <file.rec> [--items N] [--users N] [--json]`: resolved spec, layer shapes, parameters, FLOPs per token. */
import { boolFlag, intFlag, parseArgs } from "../args.js";
import { explainFile, explainJson } from "../../src/app/explain.js";
import { renderExplained } from "../../src/ir/explain.js";
import { printSpec } from "../../src/ir/print.js";
import { renderDiagnostics } from "../../src/lang/render.js";
import { UserError } from "../../src/util/errors.js";

/** ML-1M after 5-core filtering, the paper's main dataset. */
const DEFAULT_ITEMS = 3416;
const DEFAULT_USERS = 6040;

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("explain", argv, { items: "value", users: "value", json: "boolean" });
  if (args.positional.length !== 1) throw new UserError("usage: reccompile explain <file.rec> [--items N] [--users N] [--json]");
  const file = args.positional[0]!;
  const items = intFlag("explain", args, "items", 1, 1e9) ?? DEFAULT_ITEMS;
  const users = intFlag("explain", args, "users", 1, 1e9) ?? DEFAULT_USERS;
  const o = explainFile(file, items, users);
  if (!o.ok) {
    process.stderr.write(renderDiagnostics(o.diagnostics, o.sources));
    if (o.libraryOnly) process.stderr.write(`${file} only defines blocks: nothing to explain\n`);
    return 1;
  }
  if (o.warnings.length > 0) process.stderr.write(renderDiagnostics(o.warnings, o.sources));
  if (boolFlag(args, "json")) process.stdout.write(`${JSON.stringify(explainJson(o.spec, o.explained, items))}\n`);
  else process.stdout.write(renderExplained(o.explained, printSpec(o.spec)));
  return 0;
};
