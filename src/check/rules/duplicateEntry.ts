import type { Section } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { Span } from "../../lang/span.js";
import type { RuleCtx } from "./rule.js";

export const duplicateEntry = (section: Section, ctx: RuleCtx): void => {
  const seen = new Map<string, Span>();
  for (const e of section.entries) {
    const prev = seen.get(e.key.name);
    if (prev) ctx.diags.push(diag("DuplicateEntry", e.key.span, `'${section.name.name}.${e.key.name}' is given twice`, { related: [{ message: "first given here", span: prev }] }));
    else seen.set(e.key.name, e.key.span);
  }
};
