/** Runs the built CLI (dist/, built by `npm test` before mocha; built here if absent). */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const BIN = "dist/cli/reccompile.js";

export const ensureBuilt = (): void => {
  if (!existsSync(BIN)) spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "ignore" });
};

export const cli = (...args: string[]): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
