/** `reccompile <file.rec>...`: check each spec and emit generated/<name>.ts. */
import { resolve } from "node:path";
import { parseArgs } from "../args.js";
import { compileFile } from "../../src/app/compile.js";
import { posixRelative } from "../../src/util/paths.js";
import { reportDiagnostics } from "./report.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("compile", argv, { "out-dir": "value", quiet: "boolean" });
  const outDir = resolve((args.flags.get("out-dir") as string | undefined) ?? "generated");
  let failed = false;
  for (const file of args.positional) {
    const result = compileFile(file, outDir);
    reportDiagnostics(result.diagnostics, result.sources);
    if (result.library) {
      if (!args.flags.has("quiet")) process.stdout.write(`${file}: block definitions only, nothing to emit\n`);
      continue;
    }
    if (result.target === null) { failed = true; continue; }
    if (!args.flags.has("quiet")) process.stdout.write(`${file} -> ${posixRelative(process.cwd(), result.target)}\n`);
  }
  return failed ? 1 : 0;
};
