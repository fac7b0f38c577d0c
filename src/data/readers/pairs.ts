/** `user item` per line (space or tab separated), each user's lines in chronological order (SASRec's ml-1m.txt). */
import { InteractionLog } from "../log.js";
import { fieldCountError, noRatings, readRecords, requireId, WS, type Reader } from "./common.js";

export const readPairs: Reader = (file, opts) => {
  noRatings(file, "pairs", opts.minRating);
  const log = new InteractionLog(false);
  readRecords(file, log, (line, info) => {
    const f = line.trim().split(WS);
    if (f.length !== 2) throw fieldCountError(file, info, "2 fields (user item)", f.length);
    log.add(requireId(file, info, "user id", f[0]!, false), requireId(file, info, "item id", f[1]!, false));
  });
  return log;
};
