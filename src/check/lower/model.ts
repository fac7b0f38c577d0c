/**
 * Model AST -> IR layers: inlines block calls, decodes arguments, infers widths layer by layer and
 * reports width errors (residual and repeat bodies keep the width, heads divide it, tied output).
 */
import type { BlockDef, CallLayer, LayerNode, ModelDef, Param, Value } from "../../lang/ast.js";
import { diag } from "../../lang/codes.js";
import type { Span } from "../../lang/span.js";
import type { Layer, Model, Origin, SeenOutput } from "../../ir/spec.js";
import { decodeArgs, decodeValue, scopeNotes, type DecodeCtx, type Scope, type Sink } from "../decode.js";
import { EMBEDDING, isLayerName, LAYERS, OUTPUT, OUTPUT_MODES, REPEAT_TIMES, USER_EMBEDDING, type LayerDef, type ParamTable } from "../params.js";
import { didYouMean } from "../suggest.js";

export interface ModelCtx {
  readonly sink: Sink;
  readonly blocks: ReadonlyMap<string, BlockDef>;
  readonly dataMaxLen: number;
}

type Place = "top" | "residual" | "repeat";

const originOf = (span: Span, scope: Scope | null): Origin => {
  const via: Span[] = [];
  for (let s = scope; s !== null; s = s.parent) via.unshift(s.use);
  return via.length > 0 ? { span, via } : { span };
};

/** Binds a block's arguments at a use; undefined (with diagnostics) when they do not fit its parameters. */
const bindBlock = (call: CallLayer, block: BlockDef, scope: Scope | null, ctx: ModelCtx): Scope | undefined => {
  const d = ctx.sink.diags;
  const declared = { message: `block '${block.name.name}' declared here`, span: block.name.span };
  for (let s = scope; s !== null; s = s.parent) {
    if (s.block === block) {
      const chain: string[] = [block.name.name];
      for (let t = scope; t !== null && t.block !== block; t = t.parent) chain.unshift(t.block.name.name);
      d.push(diag("RecursiveBlock", call.name.span, `block '${block.name.name}' uses itself: ${[block.name.name, ...chain].join(" -> ")}`, { related: [declared] }));
      return undefined;
    }
  }
  const params = new Map(block.params.map((p) => [p.name.name, p] as const));
  const bindings = new Map<string, { value: Value; param: Param }>();
  let ok = true;
  for (const a of call.args) {
    if (a.name === null) {
      d.push(diag("PositionalArg", a.span, `arguments of block '${block.name.name}' must be named`, { hint: `write ${block.params.map((p) => `${p.name.name}: …`).join(", ") || "no arguments"}`, related: [declared] }));
      ok = false;
      continue;
    }
    const p = params.get(a.name.name);
    if (p === undefined) {
      d.push(diag("UnknownParam", a.name.span, `block '${block.name.name}' has no parameter '${a.name.name}'`, { hint: didYouMean(a.name.name, [...params.keys()]), related: [declared] }));
      ok = false;
      continue;
    }
    if (bindings.has(p.name.name)) {
      d.push(diag("DuplicateArg", a.span, `block '${block.name.name}': parameter '${p.name.name}' is given twice`, { related: [declared] }));
      ok = false;
      continue;
    }
    // Arguments are resolved in the caller's scope, so a parameter can be passed down to a nested block.
    const v = a.value.kind === "Name" && scope?.bindings.get(a.value.name);
    bindings.set(p.name.name, { value: v ? v.value : a.value, param: p });
  }
  for (const p of block.params) {
    if (bindings.has(p.name.name)) continue;
    if (p.default !== null) bindings.set(p.name.name, { value: p.default, param: p });
    else {
      d.push(diag("MissingParam", call.span, `block '${block.name.name}' needs parameter '${p.name.name}'`, { hint: `add ${p.name.name}: …`, related: [{ message: "parameter declared here", span: p.span }] }));
      ok = false;
    }
  }
  return ok ? { block, bindings, use: call.span, parent: scope } : undefined;
};

interface Lowered { readonly layers: Layer[]; readonly width: number; readonly ok: boolean }

const lowerCall = (node: CallLayer, width: number, scope: Scope | null, place: Place, ctx: ModelCtx): Lowered => {
  const d = ctx.sink.diags;
  const name = node.name.name;
  const dctx: DecodeCtx = { sink: ctx.sink, scope, defaults: { width, dataMaxLen: ctx.dataMaxLen } };
  const origin = originOf(node.span, scope);
  const failed: Lowered = { layers: [], width, ok: false };
  if (!isLayerName(name)) {
    const block = ctx.blocks.get(name);
    if (block === undefined) {
      d.push(diag("UnknownLayer", node.name.span, `unknown layer or block '${name.length > 30 ? `${name.slice(0, 30)}…` : name}'`, {
        hint: didYouMean(name, [...Object.keys(LAYERS), ...ctx.blocks.keys(), "embedding", "residual", "repeat", "output"]), related: scopeNotes(scope),
      }));
      return failed;
    }
    const inner = bindBlock(node, block, scope, ctx);
    if (inner === undefined) return failed;
    return lowerLayers(block.body, width, inner, place, ctx);
  }
  const decode = <T extends ParamTable>(def: LayerDef<T>) => decodeArgs(node.args, def.params, def.positional, `'${name}'`, node.span, dctx);
  const one = (layer: Layer): Lowered => ({ layers: [layer], width: layer.outDim, ok: true });
  const same = { origin, inDim: width, outDim: width };
  switch (name) {
    case "popularity":
      d.push(diag("PopularityMixed", node.span, "popularity is a whole model: write `model Pop { popularity }` with no other layers", { related: scopeNotes(scope) }));
      return failed;
    case "dropout": {
      const args = decode(LAYERS.dropout);
      return args ? one({ kind: "dropout", ...same, rate: args.rate }) : failed;
    }
    case "layernorm": {
      const args = decode(LAYERS.layernorm);
      return args ? one({ kind: "layernorm", ...same, eps: args.eps }) : failed;
    }
    case "positional": {
      const args = decode(LAYERS.positional);
      if (args === undefined) return failed;
      const maxLen = args.maxLen;
      if (maxLen < ctx.dataMaxLen) {
        d.push(diag("PositionalLen", node.span, `positional embedding covers ${maxLen} positions but data.max_len is ${ctx.dataMaxLen}`, { hint: `use max_len: ${ctx.dataMaxLen} or more, or leave it out to follow data.max_len`, related: scopeNotes(scope) }));
        return failed;
      }
      return one({ kind: "positional", ...same, maxLen });
    }
    case "mamba": {
      const args = decode(LAYERS.mamba);
      return args ? one({ kind: "mamba", ...same, dState: args.dState, dConv: args.dConv, expand: args.expand, dInner: args.expand * width, dtRank: args.dtRank, dtInit: args.dtInit }) : failed;
    }
    case "attention": {
      const args = decode(LAYERS.attention);
      if (args === undefined) return failed;
      const heads = args.heads;
      if (width % heads !== 0) {
        const near = [...Array(width).keys()].map((i) => i + 1).filter((h) => width % h === 0).sort((a, b) => Math.abs(a - heads) - Math.abs(b - heads))[0];
        d.push(diag("HeadsDivide", node.span, `${heads} attention heads do not divide the width ${width}`, { hint: `use a divisor of ${width}, e.g. heads: ${near}`, related: scopeNotes(scope) }));
        return failed;
      }
      return one({ kind: "attention", ...same, heads, dropout: args.dropout, causal: args.causal });
    }
    case "attention_pool": {
      const args = decode(LAYERS.attention_pool);
      return args ? one({ kind: "attention_pool", origin, inDim: width, outDim: args.concat ? 2 * width : width, concat: args.concat }) : failed;
    }
    case "gru": {
      const args = decode(LAYERS.gru);
      return args ? one({ kind: "gru", origin, inDim: width, outDim: args.hidden, hidden: args.hidden }) : failed;
    }
    case "ffn": {
      const args = decode(LAYERS.ffn);
      return args ? one({ kind: "ffn", ...same, inner: args.inner, activation: args.activation, dropout: args.dropout }) : failed;
    }
    case "linear": {
      const args = decode(LAYERS.linear);
      return args ? one({ kind: "linear", origin, inDim: width, outDim: args.dim, bias: args.bias, activation: args.activation }) : failed;
    }
    case "caser": {
      const args = decode(LAYERS.caser);
      return args ? one({ kind: "caser", origin, inDim: width, outDim: args.vertical * width + args.horizontal * args.window, window: args.window, horizontal: args.horizontal, vertical: args.vertical }) : failed;
    }
  }
};

/** Where a body first changes the width, for the note on a width error. */
const firstWidthChange = (layers: readonly Layer[]): Layer | undefined => layers.find((l) => l.outDim !== l.inDim);

const lowerLayer = (node: LayerNode, width: number, scope: Scope | null, place: Place, ctx: ModelCtx): Lowered => {
  const d = ctx.sink.diags;
  switch (node.kind) {
    case "CallLayer": return lowerCall(node, width, scope, place, ctx);
    case "Embedding":
    case "Output":
      if (node.kind === "Embedding" && node.table.name === "users") {
        const args = decodeArgs(node.args, USER_EMBEDDING.params, USER_EMBEDDING.positional, "'embedding users'", node.span, { sink: ctx.sink, scope, defaults: { width, dataMaxLen: ctx.dataMaxLen } });
        if (args === undefined) return { layers: [], width, ok: false };
        return { layers: [{ kind: "user_embedding", origin: originOf(node.span, scope), inDim: width, outDim: width + args.dim, dim: args.dim }], width: width + args.dim, ok: true };
      }
      if (place !== "top" || scope !== null) {
        d.push(diag("LayerPlace", node.span, `${node.kind === "Embedding" ? "the item embedding" : "output"} belongs at the top level of the model, not inside ${scope !== null ? `block '${scope.block.name.name}'` : `a ${place}`}`, { related: scopeNotes(scope) }));
        return { layers: [], width, ok: false };
      }
      if (node.kind === "Output") {
        d.push(diag("OutputPlace", node.span, "output must be the last layer of the model"));
        return { layers: [], width, ok: false };
      }
      d.push(diag("EmbeddingPlace", node.span, "the item embedding must be the first layer of the model", { related: scopeNotes(scope) }));
      return { layers: [], width, ok: false };
    case "Residual": {
      if (node.body.length === 0) {
        d.push(diag("EmptyBody", node.span, "residual body is empty"));
        return { layers: [], width, ok: false };
      }
      const body = lowerLayers(node.body, width, scope, "residual", ctx);
      if (body.ok && body.width !== width) {
        const culprit = firstWidthChange(body.layers);
        d.push(diag("ResidualWidth", node.span, `residual body changes the width from ${width} to ${body.width}; x + body(x) needs equal widths`, {
          related: [...(culprit ? [{ message: `width changes to ${culprit.outDim} here`, span: culprit.origin.span }] : []), ...scopeNotes(scope)],
        }));
        return { layers: [], width, ok: false };
      }
      return { layers: body.ok ? [{ kind: "residual", origin: originOf(node.span, scope), inDim: width, outDim: width, body: body.layers }] : [], width, ok: body.ok };
    }
    case "Repeat": {
      const times = decodeValue(node.times, REPEAT_TIMES, "the repeat count", { sink: ctx.sink, scope, defaults: { width, dataMaxLen: ctx.dataMaxLen } });
      const body = Array.isArray(node.body) ? (node.body as readonly LayerNode[]) : [node.body as CallLayer];
      if (body.length === 0) {
        d.push(diag("EmptyBody", node.span, "repeat body is empty"));
        return { layers: [], width, ok: false };
      }
      const lowered = lowerLayers(body, width, scope, "repeat", ctx);
      if (lowered.ok && lowered.width !== width) {
        const culprit = firstWidthChange(lowered.layers);
        d.push(diag("RepeatWidth", node.span, `repeat body changes the width from ${width} to ${lowered.width}, so its copies cannot be chained`, {
          related: [...(culprit ? [{ message: `width changes to ${culprit.outDim} here`, span: culprit.origin.span }] : []), ...scopeNotes(scope)],
        }));
        return { layers: [], width, ok: false };
      }
      if (times === undefined || !lowered.ok) return { layers: [], width, ok: false };
      return { layers: [{ kind: "repeat", origin: originOf(node.span, scope), inDim: width, outDim: width, times, body: lowered.layers }], width, ok: true };
    }
  }
};

const lowerLayers = (nodes: readonly LayerNode[], width: number, scope: Scope | null, place: Place, ctx: ModelCtx): Lowered => {
  const layers: Layer[] = [];
  let w = width;
  let ok = true;
  for (const n of nodes) {
    const r = lowerLayer(n, w, scope, place, ctx);
    layers.push(...r.layers);
    ok &&= r.ok;
    if (r.ok) w = r.width;
  }
  return { layers, width: w, ok };
};

/** Lowers a model; undefined when it has errors (already reported). */
export const lowerModel = (m: ModelDef, ctx: ModelCtx): Model | undefined => {
  const d = ctx.sink.diags;
  const origin: Origin = { span: m.span };
  const body = m.body;
  if (body.length === 1 && body[0]!.kind === "CallLayer" && body[0]!.name.name === "popularity") {
    const p = body[0]!;
    if (p.args.length > 0) {
      d.push(diag("WrongArgs", p.span, "popularity takes no arguments"));
      return undefined;
    }
    return { kind: "popularity", name: m.name.name, origin };
  }
  const first = body[0];
  if (first === undefined || first.kind !== "Embedding") {
    d.push(diag("EmbeddingPlace", first?.span ?? m.name.span, `model '${m.name.name}' must start with the item embedding`, { hint: "add `embedding items(dim: 64)` as its first layer, or write `popularity` alone for the popularity baseline" }));
    return undefined;
  }
  const dctx: DecodeCtx = { sink: ctx.sink, scope: null, defaults: { width: 0, dataMaxLen: ctx.dataMaxLen } };
  let ok = true;
  if (first.table.name !== "items") {
    d.push(diag("UnknownValue", first.table.span, first.table.name === "users" ? "a model starts with the item table; `embedding users` joins the user's embedding later" : `unknown embedding table '${first.table.name}'`, { hint: "start with `embedding items(dim: …)`" }));
    ok = false;
  }
  const emb = decodeArgs(first.args, EMBEDDING.params, EMBEDDING.positional, "'embedding items'", first.span, dctx);
  if (emb === undefined) return undefined;
  const dim = emb.dim;
  let rest = body.slice(1);
  let output: "tied" | "linear" = "tied";
  let seen: SeenOutput = "none";
  let outputNode: LayerNode | undefined;
  const last = rest[rest.length - 1];
  if (last?.kind === "Output") {
    outputNode = last;
    rest = rest.slice(0, -1);
    if (!(OUTPUT_MODES as readonly string[]).includes(last.mode.name)) {
      d.push(diag("UnknownValue", last.mode.span, `unknown output '${last.mode.name}'`, { hint: didYouMean(last.mode.name, OUTPUT_MODES) }));
      ok = false;
    } else output = last.mode.name as "tied" | "linear";
    const args = decodeArgs(last.args, OUTPUT.params, undefined, `'output ${last.mode.name}'`, last.span, dctx);
    if (args === undefined) ok = false;
    else seen = args.seen ?? "none";
  }
  const lowered = lowerLayers(rest, dim, null, "top", ctx);
  if (!lowered.ok || !ok) return undefined;
  if (output === "tied" && lowered.width !== dim) {
    d.push(diag("TiedWidth", outputNode?.span ?? m.name.span, `tied output scores against the ${dim}-wide item embedding, but the last layer is ${lowered.width} wide`, {
      hint: `end with linear(dim: ${dim}), or use \`output linear\``,
      related: [{ message: "item embedding declared here", span: first.span }],
    }));
    return undefined;
  }
  // maskToken follows train.targets, which lowerSpec reads after the model.
  return { kind: "sequence", name: m.name.name, origin, embeddingDim: dim, layers: lowered.layers, output, seen, maskToken: false };
};
