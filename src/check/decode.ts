/**
 * Decodes written arguments against the parameter table (params.ts): names, positional use,
 * duplicates, required parameters, types and ranges (io-ts), defaults, and block-parameter references.
 */
import { isLeft } from "fp-ts/lib/Either.js";
import type { Arg, BlockDef, NameValue, Param, Value } from "../lang/ast.js";
import { diag } from "../lang/codes.js";
import type { Diagnostic, Related } from "../lang/diagnostic.js";
import type { Span } from "../lang/span.js";
import type { Metric } from "../ir/spec.js";
import { camelCase, METRIC_NAMES, type Args, type Decoded, type DefaultCtx, type ParamDef, type ParamTable } from "./params.js";
import { didYouMean } from "./suggest.js";

/** The block call being expanded: its bindings (already resolved in the caller's scope) and where it was used. */
export interface Scope {
  readonly block: BlockDef;
  readonly bindings: ReadonlyMap<string, { readonly value: Value; readonly param: Param }>;
  readonly use: Span;
  readonly parent: Scope | null;
}

export interface Sink { readonly diags: Diagnostic[] }

/** Notes that lead from a block body back to its uses, innermost first. */
export const scopeNotes = (scope: Scope | null): Related[] => {
  const out: Related[] = [];
  for (let s = scope; s !== null; s = s.parent) out.push({ message: `in block '${s.block.name.name}' used here`, span: s.use });
  return out;
};

export interface Resolved { readonly value: Value; readonly notes: readonly Related[] }

/** Replaces a parameter reference by the value bound at the use site; notes say where it came from. */
export const resolve = (v: Value, scope: Scope | null): Resolved => {
  if (v.kind !== "Name" || scope === null) return { value: v, notes: scopeNotes(scope) };
  const b = scope.bindings.get(v.name);
  if (b === undefined) return { value: v, notes: scopeNotes(scope) };
  return {
    value: b.value,
    notes: [{ message: `bound to parameter '${v.name}' of block '${scope.block.name.name}', used here`, span: v.span }, { message: "parameter declared here", span: b.param.span }],
  };
};

export const show = (v: Value): string => {
  switch (v.kind) {
    case "Number": return v.raw.length > 24 ? `${v.raw.slice(0, 24)}…` : v.raw;
    case "String": return `"${v.value.length > 24 ? `${v.value.slice(0, 24)}…` : v.value}"`;
    case "Name": return v.name.length > 24 ? `${v.name.slice(0, 24)}…` : v.name;
    case "CallValue": return `${v.name.name}(…)`;
    case "Metric": return `${v.name.name}@${v.k.raw}`;
    case "List": return "[…]";
  }
};

const kindWord = (v: Value): string =>
  ({ Number: "a number", String: "a string", Name: "a name", CallValue: "a call", Metric: "a metric", List: "a list" })[v.kind];

const toJs = (v: Value): unknown =>
  v.kind === "Number" ? v.value
    : v.kind === "Name" ? (v.name === "true" ? true : v.name === "false" ? false : v.name)
      : v.kind === "String" ? { string: v.value } : { node: v.kind };

export interface DecodeCtx { readonly sink: Sink; readonly scope: Scope | null; readonly defaults: DefaultCtx }

/** The parameter names of the blocks in scope, for "did you mean" on an unbound name. */
const paramsInScope = (scope: Scope | null): string[] => (scope ? scope.block.params.map((p) => p.name.name) : []);

const unboundName = (v: NameValue, ctx: DecodeCtx, what: string, notes: readonly Related[]): Diagnostic =>
  ctx.scope !== null
    ? diag("UnknownName", v.span, `'${show(v)}' is not a parameter of block '${ctx.scope.block.name.name}' (${what} expects a value)`, {
      hint: didYouMean(v.name, paramsInScope(ctx.scope)) ?? `add it to the block's parameters: block ${ctx.scope.block.name.name}(${[...paramsInScope(ctx.scope), v.name].join(", ")})`,
      related: [{ message: "block declared here", span: ctx.scope.block.name.span }, ...notes],
    })
    : diag("WrongType", v.span, `${what} must be a value, got the name '${show(v)}'`, { related: notes });

const isMetricName = (name: string): name is Metric["name"] => (METRIC_NAMES as readonly string[]).includes(name);

const decodeMetric = (v: Value, what: string, ctx: DecodeCtx, notes: readonly Related[]): Metric | undefined => {
  if (v.kind !== "Metric") {
    ctx.sink.diags.push(diag("WrongType", v.span, `${what} must be a metric such as ndcg@10, got ${kindWord(v)} '${show(v)}'`, { related: notes }));
    return undefined;
  }
  const name = v.name.name;
  const known = isMetricName(name);
  if (!known) {
    ctx.sink.diags.push(diag("UnknownMetric", v.name.span, `unknown metric '${show(v)}'`, { hint: didYouMean(name, METRIC_NAMES), related: notes }));
  }
  const positiveK = Number.isInteger(v.k.value) && v.k.value > 0;
  if (!positiveK) {
    ctx.sink.diags.push(diag("MetricK", v.k.span, `metric cut-off K must be a positive integer, got ${show(v.k)}`, { hint: "write e.g. ndcg@10", related: notes }));
  }
  return known && positiveK ? { name, k: v.k.value } : undefined;
};

/**
 * Decodes one value; undefined (with a diagnostic) when it does not fit. TypeScript cannot follow
 * `Decoded<P>` into the branches of `decodeAny`, so this casts: each branch returns what it says for
 * its kind of parameter (the io-ts codec's type, `Metric`s, an option with the `Args` of its table).
 */
export const decodeValue = <P extends ParamDef>(written: Value, p: P, what: string, ctx: DecodeCtx): Decoded<P> | undefined =>
  decodeAny(written, p, what, ctx) as Decoded<P> | undefined;

const decodeAny = (written: Value, p: ParamDef, what: string, ctx: DecodeCtx): unknown => {
  const { value: v, notes } = resolve(written, ctx.scope);
  const d = ctx.sink.diags;
  if (p.nullable && v.kind === "Name" && v.name === "none") return null;
  switch (p.kind) {
    case "scalar": {
      const js = toJs(v);
      if (isLeft(p.type.decode(js))) {
        if (v.kind === "Name" && p.typeText !== "boolean" && !p.typeText.includes("|") && ctx.scope !== null) {
          d.push(unboundName(v, ctx, what, notes));
          return undefined;
        }
        if (v.kind === "Name" && p.typeText.includes("|")) {
          const options = p.typeText.split(" | ").concat(p.nullable ? ["none"] : []);
          d.push(diag("UnknownValue", v.span, `${what} has no option '${show(v)}'`, { hint: didYouMean(v.name, options), related: notes }));
          return undefined;
        }
        d.push(diag("WrongType", v.span, `${what} must be ${p.typeText === "integer" ? "an integer" : p.typeText.includes("|") ? `one of ${p.typeText}` : `a ${p.typeText}`}${p.nullable ? " or none" : ""}, got ${kindWord(v)} '${show(v)}'`, { related: notes }));
        return undefined;
      }
      const decoded = p.codec.decode(js);
      if (isLeft(decoded)) {
        d.push(diag("OutOfRange", v.span, `${what} must be ${p.rangeText}, got ${show(v)}`, { related: notes }));
        return undefined;
      }
      return decoded.right;
    }
    case "metrics": {
      if (!p.list) return decodeMetric(v, what, ctx, notes);
      if (v.kind !== "List") {
        d.push(diag("WrongType", v.span, `${what} must be a list of metrics such as [hr@10, ndcg@10], got ${kindWord(v)} '${show(v)}'`, { related: notes }));
        return undefined;
      }
      const out: Metric[] = [];
      const seen = new Map<string, Span>();
      let ok = true;
      for (const item of v.items) {
        const m = decodeMetric(resolve(item, ctx.scope).value, `each entry of ${what}`, ctx, notes);
        if (m === undefined) { ok = false; continue; }
        const key = `${m.name}@${m.k}`;
        const prev = seen.get(key);
        if (prev) {
          d.push(diag("DuplicateMetric", item.span, `metric ${key} is listed twice`, { related: [{ message: "first listed here", span: prev }] }));
          ok = false;
        } else seen.set(key, item.span);
        out.push(m);
      }
      if (ok && out.length === 0) {
        d.push(diag("NoMetrics", v.span, `${what} is empty`, { hint: "list at least one metric, e.g. [hr@10, ndcg@10]" }));
        return undefined;
      }
      return ok ? out : undefined;
    }
    case "choice": {
      const options = Object.keys(p.variants);
      const name = v.kind === "Name" ? v.name : v.kind === "CallValue" ? v.name.name : undefined;
      const nameSpan = v.kind === "CallValue" ? v.name.span : v.span;
      if (name === undefined) {
        d.push(diag("WrongType", v.span, `${what} must be one of ${options.join(", ")}${p.nullable ? " or none" : ""}, got ${kindWord(v)} '${show(v)}'`, { related: notes }));
        return undefined;
      }
      // Own keys only: an option named after an Object.prototype member ('toString') is unknown, not inherited.
      const table = Object.hasOwn(p.variants, name) ? p.variants[name] : undefined;
      if (table === undefined) {
        d.push(diag("UnknownValue", nameSpan, `${what} has no option '${name.length > 24 ? `${name.slice(0, 24)}…` : name}'`, { hint: didYouMean(name, [...options, ...(p.nullable ? ["none"] : [])]), related: notes }));
        return undefined;
      }
      const keys = Object.keys(table);
      const args = decodeArgs(v.kind === "CallValue" ? v.args : [], table, keys.length === 1 ? keys[0] : undefined, `'${name}'`, v.span, ctx);
      return args === undefined ? undefined : { variant: name, args };
    }
  }
};

/** A parameter's default in this context. */
export const defaultOf = (p: ParamDef, defaults: DefaultCtx): unknown =>
  typeof p.default === "function" ? (p.default as (c: DefaultCtx) => unknown)(defaults) : p.default;

/**
 * Decodes an argument list against a table, into its `Args` (camelCase keys, defaults filled in);
 * undefined when any argument is wrong (the diagnostics say why).
 */
export const decodeArgs = <T extends ParamTable>(
  args: readonly Arg[], table: T, positional: string | undefined, owner: string, ownerSpan: Span, ctx: DecodeCtx,
): Args<T> | undefined => {
  const d = ctx.sink.diags;
  const given = new Map<string, Arg>();
  let ok = true;
  const names = Object.keys(table);
  args.forEach((a, i) => {
    let key: string;
    if (a.name !== null) key = a.name.name;
    else if (positional !== undefined && i === 0) key = positional;
    else {
      d.push(diag("PositionalArg", a.span, names.length === 0 ? `${owner} takes no arguments` : `${owner} needs named arguments here`, {
        hint: names.length > 0 ? `write ${names.map((n) => `${n}: …`).join(", ")}` : undefined, related: scopeNotes(ctx.scope),
      }));
      ok = false;
      return;
    }
    if (!Object.hasOwn(table, key)) {
      d.push(diag("UnknownParam", a.name?.span ?? a.span, names.length === 0 ? `${owner} takes no parameters` : `${owner} has no parameter '${key.length > 30 ? `${key.slice(0, 30)}…` : key}'`, {
        hint: didYouMean(key, names), related: scopeNotes(ctx.scope),
      }));
      ok = false;
      return;
    }
    const prev = given.get(key);
    if (prev) {
      d.push(diag("DuplicateArg", a.span, `${owner}: parameter '${key}' is given twice`, { related: [{ message: "first given here", span: prev.span }] }));
      ok = false;
      return;
    }
    given.set(key, a);
  });
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(table)) {
    const a = given.get(name);
    if (a !== undefined) {
      const v = decodeAny(a.value, p, `'${name}' of ${owner}`, ctx);
      if (v === undefined) ok = false;
      else out[camelCase(name)] = v;
    } else if (p.default === undefined) {
      d.push(diag("MissingParam", ownerSpan, `${owner} needs parameter '${name}'`, { hint: `add ${name}: … (${p.doc})`, related: scopeNotes(ctx.scope) }));
      ok = false;
    } else {
      out[camelCase(name)] = defaultOf(p, ctx.defaults);
    }
  }
  // Every key of the table was decoded (or defaulted) under its camelCase name: that is `Args<T>`.
  return ok ? (out as Args<T>) : undefined;
};
