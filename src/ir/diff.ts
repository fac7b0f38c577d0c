/**
 * A structural diff of two checked IRs that ignores where things came from (spans, origins, the file
 * name). `reccompile ablate --dry-run` prints it, `run --resume` compares specs with it, and the
 * tests use it to prove that each variant differs from its base in exactly the stated way. One line
 * per change:
 *   `- layers[4] layernorm(eps: 1e-12)`        a layer removed (base index)
 *   `+ layers[1] positional(max_len: 200)`     a layer added (variant index)
 *   `~ layers[3].body[0].dState 32 -> 16`      a field changed (base index)
 *   `- layers[3].body[3] residual skip (body kept)`  a residual unwrapped
 * Model fields read `layers[…]`, `embeddingDim`, …; the sections `data.…`, `train.…`, `eval.…`, `ablate`, `tune`.
 */
import type { CheckedSpec, Layer } from "./spec.js";
import { linearText, mambaText, tuneLines } from "./print.js";

const IGNORED = new Set(["origin", "span", "file"]);

/** A deep copy without spans, origins and the file name: what "equal modulo spans" compares. */
export const stripSpans = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(stripSpans);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object).sort()) if (!IGNORED.has(k)) out[k] = stripSpans((v as Record<string, unknown>)[k]);
  return out;
};

const key = (v: unknown): string => JSON.stringify(stripSpans(v));

export const equalModuloSpans = (a: unknown, b: unknown): boolean => key(a) === key(b);

const num = (n: number): string => String(n);

/** One layer as one line of .rec-like text (compound layers with their bodies inline). */
export const layerText = (l: Layer): string => {
  switch (l.kind) {
    case "dropout": return `dropout(${num(l.rate)})`;
    case "layernorm": return `layernorm(eps: ${num(l.eps)})`;
    case "positional": return `positional(max_len: ${l.maxLen})`;
    case "mamba": return mambaText(l);
    case "attention": return `attention(heads: ${l.heads}, dropout: ${num(l.dropout)}, causal: ${l.causal})`;
    case "gru": return `gru(hidden: ${l.hidden})`;
    case "attention_pool": return `attention_pool(concat: ${l.concat})`;
    case "ffn": return `ffn(inner: ${l.inner}, activation: ${l.activation}, dropout: ${num(l.dropout)})`;
    case "linear": return linearText(l);
    case "caser": return `caser(window: ${l.window}, horizontal: ${l.horizontal}, vertical: ${l.vertical})`;
    case "user_embedding": return `embedding users(dim: ${l.dim})`;
    case "residual": return `residual { ${l.body.map(layerText).join("  ")} }`;
    case "repeat": return `repeat ${l.times} { ${l.body.map(layerText).join("  ")} }`;
  }
};

const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(stripSpans(v)));

const isLayerList = (path: string, v: unknown): v is readonly Layer[] => Array.isArray(v) && (path === "layers" || path.endsWith(".layers") || path.endsWith(".body"));

const join = (path: string, k: string): string => (path === "" ? k : `${path}.${k}`);

/** Longest common subsequence of two key lists: the matched index pairs, in order. */
const lcs = (a: readonly string[], b: readonly string[]): [number, number][] => {
  const n = a.length;
  const m = b.length;
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  const out: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    if (a[i] === b[j]) { out.push([i, j]); i++; j++; } else if (t[i + 1]![j]! >= t[i]![j + 1]!) i++; else j++;
  }
  return out;
};

const diffLayers = (path: string, as: readonly Layer[], bs: readonly Layer[], out: string[]): void => {
  const ka = as.map(key);
  const kb = bs.map(key);
  const anchors = [...lcs(ka, kb), [as.length, bs.length] as [number, number]];
  let i = 0;
  let j = 0;
  for (const [ai, bj] of anchors) {
    const removed = as.slice(i, ai).map((l, k) => ({ l, at: i + k }));
    const added = bs.slice(j, bj).map((l, k) => ({ l, at: j + k }));
    // A residual replaced by its own body: the skip connection was dropped.
    const only = removed.length === 1 ? removed[0]! : undefined;
    if (only && only.l.kind === "residual" && added.length > 0 && key(only.l.body) === key(added.map((x) => x.l))) {
      out.push(`- ${path}[${only.at}] residual skip (body kept)`);
    } else {
      // Pair same-kind layers in order as changes; the rest are removals and additions.
      let r = 0;
      let a = 0;
      while (r < removed.length || a < added.length) {
        const x = removed[r];
        const y = added[a];
        if (x && y && x.l.kind === y.l.kind) { diffValue(`${path}[${x.at}]`, x.l, y.l, out); r++; a++; continue; }
        if (x && (!y || !added.slice(a).some((z) => z.l.kind === x.l.kind))) { out.push(`- ${path}[${x.at}] ${layerText(x.l)}`); r++; continue; }
        if (y) { out.push(`+ ${path}[${y.at}] ${layerText(y.l)}`); a++; continue; }
        if (x) { out.push(`- ${path}[${x.at}] ${layerText(x.l)}`); r++; }
      }
    }
    i = ai + 1;
    j = bj + 1;
  }
};

const diffValue = (path: string, a: unknown, b: unknown, out: string[]): void => {
  if (key(a) === key(b)) return;
  if (isLayerList(path, a) && isLayerList(path, b)) { diffLayers(path, a, b, out); return; }
  const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (obj(a) && obj(b) && a["kind"] === b["kind"]) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !IGNORED.has(k));
    for (const k of keys) diffValue(join(path, k), a[k], b[k], out);
    return;
  }
  out.push(`~ ${path} ${show(a)} -> ${show(b)}`);
};

/** The changes from `base` to `variant`, one line each, in spec order; empty when equal modulo spans. */
export const diffSpecs = (base: CheckedSpec, variant: CheckedSpec): string[] => {
  const out: string[] = [];
  const bm = base.model as unknown as Record<string, unknown>;
  const vm = variant.model as unknown as Record<string, unknown>;
  if (bm["kind"] !== vm["kind"]) out.push(`~ model ${show(bm["kind"])} -> ${show(vm["kind"])}`);
  else for (const k of [...new Set([...Object.keys(bm), ...Object.keys(vm)])]) if (!IGNORED.has(k)) diffValue(k, bm[k], vm[k], out);
  diffValue("data", base.data, variant.data, out);
  diffValue("train", base.train, variant.train, out);
  diffValue("eval", base.eval, variant.eval, out);
  if (key(base.ablate) !== key(variant.ablate)) {
    const txt = (s: CheckedSpec): string => (s.ablate.length === 0 ? "none" : s.ablate.map((x) => `${x.param}: [${x.values.join(", ")}]`).join("  "));
    out.push(`~ ablate ${txt(base)} -> ${txt(variant)}`);
  }
  if (key(base.tune) !== key(variant.tune)) {
    const txt = (s: CheckedSpec): string => (s.tune === null ? "none" : tuneLines(s.tune).join("  "));
    out.push(`~ tune ${txt(base)} -> ${txt(variant)}`);
  }
  return out;
};
