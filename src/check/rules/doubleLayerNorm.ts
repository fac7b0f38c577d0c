import type { BlockDef, LayerNode, ModelDef, RepeatLayer as Repeat, ResidualLayer as Residual } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { RuleCtx } from "./rule.js";

type WithBody = ModelDef | BlockDef | Residual | Repeat;

const isNorm = (l: LayerNode | undefined): boolean => l?.kind === "CallLayer" && l.name.name === "layernorm";

/** Warns on LayerNorm directly after LayerNorm: the second only rescales what the first normalised. */
export const doubleLayerNorm = (node: WithBody, ctx: RuleCtx): void => {
  if (!Array.isArray(node.body)) return;
  const body = node.body as readonly LayerNode[];
  for (let i = 1; i < body.length; i++) {
    if (isNorm(body[i]) && isNorm(body[i - 1])) {
      ctx.diags.push(diag("DoubleLayerNorm", body[i]!.span, "two LayerNorms in a row", { hint: "remove one of them", related: [{ message: "previous LayerNorm here", span: body[i - 1]!.span }] }));
    }
  }
};
