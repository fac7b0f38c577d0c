/**
 * How a study starts a `reccompile` child: through the same entry point as this process, never a
 * build output it might not match. Running from source (tsx, mocha) that is cli/reccompile.ts,
 * under the loader flags this process got (process.execArgv carries tsx's); compiled, it is
 * dist/cli/reccompile.js. Either way the entry sits at the same place relative to this module.
 */
import { fileURLToPath } from "node:url";

/** This installation's command-line entry, beside the running copy of this module. */
export const cliEntry = (): string => {
  const here = import.meta.url;
  const ext = /\.[cm]?ts$/.test(new URL(here).pathname) ? "ts" : "js";
  return fileURLToPath(new URL(`../../../cli/reccompile.${ext}`, here));
};

/** The executable and arguments that run `entry` with `args` the way this process runs. */
export const nodeCommand = (entry: string, args: readonly string[]): { readonly command: string; readonly args: readonly string[] } =>
  ({ command: process.execPath, args: [...process.execArgv, entry, ...args] });
