/** `reccompile explain`: the checked spec's layer shapes, parameter counts and FLOPs per token. */
import { isLeft } from "fp-ts/lib/Either.js";
import { checkFileDetailed } from "../check/index.js";
import { explain, usesUsers, type Explained } from "../ir/explain.js";
import type { CheckedSpec } from "../ir/spec.js";
import { isError, type Diagnostic } from "../lang/diagnostic.js";

export type ExplainOutcome =
  | {
    readonly ok: false;
    readonly diagnostics: readonly Diagnostic[];
    readonly sources: ReadonlyMap<string, string>;
    /** The file only defines blocks (and has no error): nothing to explain. */
    readonly libraryOnly: boolean;
  }
  | { readonly ok: true; readonly warnings: readonly Diagnostic[]; readonly sources: ReadonlyMap<string, string>; readonly spec: CheckedSpec; readonly explained: Explained };

/** `file` explained for a catalogue of `items` items and, for a model with a user table, `users` users. */
export const explainFile = (file: string, items: number, users = 0): ExplainOutcome => {
  const o = checkFileDetailed(file);
  if (isLeft(o.result)) return { ok: false, diagnostics: o.result.left, sources: o.sources, libraryOnly: o.library && !o.result.left.some(isError) };
  const { spec, warnings } = o.result.right;
  return { ok: true, warnings, sources: o.sources, spec, explained: explain(spec, items, users) };
};

/** `explain --json`: the figures, and the resolved spec without where each part came from. */
export const explainJson = (spec: CheckedSpec, e: Explained, items: number): unknown => {
  const users = usesUsers(spec) ? { users: e.users } : {};
  const strip = (k: string, v: unknown): unknown => (k === "origin" || k === "span" ? undefined : v);
  return { file: spec.file, model: spec.model.name, items, ...users, parameters: e.totalParams, flops_per_token: e.flopsPerToken, flop_convention: e.flopConvention, layers: e.layers, spec: JSON.parse(JSON.stringify(spec, strip)) };
};
