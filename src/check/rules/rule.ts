/** What a rule is given, apart from registry.ts so that rules and their registry do not import each other. */
import type { AstKind, NodeOfKind } from "../../lang/ast.js";
import type { Diagnostic } from "../../lang/diagnostic.js";

export interface RuleCtx {
  readonly diags: Diagnostic[];
  /** The file given to the checker, as opposed to one it imports. */
  readonly isMain: boolean;
}

export type Rule<K extends AstKind> = (node: NodeOfKind<K>, ctx: RuleCtx) => void;
