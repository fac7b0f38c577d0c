/**
 * Reads a spec and, transitively, the files it imports (paths relative to the importing file),
 * parsing each once. A cycle is an error that shows the whole chain. Nothing here throws on a bad
 * file: a missing file, a directory or an unreadable one is a diagnostic.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, resolve } from "node:path";
import type { SpecFile } from "../lang/ast.js";
import { diag } from "../lang/codes.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { parseText } from "../lang/parse.js";
import type { Span } from "../lang/span.js";

export interface LoadedFile { readonly file: string; readonly ast: SpecFile; readonly isMain: boolean }
export interface Loaded { readonly files: readonly LoadedFile[]; readonly sources: Map<string, string>; readonly diags: Diagnostic[] }

export const fileStart = (file: string): Span => ({ file, start: { offset: 0, line: 1, col: 1 }, end: { offset: 0, line: 1, col: 1 } });

/** The text of a file, or why it cannot be read. */
export const readSource = (path: string): { text: string } | { error: string } => {
  try {
    if (statSync(path).isDirectory()) return { error: "is a directory, not a .rec file" };
    return { text: readFileSync(path, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : `cannot be read (${code ?? String(e)})` };
  }
};

export const load = (mainFile: string, mainText: string): Loaded => {
  const sources = new Map<string, string>([[mainFile, mainText]]);
  const diags: Diagnostic[] = [];
  const files: LoadedFile[] = [];
  const done = new Set<string>();

  const visit = (file: string, text: string, isMain: boolean, stack: readonly string[]): void => {
    const key = resolve(file);
    done.add(key);
    const parsed = parseText(file, text);
    diags.push(...parsed.diagnostics);
    if (parsed.ast === null) return;
    files.push({ file, ast: parsed.ast, isMain });
    for (const item of parsed.ast.items) {
      if (item.kind !== "Import") continue;
      const target = normalize(join(dirname(file), item.path));
      const targetKey = resolve(target);
      const chainStart = [...stack, key].indexOf(targetKey);
      if (chainStart >= 0) {
        const names = [...[...stack, key].slice(chainStart).map((k) => files.find((f) => resolve(f.file) === k)?.file ?? k), target];
        diags.push(diag("ImportCycle", item.pathSpan, `import cycle: ${names.join(" -> ")}`, { hint: "move the shared blocks into a file that imports neither" }));
        continue;
      }
      if (done.has(targetKey)) continue;
      const src = readSource(target);
      if ("error" in src) {
        diags.push(diag("ImportMissing", item.pathSpan, `cannot import '${item.path}': ${target} ${src.error}`, { hint: "import paths are relative to the importing file" }));
        continue;
      }
      sources.set(target, src.text);
      visit(target, src.text, false, [...stack, key]);
    }
  };
  visit(mainFile, mainText, true, []);
  return { files, sources, diags };
};
