/** `reccompile check <file.rec>...`: diagnostics to stderr, a one-line summary; exit 1 on any error. */
import { parseArgs } from "../args.js";
import { checkFiles } from "../../src/app/check.js";
import { renderDiagnostics, summarize } from "../../src/lang/render.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("check", argv, {});
  if (args.positional.length === 0) throw new UserError("usage: reccompile check <file.rec>...");
  const checked = checkFiles(args.positional);
  for (const c of checked) if (c.diagnostics.length > 0) process.stderr.write(renderDiagnostics(c.diagnostics, c.sources));
  const failed = checked.filter((c) => c.failed).length;
  const n = checked.length;
  process.stderr.write(`checked ${n} file${n === 1 ? "" : "s"}: ${summarize(checked.flatMap((c) => c.diagnostics))}${failed > 0 ? `, ${failed} file${failed === 1 ? "" : "s"} failed` : ""}\n`);
  return failed > 0 ? 1 : 0;
};
