/**
 * RecBole atomic `.inter` files: TAB separated, a typed header such as
 * `user_id:token  item_id:token  rating:float  timestamp:float`; extra columns are ignored.
 */
import { forEachLine } from "../source.js";
import { UserError } from "../../util/errors.js";
import type { Reader } from "./common.js";
import { findColumn, readTable } from "./table.js";

const TYPES = new Set(["token", "token_seq", "float", "float_seq"]);

export const readRecboleHeader = (file: string): string[] | null => {
  let header: string[] | null = null;
  forEachLine(file, (line) => {
    if (line.trim().length === 0) return true;
    header = line.split("\t").map((h) => h.trim());
    return false;
  });
  return header;
};

export const readRecbole: Reader = (file, opts) => {
  const raw = readRecboleHeader(file);
  if (raw === null) throw new UserError(`${file}: empty file (no interactions)`);
  const names: string[] = [];
  for (const h of raw) {
    const m = /^([^:]+):([a-z_]+)$/.exec(h);
    if (m === null || !TYPES.has(m[2]!))
      throw new UserError(`${file}:1: RecBole header field ${JSON.stringify(h)} is not name:type (type one of token, token_seq, float, float_seq)`);
    names.push(m[1]!);
  }
  const c = opts.csv ?? {};
  const cols = {
    user: findColumn(names, c.user, ["user_id"], "user id", file, true)!,
    item: findColumn(names, c.item, ["item_id"], "item id", file, true)!,
    rating: findColumn(names, c.rating, ["rating"], "rating", file, false),
    timestamp: findColumn(names, c.timestamp, ["timestamp"], "timestamp", file, false),
  };
  return readTable(file, opts, names, cols, (line) => line.split("\t"));
};
