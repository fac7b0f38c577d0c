/**
 * The resolved spec with every default, per-layer output shapes, parameter counts from the layer
 * formulas, and forward FLOPs per token.
 *
 * FLOP convention: forward pass only, one multiply-add = 2 FLOPs, bias and residual additions 1 per
 * element, LayerNorm 5 per element, activations and dropout 0; attention scores over the average
 * causal context (max_len + 1) / 2; the output scores every embedding row (items + 1).
 */
import { leafLayers, recencyBuckets, seenParams, type CheckedSpec, type Layer } from "./spec.js";

export interface LayerRow {
  /** Nesting shown by indentation, e.g. "  mamba". */
  readonly layer: string;
  readonly detail: string;
  /** [batch, len, width] after this layer. */
  readonly shape: string;
  /** Parameters of one copy (repeat: all copies). */
  readonly params: number;
  readonly flopsPerToken: number;
}

export interface Explained {
  readonly spec: CheckedSpec;
  readonly items: number;
  readonly users: number;
  readonly layers: readonly LayerRow[];
  readonly totalParams: number;
  readonly flopsPerToken: number;
  readonly flopConvention: string;
}

export const FLOP_CONVENTION = "forward only; multiply-add = 2 FLOPs; bias/residual add = 1 per element; LayerNorm = 5 per element; activations and dropout = 0; attention over the mean causal context (max_len+1)/2 (bidirectional: max_len); output scores over items+1 rows";

interface Cost { readonly params: number; readonly flops: number }

const layerCost = (l: Layer, maxLen: number, numUsers: number): Cost => {
  const d = l.inDim;
  switch (l.kind) {
    case "dropout": return { params: 0, flops: 0 };
    case "layernorm": return { params: 2 * d, flops: 5 * d };
    case "positional": return { params: l.maxLen * d, flops: d };
    case "mamba": {
      const { dInner: e, dState: n, dConv: k, dtRank: r } = l;
      const params = d * 2 * e + (e * k + e) + e * (r + 2 * n) + (r * e + e) + e * n + e + e * d;
      // in_proj, conv (+bias), x_proj, dt_proj (+bias), selective scan (dA*h + dB*x, C.h: 3 MACs per state), D skip, gate, out_proj
      const flops = 2 * d * 2 * e + (2 * e * k + e) + 2 * e * (r + 2 * n) + (2 * r * e + e) + 6 * e * n + 2 * e + e + 2 * e * d;
      return { params, flops };
    }
    case "attention": {
      const ctx = l.causal ? (maxLen + 1) / 2 : maxLen;
      return { params: 4 * (d * d + d), flops: 4 * (2 * d * d + d) + 2 * 2 * ctx * d };
    }
    case "gru": {
      const h = l.hidden;
      return { params: 3 * (d * h + h * h + 2 * h), flops: 2 * 3 * (d * h + h * h) + 6 * h };
    }
    case "attention_pool": {
      // A1 h and A2 h per token; the pool over the mean causal context: sigmoid terms (d adds, d MACs with v) and d MACs with h_j.
      const ctx = (maxLen + 1) / 2;
      return { params: 2 * d * d + d, flops: 2 * 2 * d * d + ctx * (d + 2 * d + 2 * d) };
    }
    case "ffn": return { params: d * l.inner + l.inner + l.inner * d + d, flops: 2 * d * l.inner + l.inner + 2 * l.inner * d + d };
    case "linear": return { params: d * l.outDim + (l.bias ? l.outDim : 0), flops: 2 * d * l.outDim + (l.bias ? l.outDim : 0) };
    case "caser": {
      const { window: L, horizontal: nh, vertical: nv } = l;
      // Horizontal: nh filters of h x d (+ bias) for each height h; vertical: nv filters of L (+ bias).
      let params = nv * L + nv;
      let flops = nv * d * (2 * L + 1);
      for (let h = 1; h <= L; h++) {
        params += nh * h * d + nh;
        flops += (L - h + 1) * nh * (2 * h * d + 1);
      }
      return { params, flops };
    }
    case "user_embedding": return { params: (numUsers + 1) * l.dim, flops: 0 };
    case "residual": {
      const inner = l.body.map((b) => layerCost(b, maxLen, numUsers));
      return { params: inner.reduce((s, c) => s + c.params, 0), flops: inner.reduce((s, c) => s + c.flops, 0) + d };
    }
    case "repeat": {
      const inner = l.body.map((b) => layerCost(b, maxLen, numUsers));
      return { params: l.times * inner.reduce((s, c) => s + c.params, 0), flops: l.times * inner.reduce((s, c) => s + c.flops, 0) };
    }
  }
};

const detailOf = (l: Layer, numUsers: number): string => {
  switch (l.kind) {
    case "dropout": return `rate ${l.rate}`;
    case "layernorm": return `eps ${l.eps}`;
    case "positional": return `max_len ${l.maxLen}`;
    case "mamba": return `d_state ${l.dState}, d_conv ${l.dConv}, expand ${l.expand}, d_inner ${l.dInner}, dt_rank ${l.dtRank}, dt_init ${l.dtInit}`;
    case "attention": return `heads ${l.heads}, dropout ${l.dropout}, causal ${l.causal}`;
    case "gru": return `hidden ${l.hidden}`;
    case "attention_pool": return l.concat ? `[c_t, h_t] -> ${l.outDim}` : "c_t";
    case "ffn": return `inner ${l.inner}, ${l.activation}, dropout ${l.dropout}`;
    case "linear": return `${l.inDim} -> ${l.outDim}${l.bias ? ", bias" : ""}${l.activation === "none" ? "" : `, ${l.activation}`}`;
    case "caser": return `window ${l.window}: ${l.horizontal} horizontal filters per height 1..${l.window}, ${l.vertical} vertical`;
    case "user_embedding": return `${numUsers + 1} rows (users + padding) x ${l.dim}, joined: ${l.inDim} + ${l.dim}`;
    case "residual": return "x + body(x)";
    case "repeat": return `x${l.times}, own weights per copy`;
  }
};

/** `spec` explained for `numItems` items and, for a model with a user table, `numUsers` users. */
export const explain = (spec: CheckedSpec, numItems: number, numUsers = 0): Explained => {
  const rows: LayerRow[] = [];
  const maxLen = spec.data.maxLen;
  const shape = (w: number): string => `[batch, ${maxLen}, ${w}]`;
  if (spec.model.kind === "popularity") {
    return { spec, items: numItems, users: numUsers, layers: [{ layer: "popularity", detail: "item counts", shape: `[batch, ${numItems + 1}]`, params: 0, flopsPerToken: 0 }], totalParams: 0, flopsPerToken: 0, flopConvention: FLOP_CONVENTION };
  }
  const m = spec.model;
  const rows0 = numItems + 1;
  const tableRows = rows0 + (m.maskToken ? 1 : 0);
  rows.push({ layer: "embedding items", detail: `${tableRows} rows (items + padding${m.maskToken ? " + mask token" : ""}) x ${m.embeddingDim}`, shape: shape(m.embeddingDim), params: tableRows * m.embeddingDim, flopsPerToken: 0 });
  const visit = (ls: readonly Layer[], depth: number): void => {
    for (const l of ls) {
      const c = layerCost(l, maxLen, numUsers);
      rows.push({ layer: `${"  ".repeat(depth)}${l.kind}`, detail: detailOf(l, numUsers), shape: shape(l.outDim), params: c.params, flopsPerToken: c.flops });
      if (l.kind === "residual" || l.kind === "repeat") visit(l.body, depth + 1);
    }
  };
  visit(m.layers, 0);
  const top = m.layers.map((l) => layerCost(l, maxLen, numUsers));
  const outParams = m.output === "linear" ? rows0 * m.embeddingDim : 0;
  const outFlops = 2 * m.embeddingDim * rows0;
  rows.push({ layer: `output ${m.output}`, detail: m.output === "tied" ? "scores = h . E^T (shares the embedding)" : `separate ${rows0} x ${m.embeddingDim} matrix`, shape: `[batch, ${maxLen}, ${rows0}]`, params: outParams, flopsPerToken: outFlops });
  // The seen-aware adjustment: one add per distinct item of the mean causal context, plus the gate's dot product.
  const seenParamCount = seenParams(m.seen, maxLen, m.embeddingDim);
  const seenFlops = m.seen === "none" ? 0 : (maxLen + 1) / 2 + (m.seen === "gated" ? 2 * m.embeddingDim + 1 : 0);
  if (m.seen !== "none") {
    const detail = m.seen === "bias" ? "one learned bias for the items in the input"
      : `${recencyBuckets(maxLen)} recency-bucket weights${m.seen === "gated" ? ` + a ${m.embeddingDim}-wide gate` : ""} for the items in the input`;
    rows.push({ layer: `  seen: ${m.seen}`, detail, shape: `[batch, ${maxLen}, ${rows0}]`, params: seenParamCount, flopsPerToken: seenFlops });
  }
  const totalParams = tableRows * m.embeddingDim + top.reduce((s, c) => s + c.params, 0) + outParams + seenParamCount;
  const flopsPerToken = top.reduce((s, c) => s + c.flops, 0) + outFlops + seenFlops;
  return { spec, items: numItems, users: numUsers, layers: rows, totalParams, flopsPerToken, flopConvention: FLOP_CONVENTION };
};

const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");

/** A readable table for the terminal. */
/** Whether the model has a user table (`embedding users`), whose size is the number of users. */
export const usesUsers = (spec: CheckedSpec): boolean =>
  spec.model.kind === "sequence" && leafLayers(spec.model.layers).some((l) => l.kind === "user_embedding");

export const renderExplained = (e: Explained, resolvedText: string): string => {
  const head = ["layer", "detail", "output shape", "params", "FLOPs/token"];
  const body = e.layers.map((r) => [r.layer, r.detail, r.shape, fmtInt(r.params), fmtInt(r.flopsPerToken)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [
    `${e.spec.model.name} (${e.spec.file}), ${fmtInt(e.items)} items${usesUsers(e.spec) ? `, ${fmtInt(e.users)} users` : ""}`,
    "",
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    "",
    `total parameters: ${fmtInt(e.totalParams)}`,
    `FLOPs per token:  ${fmtInt(e.flopsPerToken)} (${e.flopConvention})`,
    "",
    "resolved spec (every default filled in):",
    resolvedText.trimEnd(),
    "",
  ].join("\n");
};
