/** The golden-file cases shared by the test and test/refresh-golden.ts. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { isLeft } from "fp-ts/lib/Either.js";
import { checkFileDetailed } from "../../src/check/index.js";
import { renderDiagnostics } from "../../src/lang/render.js";

export const INVALID_DIR = "test/check/fixtures/invalid";
export const VALID_DIR = "test/check/fixtures/valid";

export const invalidCases = (): string[] => readdirSync(INVALID_DIR).filter((f) => f.endsWith(".rec")).sort().map((f) => join(INVALID_DIR, f));
export const validCases = (): string[] => readdirSync(VALID_DIR).filter((f) => f.endsWith(".rec")).sort().map((f) => join(VALID_DIR, f));
export const goldenPath = (recPath: string): string => recPath.replace(/\.rec$/, ".errors.txt");

/** What the checker says about a case, exactly as `reccompile check` prints it (without the summary). */
export const renderCase = (recPath: string): string => {
  const o = checkFileDetailed(recPath);
  return renderDiagnostics(isLeft(o.result) ? o.result.left : o.result.right.warnings, o.sources);
};
