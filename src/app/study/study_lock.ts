/**
 * One controller at a time in a study folder. `tune`, `ablate` (writing or running) and `npm run
 * reproduce` take the study folder's `.lock` (run_lock.ts) before they write trial specs, collect
 * runs or submit anything, and hold it until they return. Two controllers of one study would
 * otherwise both collect a rung and both submit the next: a user running the command by hand in
 * the seconds a Slurm follow-up job runs it (tune.md) is the case that made this lock.
 *
 * A second controller is refused at once, naming the holder, except a follow-up job, which waits
 * for the lock (`waitMs`): a follow-up that gave up would stop the study going on. The holder
 * touches the lock every HEARTBEAT_MS, so a lock left by a controller on another host that died
 * (a login node, a compute node) is taken over once it has gone STALE_AFTER_MS without a touch;
 * on this host a dead holder's pid tells at once.
 */
import { mkdirSync, utimesSync } from "node:fs";
import { acquireLock, describeHolder, FolderBusy, type RunLock } from "../run_lock.js";

export const HEARTBEAT_MS = 30_000;
export const STALE_AFTER_MS = 10 * 60_000;

export interface StudyLockOptions {
  /** How long to wait for a live holder to finish before giving up (0: refuse at once). */
  readonly waitMs?: number;
  /** How often to try again while waiting. */
  readonly pollMs?: number;
  /** Hears about a stale lock taken over, and that this process is waiting. */
  readonly notice?: (line: string) => void;
  /** The holder's heartbeat (tests shorten it). */
  readonly heartbeatMs?: number;
  /** How long without a heartbeat makes another host's lock stale (tests shorten it). */
  readonly staleAfterMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Takes the study folder's lock for `command` (creating the folder), or throws FolderBusy naming the holder. */
export const acquireStudyLock = async (dir: string, command: string, o: StudyLockOptions = {}): Promise<RunLock> => {
  const { waitMs = 0, pollMs = 2_000, notice = () => {}, heartbeatMs = HEARTBEAT_MS, staleAfterMs = STALE_AFTER_MS } = o;
  mkdirSync(dir, { recursive: true });
  const start = Date.now();
  let waiting = false;
  for (;;) {
    try {
      const lock = acquireLock(dir, command, { what: "study folder", notice, staleAfterMs });
      if (waiting) notice(`took the study folder's lock after waiting ${Math.round((Date.now() - start) / 1000)} s`);
      return withHeartbeat(lock, heartbeatMs);
    } catch (err) {
      if (!(err instanceof FolderBusy) || Date.now() + pollMs > start + waitMs) throw err;
      const who = err.holder === null ? `${dir} is in use` : `${dir} is in use by ${describeHolder(err.holder)}`;
      if (!waiting) notice(`${who}; waiting up to ${Math.round(waitMs / 1000)} s for it to finish`);
      waiting = true;
      await sleep(pollMs);
    }
  }
};

/** Touches the lock every `ms` while it is held, so that another host can tell a live holder from a dead one. */
const withHeartbeat = (lock: RunLock, ms: number): RunLock => {
  const timer = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lock.file, now, now);
    } catch {
      // Gone (released, or taken over after a long stall): nothing to keep fresh.
    }
  }, ms);
  timer.unref();
  return {
    file: lock.file,
    release: () => {
      clearInterval(timer);
      lock.release();
    },
  };
};

/** Runs `fn` holding the study folder's lock, and releases it however `fn` ends. */
export const withStudyLock = async <T>(dir: string, command: string, o: StudyLockOptions, fn: () => Promise<T>): Promise<T> => {
  const lock = await acquireStudyLock(dir, command, o);
  try {
    return await fn();
  } finally {
    lock.release();
  }
};
