/** `reccompile lsp [--stdio]`: the language server for editors, over stdin and stdout (the only transport). */
import { parseArgs } from "../args.js";
import { serveLanguageServer } from "../../src/app/lsp/server.js";
import { UserError } from "../../src/util/errors.js";

export const run = async (argv: readonly string[]): Promise<number> => {
  const args = parseArgs("lsp", argv, { stdio: "boolean" });
  if (args.positional.length > 0) throw new UserError("usage: reccompile lsp [--stdio]");
  return serveLanguageServer(process.stdin, process.stdout);
};
