/**
 * `--format auto`: decides the format from the file name and its first lines (at most 64 KiB are read).
 * Rules, first match wins:
 *  1. name ends in `.inter`, or the first line is TAB separated `name:type` fields -> recbole
 *  2. the first line contains `::`                                                -> movielens
 *  3. the first line is 4 TAB separated numbers                                   -> ml100k
 *  4. the first line has a `,` `;` or `|`, or is a TAB separated header naming user and item columns -> csv
 *  5. space/TAB separated: every sampled line has 2 fields -> pairs;
 *  6. every sampled line has 3 (or 4) numbers -> uit when the third is a Unix time, uir when it is a
 *     fractional 0-10 rating; uirt when the third is a 0-10 rating and the fourth a Unix time;
 *     otherwise the file is ambiguous (a table, or lines of a user and 2 or 3 items): a UserError
 *     names the choices;
 *  7. 2 or more fields, some more -> lines.
 * Otherwise a UserError asks for `--format`.
 */
import { forEachLine, parseNumber } from "./source.js";
import { UserError } from "../util/errors.js";
import { FORMATS, type Format } from "./formats.js";
import { ITEM_COLUMNS, USER_COLUMNS } from "./readers/csv.js";

const SAMPLE_BYTES = 1 << 16;
const SAMPLE_LINES = 500;
const TYPED = /^[^:\s]+:(token|token_seq|float|float_seq)$/;

export const detectFormat = (file: string): Format => {
  const lines: string[] = [];
  forEachLine(
    file,
    (line) => {
      if (line.trim().length > 0) lines.push(line);
      return lines.length < SAMPLE_LINES;
    },
    { maxBytes: SAMPLE_BYTES },
  );
  if (lines.length === 0) throw new UserError(`${file}: empty file (no interactions)`);
  const first = lines[0]!;
  const tabFields = first.split("\t").map((f) => f.trim());
  if (file.endsWith(".inter") || (tabFields.length >= 2 && tabFields.every((f) => TYPED.test(f)))) return "recbole";
  if (first.includes("::")) return "movielens";
  if (tabFields.length === 4 && tabFields.every((f) => parseNumber(f) !== null)) return "ml100k";
  const names = (fields: string[]): boolean => {
    const lower = fields.map((f) => f.trim().replace(/^"|"$/g, "").toLowerCase());
    return USER_COLUMNS.some((c) => lower.includes(c)) && ITEM_COLUMNS.some((c) => lower.includes(c));
  };
  if (/[,;|]/.test(first) || (tabFields.length >= 2 && names(tabFields))) return "csv";
  const fields = lines.map((l) => l.trim().split(/[ \t]+/));
  const width = fields[0]!.length;
  const uniform = fields.every((f) => f.length === width);
  if (uniform && width === 2) return "pairs";
  if (uniform && (width === 3 || width === 4) && fields.every((f) => f.every((x) => parseNumber(x) !== null))) return numericTable(file, fields, width);
  if (fields.every((f) => f.length >= 2)) return "lines";
  throw new UserError(
    `${file}: cannot tell the format from its first lines (first line: ${JSON.stringify(first.slice(0, 80))}); pass --format ${FORMATS.join("|")}`,
  );
};

/** Unix seconds from 1973 on: a timestamp column, not an id or a rating. */
const looksLikeTime = (v: readonly number[]): boolean => v.every((x) => Number.isInteger(x) && x >= 1e8);
/** Ratings: on a 0-10 scale. */
const looksLikeRating = (v: readonly number[]): boolean => v.every((x) => x >= 0 && x <= 10);

/**
 * Every sampled line holds 3 or 4 numbers: `user item rating timestamp`, `user item timestamp`
 * and `user item rating` tables look like that, and so does a `lines` file whose users all have
 * two or three items. The last columns decide where they can; otherwise the user is asked.
 */
const numericTable = (file: string, fields: readonly string[][], width: 3 | 4): Format => {
  const column = (k: number): number[] => fields.map((f) => parseNumber(f[k]!)!);
  if (width === 4 && looksLikeRating(column(2)) && looksLikeTime(column(3))) return "uirt";
  if (width === 3 && looksLikeTime(column(2))) return "uit";
  // A fractional third column is a rating: item ids are whole numbers.
  if (width === 3 && looksLikeRating(column(2)) && column(2).some((x) => !Number.isInteger(x))) return "uir";
  const tables = width === 4 ? "uirt (user item rating timestamp)" : "uit (user item timestamp) or uir (user item rating)";
  throw new UserError(
    `${file}: every line holds ${width} numbers, which reads either as a table, ${tables}, or as lines (a user and ${width - 1} items): ` +
    `pass --format ${width === 4 ? "uirt" : "uit, --format uir"} or --format lines`,
  );
};
