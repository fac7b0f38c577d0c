import { closeSync, fsyncSync, openSync, renameSync, rmSync, statfsSync, writeSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { UserError } from "./errors.js";

/** The bytes free to an unprivileged writer on the filesystem holding `dir`, or null where that cannot be read. */
export const freeBytes = (dir: string): number | null => {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
};

const isNoSpace = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
};

/** A full disk or an exhausted quota is the user's to fix: say which file, how much it needed and how much is free. */
const noSpaceError = (path: string, needed: number, err: NodeJS.ErrnoException): UserError => {
  const free = freeBytes(dirname(path));
  const what = err.code === "EDQUOT" ? "disk quota exceeded" : "no space left on the device";
  return new UserError(
    `cannot write ${path}: ${what} (${needed.toLocaleString("en-US")} bytes needed${free === null ? "" : `, ${free.toLocaleString("en-US")} free`}); ` +
    "free some space there and run the command again (an unfinished run continues with --resume)",
  );
};

/** Makes a rename in `dir` durable: the directory entry itself is flushed. */
const syncDir = (dir: string): void => {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some filesystems cannot fsync a directory; the rename has still happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

/**
 * Writes a file so that readers see either the old content or the new, never a part: every byte
 * is written to a temporary file beside it (a short write is continued, a failed one is an error),
 * the file is flushed and renamed over the target, and the directory is flushed. On any failure the
 * temporary file is removed and the target keeps its old content; a full disk is a `UserError`.
 */
export const writeFileAtomic = (path: string, data: string | Uint8Array): void => {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "w");
    for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing: the first error is the one to report */ }
    }
    rmSync(tmp, { force: true });
    throw isNoSpace(err) ? noSpaceError(path, bytes.length, err as NodeJS.ErrnoException) : err;
  }
  syncDir(dirname(path));
};

export const writeJsonAtomic = (path: string, value: unknown): void =>
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
