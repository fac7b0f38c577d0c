import type { CallLayer } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { RuleCtx } from "./rule.js";

/** Warns on `dropout(0)`: it does nothing. */
export const zeroDropout = (layer: CallLayer, ctx: RuleCtx): void => {
  if (layer.name.name !== "dropout" || layer.args.length !== 1) return;
  const v = layer.args[0]!.value;
  if (v.kind === "Number" && v.value === 0) ctx.diags.push(diag("ZeroDropout", layer.span, "dropout(0) does nothing", { hint: "remove the layer" }));
};
