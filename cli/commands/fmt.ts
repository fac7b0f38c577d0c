/**
 * `reccompile fmt [--check|--write] <file.rec>...`: prints the canonical form to stdout; --check lists
 * files that are not canonical (exit 1); --write rewrites them atomically.
 */
import { parseArgs, boolFlag } from "../args.js";
import { readSource } from "../../src/check/load.js";
import { formatSource } from "../../src/lang/format.js";
import { renderDiagnostics } from "../../src/lang/render.js";
import { UserError } from "../../src/util/errors.js";
import { writeFileAtomic } from "../../src/util/fs.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("fmt", argv, { check: "boolean", write: "boolean" });
  const check = boolFlag(args, "check");
  const write = boolFlag(args, "write");
  if (check && write) throw new UserError("reccompile fmt: use --check or --write, not both");
  if (args.positional.length === 0) throw new UserError("usage: reccompile fmt [--check|--write] <file.rec>...");
  let status = 0;
  const unformatted: string[] = [];
  for (const file of args.positional) {
    const src = readSource(file);
    if ("error" in src) {
      process.stderr.write(`${file}: ${src.error}\n`);
      status = 1;
      continue;
    }
    const r = formatSource(file, src.text);
    if (!r.ok) {
      process.stderr.write(renderDiagnostics(r.diagnostics, new Map([[file, src.text]])));
      status = 1;
      continue;
    }
    if (check) {
      if (r.text !== src.text) unformatted.push(file);
    } else if (write) {
      if (r.text !== src.text) writeFileAtomic(file, r.text);
    } else process.stdout.write(r.text);
  }
  if (unformatted.length > 0) {
    process.stderr.write(`not formatted (run reccompile fmt --write):\n${unformatted.map((f) => `  ${f}\n`).join("")}`);
    status = 1;
  }
  return status;
};
