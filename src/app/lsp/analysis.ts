/**
 * One document checked: the checker's outcome (diagnostics or the checked IR), the token scan of
 * its text and of every file it imports, and where each block is defined. Everything the requests
 * answer from; built once per document version.
 */
import { isRight } from "fp-ts/lib/Either.js";
import { dirname, resolve } from "node:path";
import type { IToken } from "chevrotain";
import { checkTextDetailed, type Checked, type CheckOutcome } from "../../check/index.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import { scanText, type Scan } from "./scan.js";
import { uriToPath } from "./positions.js";

export interface BlockSite {
  /** The file as the checker names it (relative paths stay relative to the main file's). */
  readonly file: string;
  readonly name: IToken;
  /** The parameter list's tokens, `(` to `)`, for the signature. */
  readonly signature: string;
}

export interface Analysis {
  readonly uri: string;
  readonly file: string;
  readonly version: number;
  readonly text: string;
  readonly scan: Scan;
  readonly outcome: CheckOutcome;
  readonly checked: Checked | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** The other files read (imports, transitively), by the checker's name, with their scans. */
  readonly imported: ReadonlyMap<string, Scan>;
  /** The same files as absolute paths, to re-check this document when one of them changes. */
  readonly dependsOn: ReadonlySet<string>;
  /** Block name -> definition; this file's definitions win over imported ones. */
  readonly blocks: ReadonlyMap<string, BlockSite>;
}

/** `(d_state = 32)` as written, from the tokens after the block's name. */
const signatureOf = (s: Scan, nameIndex: number): string => {
  const parts: string[] = [];
  let depth = 0;
  for (let i = nameIndex + 1; i < s.tokens.length; i++) {
    const t = s.tokens[i]!;
    const img = t.image;
    if (img === "(") depth++;
    if (depth === 0) break;
    parts.push(img === "," ? ", " : img === "=" ? " = " : img);
    if (img === ")" && --depth === 0) break;
  }
  return parts.join("");
};

const blockSites = (file: string, s: Scan, into: Map<string, BlockSite>): void => {
  s.tokens.forEach((t, i) => {
    if (s.roles[i]?.kind === "blockName" && !into.has(t.image)) into.set(t.image, { file, name: t, signature: signatureOf(s, i) });
  });
};

export const analyze = (uri: string, version: number, text: string): Analysis => {
  const file = uriToPath(uri);
  const outcome = checkTextDetailed(file, text);
  const scan = scanText(text);
  const imported = new Map<string, Scan>();
  for (const [f, src] of outcome.sources) if (f !== file) imported.set(f, scanText(src));
  const blocks = new Map<string, BlockSite>();
  blockSites(file, scan, blocks);
  for (const [f, s] of imported) blockSites(f, s, blocks);
  const checked = isRight(outcome.result) ? outcome.result.right : undefined;
  return {
    uri, file, version, text, scan, outcome, checked,
    diagnostics: isRight(outcome.result) ? outcome.result.right.warnings : outcome.result.left,
    imported,
    // Imports that cannot be read yet count too, so creating the file clears the error.
    dependsOn: new Set([...[...imported.keys()].map((f) => resolve(f)), ...scan.imports.map((t) => resolve(dirname(file), t.image.slice(1, -1)))]),
    blocks,
  };
};
