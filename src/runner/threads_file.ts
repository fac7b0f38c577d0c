/**
 * Follows a thread count that changes while a run trains: `reccompile ablate` runs several trainings
 * at once and, as they start and finish, writes each one's share of the cores into the file named
 * by its REC_THREADS_FILE. The run reads it at most every `intervalMs` (from the trainer's step
 * callback) and applies a new value to the native kernels. A missing or unreadable file, or one
 * that does not hold a positive integer, changes nothing.
 */
import { readFileSync } from "node:fs";

export const threadsFollower = (file: string | undefined, apply: (threads: number) => void, intervalMs = 2000,
  now: () => number = Date.now): (() => void) => {
  if (!file) return () => undefined;
  let applied: number | null = null;
  let checked = -Infinity;
  return () => {
    const t = now();
    if (t - checked < intervalMs) return;
    checked = t;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return;
    }
    const n = Number(text.trim());
    if (!Number.isInteger(n) || n < 1 || n === applied) return;
    applied = n;
    apply(n);
  };
};
