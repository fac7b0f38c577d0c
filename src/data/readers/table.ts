/** The part csv and recbole share: a header naming columns, then one interaction per row. */
import { InteractionLog } from "../log.js";
import { dataError, type LineInfo } from "../source.js";
import { UserError } from "../../util/errors.js";
import { fieldCountError, ratingWarning, readRecords, requireId, requireNumber, type ReadOptions } from "./common.js";

export interface Columns {
  readonly user: number;
  readonly item: number;
  readonly rating: number | null;
  readonly timestamp: number | null;
}

/** Finds a column: the name given (exactly, else case-insensitively), or the first of `candidates` present. */
export const findColumn = (
  header: readonly string[],
  given: string | undefined,
  candidates: readonly string[],
  what: string,
  file: string,
  required: boolean,
): number | null => {
  const lower = header.map((h) => h.toLowerCase());
  if (given !== undefined) {
    let k = header.indexOf(given);
    if (k < 0) k = lower.indexOf(given.toLowerCase());
    if (k < 0) throw new UserError(`${file}:1: no ${what} column named ${JSON.stringify(given)}; the header has ${header.map((h) => JSON.stringify(h)).join(", ")}`);
    return k;
  }
  for (const c of candidates) {
    const k = lower.indexOf(c.toLowerCase());
    if (k >= 0) return k;
  }
  if (required)
    throw new UserError(
      `${file}:1: cannot tell which column holds the ${what}; the header has ${header.map((h) => JSON.stringify(h)).join(", ")} (name it with the ${what} column option)`,
    );
  return null;
};

/** A timestamp: a number, or a date string Date.parse understands (then milliseconds since 1970). */
const parseTime = (file: string, info: LineInfo, s: string, numeric: { value: boolean | null }): number => {
  const t = s.trim();
  const isNum = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t);
  if (numeric.value === null) numeric.value = isNum;
  if (numeric.value) return requireNumber(file, info, "timestamp", t);
  const v = Date.parse(t);
  if (Number.isNaN(v) || isNum) throw dataError(file, info.lineNo, `timestamp must be a date like the first row's, found ${JSON.stringify(s)}`);
  return v;
};

/** Reads the rows after the header. `split` turns one line into fields. */
export const readTable = (
  file: string,
  opts: ReadOptions,
  header: readonly string[],
  cols: Columns,
  split: (line: string, info: LineInfo) => string[],
): InteractionLog => {
  const log = new InteractionLog(cols.timestamp !== null);
  if (cols.rating === null && opts.minRating !== null)
    throw new UserError(`${file}: min_rating is set (${opts.minRating}) but the file has no rating column`);
  let dropped = 0;
  let first = true;
  const numeric = { value: null as boolean | null };
  let rows = 0;
  readRecords(file, log, (line, info) => {
    if (first) {
      first = false;
      return; // the header
    }
    rows++;
    const f = split(line, info);
    if (f.length !== header.length) throw fieldCountError(file, info, `${header.length} fields as in the header`, f.length);
    const user = requireId(file, info, "user id", f[cols.user]!.trim(), false);
    const item = requireId(file, info, "item id", f[cols.item]!.trim(), false);
    if (cols.rating !== null) {
      const r = requireNumber(file, info, "rating", f[cols.rating]!.trim());
      if (opts.minRating !== null && r < opts.minRating) {
        dropped++;
        return;
      }
    }
    log.add(user, item, cols.timestamp !== null ? parseTime(file, info, f[cols.timestamp]!, numeric) : 0);
  });
  if (rows === 0) throw new UserError(`${file}: only a header, no interactions`);
  ratingWarning(file, log, dropped, opts.minRating);
  return log;
};
