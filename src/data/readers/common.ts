/** What every reader shares: options, the per-line loop with its checks, and error wording. */
import { InteractionLog } from "../log.js";
import { dataError, forEachLine, parseNumber, type LineInfo } from "../source.js";
import { UserError } from "../../util/errors.js";

export interface CsvOptions {
  /** Field separator; detected from the header (`,` `;` TAB `|`) when absent. */
  readonly delimiter?: string;
  /** Column names; detected from common names when absent (see docs/data.md). */
  readonly user?: string;
  readonly item?: string;
  readonly rating?: string;
  readonly timestamp?: string;
}

export interface ReadOptions {
  /** Drop interactions rated below this; an error for formats without ratings. null keeps all. */
  readonly minRating: number | null;
  readonly csv?: CsvOptions;
}

export type Reader = (file: string, opts: ReadOptions) => InteractionLog;

/** Wrong number of fields: an error naming the line; on a last line without a newline, says it looks truncated. */
export const fieldCountError = (file: string, info: LineInfo, expected: string, got: number): UserError =>
  info.hasNewline
    ? dataError(file, info.lineNo, `expected ${expected}, found ${got} field${got === 1 ? "" : "s"}`)
    : dataError(
        file,
        info.lineNo,
        `the last line has no newline and ${got} field${got === 1 ? "" : "s"} instead of ${expected}: the file looks truncated (re-download it, or delete the partial line)`,
      );

export const requireNumber = (file: string, info: LineInfo, what: string, s: string): number => {
  const v = parseNumber(s);
  if (v === null) throw dataError(file, info.lineNo, `${what} must be a number, found ${JSON.stringify(s)}`);
  return v;
};

export const requireId = (file: string, info: LineInfo, what: string, s: string, integer: boolean): string => {
  if (s.length === 0) throw dataError(file, info.lineNo, `empty ${what}`);
  if (integer && !/^\d+$/.test(s)) throw dataError(file, info.lineNo, `${what} must be a non-negative integer, found ${JSON.stringify(s)}`);
  return s;
};

export const noRatings = (file: string, format: string, minRating: number | null): void => {
  if (minRating !== null)
    throw new UserError(`${file}: min_rating is set (${minRating}) but the ${format} format has no ratings; remove min_rating or use a file with ratings`);
};

/**
 * Runs `onRecord` for every non-blank line. Blank lines are skipped and counted in a warning.
 * Throws a UserError when the file has no records.
 */
export const readRecords = (
  file: string,
  log: InteractionLog,
  onRecord: (line: string, info: LineInfo) => void,
): void => {
  let blank = 0;
  let records = 0;
  forEachLine(file, (line, info) => {
    if (line.trim().length === 0) {
      blank++;
      return;
    }
    records++;
    onRecord(line, info);
  });
  if (records === 0) throw new UserError(`${file}: empty file (no interactions)`);
  if (blank > 0) log.warnings.push(`${file}: ${blank} blank line${blank === 1 ? "" : "s"} skipped`);
};

/** Adds the counted warning for the rating threshold. */
export const ratingWarning = (file: string, log: InteractionLog, dropped: number, minRating: number | null): void => {
  if (minRating !== null && dropped > 0)
    log.warnings.push(`${file}: ${dropped} interaction${dropped === 1 ? "" : "s"} rated below min_rating ${minRating} dropped`);
  if (log.length === 0 && minRating !== null) throw new UserError(`${file}: no interaction is rated ${minRating} or more (min_rating)`);
};

export const WS = /[ \t]+/;
