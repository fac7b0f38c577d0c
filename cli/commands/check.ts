/** `reccompile check <file.rec>...`: diagnostics to stderr, a one-line summary; exit 1 on any error. */
import { isLeft } from "fp-ts/lib/Either.js";
import { parseArgs } from "../args.js";
import { checkFileDetailed } from "../../src/check/index.js";
import { isError, type Diagnostic } from "../../src/lang/diagnostic.js";
import { renderDiagnostics, summarize } from "../../src/lang/render.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("check", argv, {});
  if (args.positional.length === 0) throw new UserError("usage: reccompile check <file.rec>...");
  const all: Diagnostic[] = [];
  let failed = 0;
  for (const file of args.positional) {
    const o = checkFileDetailed(file);
    const diags = isLeft(o.result) ? o.result.left : o.result.right.warnings;
    if (diags.length > 0) process.stderr.write(renderDiagnostics(diags, o.sources));
    all.push(...diags);
    if (diags.some(isError) || (isLeft(o.result) && !o.library)) failed++;
  }
  const n = args.positional.length;
  process.stderr.write(`checked ${n} file${n === 1 ? "" : "s"}: ${summarize(all)}${failed > 0 ? `, ${failed} file${failed === 1 ? "" : "s"} failed` : ""}\n`);
  return failed > 0 ? 1 : 0;
};
