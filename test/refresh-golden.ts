/**
 * Refreshes every golden file of the language front end: the `.errors.txt` baseline beside each
 * invalid fixture, the generated CST types (src/lang/cst.ts), and the parameter and code tables in docs/language.md.
 * Run `npm run refresh-golden`, then review the diff.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { codesTableMarkdown } from "../src/lang/codes.js";
import { generateCstTypes } from "./lang/cst_types.js";
import { parameterTableMarkdown } from "../src/check/params.js";
import { goldenPath, invalidCases, renderCase } from "./check/golden.js";

let changed = 0;
const put = (path: string, text: string): void => {
  let old: string | undefined;
  try { old = readFileSync(path, "utf8"); } catch { old = undefined; }
  if (old === text) return;
  writeFileSync(path, text);
  changed++;
  process.stdout.write(`updated ${path}\n`);
};

for (const c of invalidCases()) put(goldenPath(c), renderCase(c));
put("src/lang/cst.ts", generateCstTypes());

const DOC = "docs/language.md";
const fill = (doc: string, name: string, table: string): string => {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  return a >= 0 && b > a ? `${doc.slice(0, a + begin.length)}\n${table}\n${doc.slice(b)}` : doc;
};
put(DOC, fill(fill(readFileSync(DOC, "utf8"), "parameter-table", parameterTableMarkdown()), "code-table", codesTableMarkdown()));
process.stdout.write(`${changed} file(s) changed\n`);
