/**
 * Sharing the cores between the runs of a study. Several trainings at once on the same cores wait
 * on each other's OpenMP threads (two runs of 2 threads each on 2 cores took 2.3 times as long as
 * with 1 thread each), so the study runner gives each run in progress its share of the cores, and
 * re-shares them whenever a run starts or ends: it writes each run's share into the file named by
 * that run's REC_THREADS_FILE, and the run (`threadsFollower`, from the trainer's step callback)
 * reads it and applies a new value to the native kernels.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Each of `running` runs' share of `cores` threads (at least 1). */
export const threadShare = (cores: number, running: number): number => Math.max(1, Math.floor(cores / Math.max(1, running)));

/** The file through which the study runner tells run `id` how many threads to use now. */
export const threadsFile = (runsDir: string, id: string): string => join(runsDir, `${id}.threads`);

/**
 * The run's side: reads `file` at most every `intervalMs` and applies a new thread count. A missing
 * or unreadable file, or one that does not hold a positive integer, changes nothing.
 */
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
