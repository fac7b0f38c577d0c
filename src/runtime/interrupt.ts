/**
 * Ctrl-C without losing finished work. A training epoch ends with validation, the epoch's progress
 * line and its checkpoint; stopping between the line and the checkpoint would throw away an epoch the
 * user saw finish. The trainer runs that stretch inside `uninterruptible`, and the CLI's signal
 * handler stops through `whenInterruptible`, which runs the stop at once outside such a stretch and
 * otherwise as soon as it ends. (A second Ctrl-C, with the handler gone, stops the process at once.)
 */

let depth = 0;
let pending: (() => void) | null = null;

/** Runs `fn`; a stop asked for meanwhile waits until it has finished (or failed). */
export const uninterruptible = async <T>(fn: () => Promise<T>): Promise<T> => {
  depth++;
  try {
    return await fn();
  } finally {
    depth--;
    if (depth === 0 && pending) {
      const stop = pending;
      pending = null;
      stop();
    }
  }
};

/** Runs `stop` now, or when the current uninterruptible stretch ends; true when it had to wait. */
export const whenInterruptible = (stop: () => void): boolean => {
  if (depth === 0) {
    stop();
    return false;
  }
  pending = stop;
  return true;
};
