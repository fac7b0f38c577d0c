/**
 * Reading a text data file line by line, in fixed-size chunks (memory stays bounded however large
 * the file), with the checks every reader needs: stray bytes (invalid UTF-8, control characters)
 * are errors naming `file:line`, a trailing `\r` (CRLF files) is removed, a leading BOM is skipped.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { UserError } from "../util/errors.js";

export interface LineInfo {
  /** 1-based line number in the file. */
  readonly lineNo: number;
  /** False only for the file's last line when the file does not end with a newline. */
  readonly hasNewline: boolean;
}

const CHUNK = 1 << 22;
/** Control characters other than TAB, DEL, and U+FFFD (what the decoder puts for invalid UTF-8). */
const STRAY = /[\x00-\x08\x0A-\x1F\x7F\uFFFD]/;

const describeStray = (line: string): string => {
  const m = STRAY.exec(line);
  if (m === null) return "";
  const ch = m[0];
  const col = m.index + 1;
  if (ch === "\uFFFD") return `invalid UTF-8 bytes (or U+FFFD) at column ${col}`;
  return `control character U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at column ${col}`;
};

/** `file:line: message` as a UserError. */
export const dataError = (file: string, lineNo: number, message: string): UserError =>
  new UserError(`${file}:${lineNo}: ${message}`);

/** Opens `file` for reading, turning a missing or unreadable file into a UserError. */
const openData = (file: string): number => {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new UserError(`${file}: no such file`);
  }
  if (st.isDirectory()) throw new UserError(`${file}: is a directory, not a data file`);
  try {
    return openSync(file, "r");
  } catch (err) {
    throw new UserError(`${file}: cannot read (${(err as Error).message})`);
  }
};

/**
 * Calls `onLine` for each line of `file` (without its line ending), in order. Returning `false`
 * from `onLine` stops reading. Lines with stray bytes raise a UserError naming the line.
 */
export const forEachLine = (
  file: string,
  onLine: (line: string, info: LineInfo) => boolean | void,
  opts: { maxBytes?: number } = {},
): void => {
  const fd = openData(file);
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
  const buf = Buffer.allocUnsafe(CHUNK);
  let carry = "";
  let lineNo = 0;
  let total = 0;
  const limit = opts.maxBytes ?? Infinity;
  const emit = (raw: string, hasNewline: boolean): boolean => {
    lineNo++;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (STRAY.test(line)) throw dataError(file, lineNo, `stray bytes: ${describeStray(line)}`);
    return onLine(line, { lineNo, hasNewline }) !== false;
  };
  try {
    for (;;) {
      const want = Math.min(CHUNK, limit - total);
      const n = want > 0 ? readSync(fd, buf, 0, want, null) : 0;
      total += n;
      const text = n > 0 ? decoder.decode(buf.subarray(0, n), { stream: true }) : decoder.decode();
      let start = 0;
      let nl = text.indexOf("\n");
      if (nl >= 0) {
        if (!emit(carry + text.slice(0, nl), true)) return;
        carry = "";
        start = nl + 1;
        while ((nl = text.indexOf("\n", start)) >= 0) {
          if (!emit(text.slice(start, nl), true)) return;
          start = nl + 1;
        }
      }
      carry += text.slice(start);
      if (n === 0) break;
    }
    // With maxBytes the last piece may be a partial line: the caller only samples, so drop it.
    if (carry.length > 0 && total < limit) emit(carry, false);
  } finally {
    closeSync(fd);
  }
};

/** Strict decimal number (Number("") is 0 and Number("0x1f") is 31: neither is accepted here). */
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export const parseNumber = (s: string): number | null => (NUMBER.test(s) ? Number(s) : null);

const INTEGER = /^\d+$/;
export const isInteger = (s: string): boolean => INTEGER.test(s);
