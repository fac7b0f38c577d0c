import type { BlockDef } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { Span } from "../../lang/span.js";
import { isLayerName } from "../params.js";
import type { RuleCtx } from "./rule.js";

/** Block parameters are distinct, and a block may not take a built-in layer's name. */
export const blockParams = (block: BlockDef, ctx: RuleCtx): void => {
  if (isLayerName(block.name.name)) {
    ctx.diags.push(diag("DuplicateBlock", block.name.span, `block '${block.name.name}' has the name of a built-in layer`, { hint: `rename it, e.g. ${block.name.name}Block` }));
  }
  const seen = new Map<string, Span>();
  for (const p of block.params) {
    const prev = seen.get(p.name.name);
    if (prev) ctx.diags.push(diag("DuplicateBlockParam", p.name.span, `parameter '${p.name.name}' of block '${block.name.name}' is declared twice`, { related: [{ message: "first declared here", span: prev }] }));
    else seen.set(p.name.name, p.name.span);
  }
};
