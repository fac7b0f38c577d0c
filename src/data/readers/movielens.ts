/** MovieLens `UserID::MovieID::Rating::Timestamp` (ML-1M/10M ratings.dat); sorted by time per user. */
import { InteractionLog } from "../log.js";
import { fieldCountError, ratingWarning, readRecords, requireId, requireNumber, type Reader } from "./common.js";

/** Shared by movielens (`::`) and ml100k (TAB): user, item, rating, timestamp. */
export const readRatingsFile = (sep: string, what: string): Reader => (file, opts) => {
  const log = new InteractionLog(true);
  let dropped = 0;
  readRecords(file, log, (line, info) => {
    const f = line.split(sep);
    if (f.length !== 4) throw fieldCountError(file, info, `4 fields (${what})`, f.length);
    const user = requireId(file, info, "user id", f[0]!.trim(), true);
    const item = requireId(file, info, "item id", f[1]!.trim(), true);
    const rating = requireNumber(file, info, "rating", f[2]!.trim());
    const ts = requireNumber(file, info, "timestamp", f[3]!.trim());
    if (opts.minRating !== null && rating < opts.minRating) {
      dropped++;
      return;
    }
    log.add(user, item, ts);
  });
  ratingWarning(file, log, dropped, opts.minRating);
  return log;
};

export const readMovielens: Reader = readRatingsFile("::", "UserID::MovieID::Rating::Timestamp");
