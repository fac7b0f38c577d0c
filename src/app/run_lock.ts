/**
 * One process at a time in a folder. `run` (and `--resume`) and `eval` take a run folder's lock
 * file, `.lock`, created exclusively (O_EXCL) with the holder's host, pid and command; a second
 * process is refused with who holds it. A lock whose holder is gone (a crash, `kill -9`, a node
 * that died) is stale: on the same host that is certain (its pid no longer runs) and it is taken
 * over with a notice. A lock from another host cannot be checked from here, so the message says how
 * to clear it, unless its holder keeps it fresh: with `staleAfterMs` (a study's lock,
 * study/study_lock.ts, is touched every 30 s) another host's lock untouched for that long is stale;
 * this host's is still judged by its pid alone.
 * The lock is released when the process exits, however it exits short of SIGKILL.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { UserError } from "../util/errors.js";

export const LOCK_FILE = ".lock";

export interface LockHolder {
  readonly host: string;
  readonly pid: number;
  readonly command: string;
  readonly since: string;
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

/** Whether a process with this pid runs on this host (EPERM: it runs, as another user). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** How long ago the lock file was last written, or null when it is gone. */
const ageMs = (file: string): number | null => {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return null;
  }
};

/** The holder recorded in a lock file, or null when there is no lock (or it cannot be read: it is being written). */
export const lockHolder = (dir: string): LockHolder | null => {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as LockHolder;
  } catch {
    return null;
  }
};

/** Whether the lock's holder is known to be gone: a lock of this host whose process no longer runs. */
export const isStale = (holder: LockHolder): boolean => holder.host === hostname() && !alive(holder.pid);

/** A folder in use: its lock is held by a live process (or one this host cannot check). */
export class FolderBusy extends UserError {
  constructor(message: string, readonly holder: LockHolder | null) {
    super(message);
  }
}

export interface LockOptions {
  /** What the folder is, for messages ("run folder", "study folder"). */
  readonly what?: string;
  /** Hears about a stale lock taken over. */
  readonly notice?: (line: string) => void;
  /**
   * The holder touches its lock at least this often (a heartbeat): a lock left untouched for longer
   * is stale on any host. Without it, another host's lock is never taken over.
   */
  readonly staleAfterMs?: number;
}

/** A holder as messages name it: its command, pid, host and since when. */
export const describeHolder = (h: LockHolder): string => `${h.command} (pid ${h.pid} on ${h.host}, since ${h.since})`;

/**
 * Takes the run folder's lock for `command`, or throws a UserError (FolderBusy) naming the holder.
 * `notice` hears about a stale lock taken over.
 */
export const acquireRunLock = (dir: string, command: string, notice: (line: string) => void = () => {}): RunLock =>
  acquireLock(dir, command, { what: "run folder", notice });

/** Takes the folder's lock for `command`, or throws FolderBusy naming the holder. */
export const acquireLock = (dir: string, command: string, options: LockOptions = {}): RunLock => {
  const { what = "folder", notice = () => {}, staleAfterMs } = options;
  const file = join(dir, LOCK_FILE);
  const me: LockHolder = { host: hostname(), pid: process.pid, command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = lockHolder(dir);
      if (holder === null) {
        // Gone since (released), or empty: being written this instant, or left empty by a process killed
        // between creating and writing it, which an age of seconds tells apart.
        const age = ageMs(file);
        if (age === null) continue;
        if (age < 5_000) throw new FolderBusy(`${dir} is in use: another process is taking its lock (${file}) right now`, null);
        notice(`the ${what}'s lock ${file} is empty and ${Math.round(age / 1000)} s old, left by a process killed as it took it; taking it over`);
        rmSync(file, { force: true });
        continue;
      }
      if (holder.host === me.host && holder.pid === me.pid) return { file, release: () => {} };
      const age = ageMs(file);
      // On this host the pid says for certain; another host's holder is judged by its heartbeat.
      const gone = isStale(holder);
      const silent = holder.host !== me.host && staleAfterMs !== undefined && age !== null && age > staleAfterMs;
      if (!gone && !silent) {
        const where = holder.host === me.host
          ? "wait for it to finish, or stop it"
          : staleAfterMs !== undefined
            ? `if that process is gone (its node died), its lock is taken over once it has gone ${Math.round(staleAfterMs / 1000)} s without a heartbeat (the last was ${Math.round((age ?? 0) / 1000)} s ago), or delete ${file} and run this again`
            : `if that process is gone (its node died), delete ${file} and run this again`;
        throw new FolderBusy(`${dir} is in use by ${describeHolder(holder)}; ${where}`, holder);
      }
      notice(gone
        ? `the ${what}'s lock was left by ${describeHolder(holder)}, which is no longer running; taking it over`
        : `the ${what}'s lock was left by ${describeHolder(holder)}, whose heartbeat stopped ${Math.round((age ?? 0) / 1000)} s ago; taking it over`);
      // Moved aside rather than deleted, so that of two processes taking it over at once only one wins the rename.
      try {
        renameSync(file, `${file}.stale-${holder.pid}`);
        rmSync(`${file}.stale-${holder.pid}`, { force: true });
      } catch {
        // Another process took it over first; the next attempt sees its lock.
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      process.removeListener("exit", release);
      const holder = lockHolder(dir);
      if (holder !== null && holder.pid === me.pid && holder.host === me.host) rmSync(file, { force: true });
    };
    process.once("exit", release);
    return { file, release };
  }
  throw new FolderBusy(`${dir}: cannot take the ${what}'s lock (${file}) after three attempts; other processes keep taking and releasing it`, null);
};

const GONE = "interrupted (process gone)";

/** A run's state for readers: what status.json says, except that a "running" run whose process is gone is "interrupted". */
export const liveState = (dir: string, recorded: string): string => {
  if (recorded !== "running") return recorded;
  const holder = lockHolder(dir);
  if (holder === null) return existsSync(join(dir, LOCK_FILE)) ? recorded : GONE;
  return isStale(holder) ? GONE : recorded;
};
