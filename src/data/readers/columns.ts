/**
 * Headerless numeric tables, space or TAB separated, one interaction per line: `uirt` (user item
 * rating timestamp), `uit` (user item timestamp) and `uir` (user item rating). Where there is a
 * timestamp each user's interactions are sorted by it; without one the file's order is kept.
 */
import { InteractionLog } from "../log.js";
import { fieldCountError, noRatings, ratingWarning, readRecords, requireId, requireNumber, WS, type Reader } from "./common.js";

type Column = "rating" | "timestamp";

const columnsReader = (format: string, rest: readonly Column[]): Reader => (file, opts) => {
  const hasRating = rest.includes("rating");
  if (!hasRating) noRatings(file, format, opts.minRating);
  const width = 2 + rest.length;
  const what = `${width} fields (user item ${rest.join(" ")})`;
  const log = new InteractionLog(rest.includes("timestamp"));
  let dropped = 0;
  readRecords(file, log, (line, info) => {
    const f = line.trim().split(WS);
    if (f.length !== width) throw fieldCountError(file, info, what, f.length);
    const user = requireId(file, info, "user id", f[0]!, false);
    const item = requireId(file, info, "item id", f[1]!, false);
    let ts = 0;
    for (let k = 0; k < rest.length; k++) {
      const v = requireNumber(file, info, rest[k]!, f[2 + k]!);
      if (rest[k] === "timestamp") ts = v;
      else if (opts.minRating !== null && v < opts.minRating) {
        dropped++;
        return;
      }
    }
    log.add(user, item, ts);
  });
  if (hasRating) ratingWarning(file, log, dropped, opts.minRating);
  return log;
};

export const readUirt: Reader = columnsReader("uirt", ["rating", "timestamp"]);
export const readUit: Reader = columnsReader("uit", ["timestamp"]);
export const readUir: Reader = columnsReader("uir", ["rating"]);
