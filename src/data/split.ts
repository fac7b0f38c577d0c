/**
 * Leave-one-out, as DESIGN.md's "Evaluation protocol" states it (RecBole's): per user, test
 * target = last item, validation target = second to last, training = the rest (items[0 .. n-2)).
 * The validation input is the training part; the test input is everything before the last item
 * (so it includes the validation item). Inputs keep the most recent `maxLen` items; each case's
 * `history` keeps all of them, for `exclude_seen`.
 */
import type { Dataset, EvalCase, LeaveOneOutSplit } from "./types.js";
import { UserError } from "../util/errors.js";

/** The most recent `maxLen` items of s[0 .. end). */
const lastItems = (s: Int32Array, end: number, maxLen: number): Int32Array => s.slice(Math.max(0, end - maxLen), end);

/**
 * Throws a UserError when a user has fewer than 3 interactions (no training item, or no valid or
 * test target): filter them first (`min_seq_len`, at least 3), which drops them with a counted warning.
 */
export const leaveOneOut = (ds: Dataset, maxLen: number): LeaveOneOutSplit => {
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new UserError(`max_len must be a positive integer, got ${maxLen}`);
  let short = 0;
  let firstShort = -1;
  for (let u = 0; u < ds.sequences.length; u++) {
    if (ds.sequences[u]!.length < 3) {
      short++;
      if (firstShort < 0) firstShort = u;
    }
  }
  if (short > 0)
    throw new UserError(
      `${ds.name}: ${short} user${short === 1 ? " has" : "s have"} fewer than 3 interactions (first: user ${JSON.stringify(ds.userIds[firstShort])} with ${ds.sequences[firstShort]!.length}); ` +
        `leave-one-out needs 3 (train, valid, test): set data { min_seq_len: 3 } or more to drop them`,
    );
  if (ds.sequences.length === 0) throw new UserError(`${ds.name}: no users left to split`);
  const train: Int32Array[] = [];
  const valid: EvalCase[] = [];
  const test: EvalCase[] = [];
  for (let u = 0; u < ds.sequences.length; u++) {
    const s = ds.sequences[u]!;
    const n = s.length;
    train.push(s.slice(0, n - 2));
    valid.push({ user: u, input: lastItems(s, n - 2, maxLen), target: s[n - 2]!, history: s.subarray(0, n - 2) });
    test.push({ user: u, input: lastItems(s, n - 1, maxLen), target: s[n - 1]!, history: s.subarray(0, n - 1) });
  }
  return { numItems: ds.numItems, train, valid, test };
};
