/**
 * Rules keyed by AST node kind. Each rule is a small function in rules/, registered here; `runRules`
 * walks a file once and runs the rules registered for each node's kind.
 */
import { walk, type AstKind, type SpecFile } from "../lang/ast.js";
import { blockParams } from "./rules/blockParams.js";
import { doubleLayerNorm } from "./rules/doubleLayerNorm.js";
import { duplicateEntry } from "./rules/duplicateEntry.js";
import { importContent } from "./rules/importContent.js";
import { modelCount } from "./rules/modelCount.js";
import { sectionNames } from "./rules/sectionNames.js";
import type { Rule, RuleCtx } from "./rules/rule.js";
import { zeroDropout } from "./rules/zeroDropout.js";

type Registry = { readonly [K in AstKind]?: readonly Rule<K>[] };

export const RULES: Registry = {
  File: [sectionNames, modelCount, importContent],
  Section: [duplicateEntry],
  BlockDef: [blockParams, doubleLayerNorm],
  ModelDef: [doubleLayerNorm],
  Residual: [doubleLayerNorm],
  Repeat: [doubleLayerNorm],
  CallLayer: [zeroDropout],
};

export const runRules = (file: SpecFile, ctx: RuleCtx): void => {
  walk(file, (n) => {
    const rules = RULES[n.kind] as readonly Rule<typeof n.kind>[] | undefined;
    for (const r of rules ?? []) (r as (node: typeof n, c: RuleCtx) => void)(n, ctx);
  });
};
