import type { SpecFile } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { RuleCtx } from "./rule.js";

/** An imported file is a library: blocks and imports only, so importing it changes no setting. */
export const importContent = (file: SpecFile, ctx: RuleCtx): void => {
  if (ctx.isMain) return;
  for (const item of file.items) {
    if (item.kind === "ModelDef" || item.kind === "Section") {
      const what = item.kind === "ModelDef" ? `model '${item.name.name}'` : `section '${item.name.name}'`;
      ctx.diags.push(diag("ImportContent", item.name.span, `an imported file may only define blocks, but this one declares ${what}`));
    }
  }
};
