/** `user item item ...` per line (space or tab separated), items chronological; a user may span several lines. */
import { InteractionLog } from "../log.js";
import { fieldCountError, noRatings, readRecords, WS, type Reader } from "./common.js";

export const readLines: Reader = (file, opts) => {
  noRatings(file, "lines", opts.minRating);
  const log = new InteractionLog(false);
  readRecords(file, log, (line, info) => {
    const f = line.trim().split(WS);
    if (f.length < 2) throw fieldCountError(file, info, "a user id and at least one item", f.length);
    for (let k = 1; k < f.length; k++) log.add(f[0]!, f[k]!);
  });
  return log;
};
