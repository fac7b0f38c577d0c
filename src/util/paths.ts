import { fileURLToPath } from "node:url";
import { dirname, join, relative, sep, posix, resolve } from "node:path";
import { existsSync } from "node:fs";

/** The package root: the folder holding package.json, whether running from src (tsx) or dist. */
export const packageRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("reccompile: cannot find package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
};

/** `path` relative to `from`, with forward slashes, for comments and import specifiers. */
export const posixRelative = (from: string, path: string): string => relative(from, resolve(path)).split(sep).join(posix.sep);

/** `p` relative to the working folder when it lies inside it (`.` for the folder itself), else as given. */
export const relativeToCwd = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r === "" ? "." : r.startsWith("..") ? p : r;
};
