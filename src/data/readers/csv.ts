/**
 * CSV with a header row. Columns are named by options or detected from common names; the
 * delimiter is given or detected from the header. Quoted fields ("a,b", "say ""hi""") are
 * supported within one line.
 */
import { dataError, forEachLine, type LineInfo } from "../source.js";
import { UserError } from "../../util/errors.js";
import type { Reader } from "./common.js";
import { findColumn, readTable } from "./table.js";

export const USER_COLUMNS = ["user_id", "userid", "user", "uid", "customer_id", "visitorid", "session_id"];
export const ITEM_COLUMNS = ["item_id", "itemid", "item", "iid", "movie_id", "movieid", "product_id", "productid", "article_id"];
export const RATING_COLUMNS = ["rating", "ratings", "score", "stars"];
export const TIMESTAMP_COLUMNS = ["timestamp", "time", "ts", "datetime", "date", "unix_timestamp", "event_time"];

const DELIMITERS = [",", "\t", ";", "|"];

export const detectDelimiter = (header: string): string => {
  let best = ",";
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const n = header.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
};

/** Splits one CSV line, honouring double quotes. */
export const splitCsv = (line: string, delim: string, file: string, info: LineInfo): string[] => {
  if (!line.includes('"')) return line.split(delim);
  const out: string[] = [];
  let field = "";
  let k = 0;
  let quoted = false;
  let wasQuoted = false;
  while (k < line.length) {
    const ch = line[k]!;
    if (quoted) {
      if (ch === '"') {
        if (line[k + 1] === '"') {
          field += '"';
          k += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      k++;
      continue;
    }
    if (ch === '"' && field.trim().length === 0 && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      field = "";
    } else if (line.startsWith(delim, k)) {
      out.push(field);
      field = "";
      wasQuoted = false;
      k += delim.length;
      continue;
    } else field += ch;
    k++;
  }
  if (quoted) throw dataError(file, info.lineNo, "unclosed double quote (fields may not span lines)");
  out.push(field);
  return out;
};

export const readCsv: Reader = (file, opts) => {
  const c = opts.csv ?? {};
  let headerLine: string | null = null;
  let headerInfo: LineInfo | null = null;
  forEachLine(file, (line, info) => {
    if (line.trim().length === 0) return true;
    headerLine = line;
    headerInfo = info;
    return false;
  });
  if (headerLine === null || headerInfo === null) throw new UserError(`${file}: empty file (no interactions)`);
  const delim = c.delimiter ?? detectDelimiter(headerLine);
  if (delim.length === 0) throw new UserError(`csv delimiter must not be empty`);
  const header = splitCsv(headerLine, delim, file, headerInfo).map((h) => h.trim());
  const cols = {
    user: findColumn(header, c.user, USER_COLUMNS, "user id", file, true)!,
    item: findColumn(header, c.item, ITEM_COLUMNS, "item id", file, true)!,
    rating: findColumn(header, c.rating, RATING_COLUMNS, "rating", file, false),
    timestamp: findColumn(header, c.timestamp, TIMESTAMP_COLUMNS, "timestamp", file, false),
  };
  if (cols.user === cols.item) throw new UserError(`${file}:1: the user and item columns are the same column`);
  return readTable(file, opts, header, cols, (line, info) => splitCsv(line, delim, file, info));
};
