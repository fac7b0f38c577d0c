import type { SpecFile } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { Span } from "../../lang/span.js";
import { SECTION_NAMES } from "../params.js";
import type { RuleCtx } from "./rule.js";
import { didYouMean } from "../suggest.js";

/** Sections are data, train, eval and ablate, each at most once. */
export const sectionNames = (file: SpecFile, ctx: RuleCtx): void => {
  const seen = new Map<string, Span>();
  for (const item of file.items) {
    if (item.kind !== "Section") continue;
    const name = item.name.name;
    if (!(SECTION_NAMES as readonly string[]).includes(name)) {
      ctx.diags.push(diag("UnknownSection", item.name.span, `unknown section '${name.length > 30 ? `${name.slice(0, 30)}…` : name}'`, { hint: didYouMean(name, SECTION_NAMES) }));
      continue;
    }
    const prev = seen.get(name);
    if (prev) ctx.diags.push(diag("DuplicateSection", item.name.span, `section '${name}' is declared twice`, { hint: "merge the two into one", related: [{ message: "first declared here", span: prev }] }));
    else seen.set(name, item.name.span);
  }
};
