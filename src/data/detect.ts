/**
 * `--format auto`: decides the format from the file name and its first lines (at most 64 KiB are read).
 * Rules, first match wins:
 *  1. name ends in `.inter`, or the first line is TAB separated `name:type` fields -> recbole
 *  2. the first line contains `::`                                                -> movielens
 *  3. the first line is 4 TAB separated numbers                                   -> ml100k
 *  4. the first line has a `,` `;` or `|`, or is a TAB separated header naming user and item columns -> csv
 *  5. space/TAB separated: every sampled line has 2 fields -> pairs; 2 or more, some more -> lines
 * Otherwise a UserError asks for `--format`.
 */
import { forEachLine, parseNumber } from "./source.js";
import { UserError } from "../util/errors.js";
import type { Format } from "./formats.js";
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
  const counts = lines.map((l) => l.trim().split(/[ \t]+/).length);
  if (counts.every((n) => n === 2)) return "pairs";
  if (counts.every((n) => n >= 2)) return "lines";
  throw new UserError(
    `${file}: cannot tell the format from its first lines (first line: ${JSON.stringify(first.slice(0, 80))}); pass --format pairs|lines|movielens|ml100k|recbole|csv`,
  );
};
