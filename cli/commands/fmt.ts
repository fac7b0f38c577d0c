/**
 * `reccompile fmt [--check|--write] <file.rec>...`: prints the canonical form to stdout; --check lists
 * files that are not canonical (exit 1); --write rewrites them atomically.
 */
import { parseArgs, boolFlag } from "../args.js";
import { formatFile } from "../../src/app/fmt.js";
import { renderDiagnostics } from "../../src/lang/render.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("fmt", argv, { check: "boolean", write: "boolean" });
  const check = boolFlag(args, "check");
  const write = boolFlag(args, "write");
  if (check && write) throw new UserError("reccompile fmt: use --check or --write, not both");
  if (args.positional.length === 0) throw new UserError("usage: reccompile fmt [--check|--write] <file.rec>...");
  let status = 0;
  const unformatted: string[] = [];
  for (const file of args.positional) {
    const r = formatFile(file, write);
    if (r.kind === "unreadable") process.stderr.write(`${file}: ${r.error}\n`);
    else if (r.kind === "invalid") process.stderr.write(renderDiagnostics(r.diagnostics, r.sources));
    else if (check) { if (r.changed) unformatted.push(file); }
    else if (!write) process.stdout.write(r.text);
    if (r.kind !== "formatted") status = 1;
  }
  if (unformatted.length > 0) {
    process.stderr.write(`not formatted (run reccompile fmt --write):\n${unformatted.map((f) => `  ${f}\n`).join("")}`);
    status = 1;
  }
  return status;
};
