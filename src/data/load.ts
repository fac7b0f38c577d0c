/** Reading a data file into a Dataset: `loadDataset`, and the id maps saved with each run. */
import { basename, dirname, extname, join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { UserError } from "../util/errors.js";
import { writeJsonAtomic } from "../util/fs.js";
import type { Dataset } from "./types.js";
import { FORMATS, isFormat, type Format } from "./formats.js";
import { detectFormat } from "./detect.js";
import type { CsvOptions, Reader } from "./readers/common.js";
import { readPairs } from "./readers/pairs.js";
import { readLines } from "./readers/lines.js";
import { readMovielens } from "./readers/movielens.js";
import { readMl100k } from "./readers/ml100k.js";
import { readRecbole } from "./readers/recbole.js";
import { readUir, readUirt, readUit } from "./readers/columns.js";
import { readCsv } from "./readers/csv.js";

export type { CsvOptions } from "./readers/common.js";
export { FORMATS, type Format } from "./formats.js";
export { detectFormat } from "./detect.js";

const READERS: Record<Format, Reader> = {
  pairs: readPairs,
  lines: readLines,
  movielens: readMovielens,
  ml100k: readMl100k,
  recbole: readRecbole,
  csv: readCsv,
  uirt: readUirt,
  uit: readUit,
  uir: readUir,
};

export interface LoadOptions {
  /** Default "auto". */
  readonly format?: Format | "auto";
  /** Drop interactions rated below this at read time; null/undefined keeps all. */
  readonly minRating?: number | null;
  /** `exact` (default): sort by timestamp; `float32`: by the timestamp rounded to float32, as RecBole does. */
  readonly timeOrder?: "exact" | "float32";
  readonly csv?: CsvOptions;
  /** Dataset name; default from the file name (see datasetName). */
  readonly name?: string;
}

const GENERIC = new Set(["u", "data", "ratings", "interactions", "inter", "train", "dataset"]);

/** `ml-1m.txt` -> "ml-1m"; a generic file name (`u.data`, `ratings.dat`) takes its folder's name. */
export const datasetName = (file: string): string => {
  const stem = basename(file, extname(file));
  if (GENERIC.has(stem.toLowerCase())) {
    const dir = basename(dirname(resolve(file)));
    if (dir.length > 0 && dir !== ".") return dir;
  }
  return stem;
};

/**
 * Reads `file` as a Dataset: external ids remapped to internal ones (users and items numbered in
 * order of first appearance in the file, items from 1; 0 is padding), each user's interactions
 * sorted by timestamp stably where the format has timestamps. Bad data raises a UserError naming
 * `file:line`; counted, non-fatal findings are in `warnings`. No filtering beyond `minRating`.
 */
export const loadDataset = (file: string, opts: LoadOptions = {}): Dataset => {
  const fmt = opts.format ?? "auto";
  if (fmt !== "auto" && !isFormat(fmt)) throw new UserError(`unknown data format ${JSON.stringify(fmt)}; expected auto or one of ${FORMATS.join(", ")}`);
  const format: Format = fmt === "auto" ? detectFormat(file) : fmt;
  const log = READERS[format](file, { minRating: opts.minRating ?? null, ...(opts.csv ? { csv: opts.csv } : {}) });
  return log.toDataset(opts.name ?? datasetName(file), opts.timeOrder ?? "exact", format);
};

export interface IdMaps {
  /** External id of each user, in sequence order. */
  readonly users: readonly string[];
  /** External id of each internal item id; index 0 (padding) is "". */
  readonly items: readonly string[];
}

export const ID_MAPS_FILE = "id_maps.json";

/** Writes `dir/id_maps.json` atomically (temp file, then rename). */
export const saveIdMaps = (dataset: Dataset, dir: string): string => {
  const path = join(dir, ID_MAPS_FILE);
  writeJsonAtomic(path, { version: 1, dataset: dataset.name, numItems: dataset.numItems, users: dataset.userIds, items: dataset.itemIds });
  return path;
};

/** Reads `dir/id_maps.json`; a missing or malformed file is a UserError. */
export const loadIdMaps = (dir: string): IdMaps => {
  const path = join(dir, ID_MAPS_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UserError(`${path}: cannot read id maps (${(err as Error).message})`);
  }
  const o = raw as { users?: unknown; items?: unknown };
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
  if (typeof raw !== "object" || raw === null || !strings(o.users) || !strings(o.items) || o.items[0] !== "")
    throw new UserError(`${path}: not an id map file (expected {"users": [...], "items": ["", ...]})`);
  return { users: o.users, items: o.items };
};
