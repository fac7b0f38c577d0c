/** Item titles for `recommend --titles`: MovieLens movies.dat (`id::title::genres`), u.item (`id|title|...`) or `id<TAB>title`. */
import { readFileSync } from "node:fs";
import { UserError } from "../util/errors.js";

export const readTitles = (file: string): Map<string, string> => {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UserError(`cannot read titles file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // MovieLens ships ISO-8859-1; decode as UTF-8 only when it is valid UTF-8.
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString("latin1");
  }
  const titles = new Map<string, string>();
  text.split(/\r?\n/).forEach((line) => {
    if (line.trim() === "") return;
    const parts = line.includes("::") ? line.split("::") : line.includes("|") ? line.split("|") : line.split("\t");
    if (parts.length >= 2) titles.set(parts[0]!.trim(), parts[1]!.trim());
  });
  if (titles.size === 0) throw new UserError(`${file}: no titles found (expected 'id::title::genres', 'id|title|...' or 'id<TAB>title' lines)`);
  return titles;
};

/** An item map such as ml-1m_item_map.tsv: data item id -> original id (a header line is skipped). */
export const readItemMap = (file: string): Map<string, string> => {
  const map = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read item map ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  for (const line of text.split(/\r?\n/)) {
    const [a, b] = line.split("\t");
    if (a !== undefined && b !== undefined && /^\d+$/.test(a.trim())) map.set(a.trim(), b.trim());
  }
  return map;
};
