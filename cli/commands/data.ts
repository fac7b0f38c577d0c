/**
 * `reccompile data [PATH] [--format F] [--spec FILE.rec] [--max-len N] [--batch N] [--json]`: the
 * data as a run would see it, before anything is trained (src/app/data.ts).
 */
import { boolFlag, intFlag, parseArgs, stringFlag } from "../args.js";
import { describeData } from "../../src/app/data.js";
import { FORMATS, isFormat } from "../../src/app/options.js";
import { UserError } from "../../src/util/errors.js";
import { reportDiagnostics } from "./report.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("data", argv, { format: "value", spec: "value", "max-len": "value", batch: "value", json: "boolean" });
  if (args.positional.length > 1) throw new UserError(`reccompile data: expected at most one data file, got ${args.positional.length}`);
  const path = args.positional[0];
  const format = stringFlag(args, "format") ?? "auto";
  if (format !== "auto" && !isFormat(format)) throw new UserError(`reccompile data: unknown --format '${format}' (expected auto, ${FORMATS.join(", ")})`);
  if (stringFlag(args, "format") !== undefined && path === undefined) throw new UserError("reccompile data: --format needs a data file (the built-in data has no format)");
  const d = describeData({
    path,
    format,
    specFile: stringFlag(args, "spec"),
    maxLen: intFlag("data", args, "max-len", 1, 1_000_000),
    batch: intFlag("data", args, "batch", 1, 1 << 30),
    diagnostics: reportDiagnostics,
  });
  if (d === null) return 1;
  process.stdout.write(`${d.lines.join("\n")}\n`);
  if (boolFlag(args, "json")) process.stdout.write(`${JSON.stringify(d.json)}\n`);
  return 0;
};
