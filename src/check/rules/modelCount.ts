import type { SpecFile } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { RuleCtx } from "./rule.js";

/** A file of block definitions (and imports) only: checked on its own, it needs no model. */
export const isLibrary = (file: SpecFile): boolean =>
  file.items.some((i) => i.kind === "BlockDef") && file.items.every((i) => i.kind === "BlockDef" || i.kind === "Import");

/** The checked file declares exactly one model (the other sections have defaults), unless it is a library. */
export const modelCount = (file: SpecFile, ctx: RuleCtx): void => {
  if (!ctx.isMain || isLibrary(file)) return;
  const models = file.items.filter((i) => i.kind === "ModelDef");
  if (models.length === 0) {
    ctx.diags.push(diag("MissingModel", { file: file.file, start: file.span.start, end: file.span.start }, "the spec declares no model", {
      hint: "add e.g. `model Name { embedding items(dim: 64) … output tied }`; files with only blocks are meant to be imported",
    }));
  }
  for (const m of models.slice(1)) {
    ctx.diags.push(diag("DuplicateModel", m.name.span, `a spec declares one model; '${m.name.name}' is a second`, { hint: "put each model in its own file", related: [{ message: "first model declared here", span: models[0]!.name.span }] }));
  }
};
