/**
 * Plain float64 forward references of the runtime layers (src/runtime/layers/*.ts), written as
 * Float64Array loops from the equations in each layer's doc comment, independently of the tfjs code:
 * no tfjs op, no shared kernel. Used by layers_f64.spec.ts for forward comparisons and for central
 * finite differences of the gradients.
 *
 * Layouts follow the layers: activations [batch, len, dim] row-major; dense weights [in, out]
 * (PyTorch's transpose); parameters are read by the names the layers give them in their ParamStore.
 * Dropout masks are drawn exactly as `applyDropout` draws them (one `rng.uniform() < keep` per
 * element of the tensor, row-major, scaled by 1 / keep), from a generator the caller seeds.
 */
import type { Rng } from "../../src/util/rng.js";

export type Params64 = Record<string, Float64Array>;

/** [batch, len, dim] */
export interface Dims3 {
  readonly batch: number;
  readonly len: number;
  readonly dim: number;
}

export const param = (P: Params64, name: string): Float64Array => {
  const v = P[name];
  if (!v) throw new Error(`ref64: no parameter '${name}' (have ${Object.keys(P).join(", ")})`);
  return v;
};

/** x [rows, inDim] . W [inDim, outDim] (+ b [outDim]) -> [rows, outDim]. */
export const dense64 = (x: Float64Array, rows: number, inDim: number, W: Float64Array, outDim: number,
  b: Float64Array | null): Float64Array => {
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outDim; o++) {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i]! * W[i * outDim + o]!;
      y[r * outDim + o] = s;
    }
  }
  return y;
};

export const sigmoid64 = (v: number): number => 1 / (1 + Math.exp(-v));
export const silu64 = (v: number): number => v * sigmoid64(v);
/** softplus with mamba-ssm's pass-through above 20. */
export const softplus64 = (v: number): number => (v <= 20 ? Math.log1p(Math.exp(v)) : v);

/**
 * erf to about 1e-15 relative: erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1.3.5...(2n+1))
 * (all terms positive, so no cancellation); |x| >= 6 gives +-1 to double precision.
 */
export const erf64 = (x: number): number => {
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 500; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
};

/** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)). */
export const gelu64 = (v: number): number => 0.5 * v * (1 + erf64(v / Math.SQRT2));

/** An inverted-dropout mask of n entries as `applyDropout` draws it, or all ones (no dropout). */
export const dropoutMask64 = (n: number, rate: number, rng: Rng | null): Float64Array => {
  const m = new Float64Array(n).fill(1);
  if (!rng || rate <= 0) return m;
  const keep = 1 - rate;
  for (let i = 0; i < n; i++) m[i] = rng.uniform() < keep ? 1 / keep : 0;
  return m;
};

/** LayerNorm over the last axis, biased variance: (x - mean) / sqrt(var + eps) * gamma + beta. */
export const layerNorm64 = (x: Float64Array, d: Dims3, P: Params64, name: string, eps: number): Float64Array => {
  const g = param(P, `${name}.weight`);
  const be = param(P, `${name}.bias`);
  const n = d.dim;
  const rows = d.batch * d.len;
  const y = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[r * n + i]!;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[r * n + i]! - mean) ** 2;
    v /= n;
    const rstd = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < n; i++) y[r * n + i] = (x[r * n + i]! - mean) * rstd * g[i]! + be[i]!;
  }
  return y;
};

export const linear64 = (x: Float64Array, d: Dims3, P: Params64, name: string, outDim: number, bias: boolean): Float64Array =>
  dense64(x, d.batch * d.len, d.dim, param(P, `${name}.weight`), outDim, bias ? param(P, `${name}.bias`) : null);

/** dense1 -> gelu | relu -> dropout -> dense2. */
export const ffn64 = (x: Float64Array, d: Dims3, P: Params64, name: string,
  cfg: { inner: number; outDim: number; activation: "gelu" | "relu"; dropout: number }, rng: Rng | null): Float64Array => {
  const rows = d.batch * d.len;
  const pre = dense64(x, rows, d.dim, param(P, `${name}.dense1.weight`), cfg.inner, param(P, `${name}.dense1.bias`));
  const mask = dropoutMask64(pre.length, cfg.dropout, rng);
  const act = pre.map((v, i) => (cfg.activation === "gelu" ? gelu64(v) : Math.max(v, 0)) * mask[i]!);
  return dense64(act, rows, cfg.inner, param(P, `${name}.dense2.weight`), cfg.outDim, param(P, `${name}.dense2.bias`));
};

/** x + P[t] for position t. */
export const positional64 = (x: Float64Array, d: Dims3, P: Params64, name: string): Float64Array => {
  const pos = param(P, `${name}.weight`);
  const y = new Float64Array(x.length);
  for (let b = 0; b < d.batch; b++) {
    for (let t = 0; t < d.len; t++) {
      for (let i = 0; i < d.dim; i++) {
        const k = (b * d.len + t) * d.dim + i;
        y[k] = x[k]! + pos[t * d.dim + i]!;
      }
    }
  }
  return y;
};

/** Rows of the table for ids (row-major [batch, len]); id 0 (padding) gives a zero vector. */
export const embedding64 = (ids: Int32Array, P: Params64, name: string, dim: number): Float64Array => {
  const table = param(P, `${name}.weight`);
  const y = new Float64Array(ids.length * dim);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id <= 0) continue;
    for (let j = 0; j < dim; j++) y[i * dim + j] = table[id * dim + j]!;
  }
  return y;
};

/**
 * Multi-head self-attention: q, k, v, out dense with bias; per head softmax(q k^T / sqrt(dk)) over
 * keys j <= i when causal (masked keys get exactly zero weight), dropout on the probabilities
 * (mask laid out [batch * heads, len, len], masked entries included, as the layer draws it).
 */
export const attention64 = (x: Float64Array, d: Dims3, P: Params64, name: string,
  cfg: { heads: number; causal: boolean; dropout: number }, rng: Rng | null): Float64Array => {
  const { batch, len, dim } = d;
  const H = cfg.heads;
  const dk = dim / H;
  const rows = batch * len;
  const proj = (p: string) => dense64(x, rows, dim, param(P, `${name}.${p}.weight`), dim, param(P, `${name}.${p}.bias`));
  const q = proj("query");
  const k = proj("key");
  const v = proj("value");
  const mask = dropoutMask64(batch * H * len * len, cfg.dropout, rng);
  const ctx = new Float64Array(rows * dim);
  const s = new Float64Array(len);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < len; i++) {
        const jmax = cfg.causal ? i : len - 1;
        let mx = -Infinity;
        for (let j = 0; j <= jmax; j++) {
          let acc = 0;
          for (let e = 0; e < dk; e++) acc += q[(b * len + i) * dim + h * dk + e]! * k[(b * len + j) * dim + h * dk + e]!;
          s[j] = acc / Math.sqrt(dk);
          mx = Math.max(mx, s[j]!);
        }
        let z = 0;
        for (let j = 0; j <= jmax; j++) {
          s[j] = Math.exp(s[j]! - mx);
          z += s[j]!;
        }
        for (let j = 0; j <= jmax; j++) {
          const p = (s[j]! / z) * mask[((b * H + h) * len + i) * len + j]!;
          for (let e = 0; e < dk; e++) ctx[(b * len + i) * dim + h * dk + e]! += p * v[(b * len + j) * dim + h * dk + e]!;
        }
      }
    }
  }
  return dense64(ctx, rows, dim, param(P, `${name}.dense.weight`), dim, param(P, `${name}.dense.bias`));
};

/**
 * GRU, PyTorch's equations, gates ordered r, z, n, h_0 = 0:
 *   r = sigma(x W_ir + b_ir + h W_hr + b_hr),  z = sigma(x W_iz + b_iz + h W_hz + b_hz),
 *   n = tanh(x W_in + b_in + r * (h W_hn + b_hn)),  h' = (1 - z) * n + z * h.
 */
export const gru64 = (x: Float64Array, d: Dims3, P: Params64, name: string, hidden: number): Float64Array => {
  const { batch, len, dim } = d;
  const Hd = hidden;
  const Wi = param(P, `${name}.weight_ih`);
  const Wh = param(P, `${name}.weight_hh`);
  const bi = param(P, `${name}.bias_ih`);
  const bh = param(P, `${name}.bias_hh`);
  const out = new Float64Array(batch * len * Hd);
  const gi = new Float64Array(3 * Hd);
  const gh = new Float64Array(3 * Hd);
  for (let b = 0; b < batch; b++) {
    let h = new Float64Array(Hd);
    for (let t = 0; t < len; t++) {
      for (let o = 0; o < 3 * Hd; o++) {
        let a = bi[o]!;
        for (let i = 0; i < dim; i++) a += x[(b * len + t) * dim + i]! * Wi[i * 3 * Hd + o]!;
        gi[o] = a;
        let c = bh[o]!;
        for (let i = 0; i < Hd; i++) c += h[i]! * Wh[i * 3 * Hd + o]!;
        gh[o] = c;
      }
      const next = new Float64Array(Hd);
      for (let j = 0; j < Hd; j++) {
        const r = sigmoid64(gi[j]! + gh[j]!);
        const z = sigmoid64(gi[Hd + j]! + gh[Hd + j]!);
        const n = Math.tanh(gi[2 * Hd + j]! + r * gh[2 * Hd + j]!);
        next[j] = (1 - z) * n + z * h[j]!;
        out[(b * len + t) * Hd + j] = next[j]!;
      }
      h = next;
    }
  }
  return out;
};

/**
 * The Mamba block (mamba-ssm 1.1.4 Mamba.forward), sequentially, no checkpointing:
 *   [x0, z] = h . in_proj (no bias; dInner = expand * dim each)
 *   x = SiLU(bias_c + sum_k w[c,k] x0[t - (dConv-1) + k, c])     (causal depthwise conv, zeros before t = 0)
 *   [dtRaw, B, C] = x . x_proj (no bias; dtRank, dState, dState)
 *   dt = softplus(dtRaw . dt_proj + dt_proj.bias); A = -exp(A_log)
 *   s_t = exp(dt A) s_{t-1} + dt B_t x_t (s_0 = 0);  y_t = C_t . s_t + D x_t
 *   out = (y * SiLU(z)) . out_proj (no bias)
 */
export const mamba64 = (hIn: Float64Array, d: Dims3, P: Params64, name: string,
  cfg: { dState: number; dConv: number; expand: number; dtRank: number }): Float64Array => {
  const { batch, len, dim } = d;
  const N = cfg.dState;
  const K = cfg.dConv;
  const R = cfg.dtRank;
  const E = cfg.expand * dim; // dInner
  const rows = batch * len;
  const inProj = param(P, `${name}.in_proj.weight`); // [dim, 2E]
  const xz = dense64(hIn, rows, dim, inProj, 2 * E, null); // [rows, 2E]: x0 | z
  const convW = param(P, `${name}.conv1d.weight`); // [E, K]
  const convB = param(P, `${name}.conv1d.bias`);
  const x = new Float64Array(rows * E);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < len; t++) {
      for (let c = 0; c < E; c++) {
        let acc = convB[c]!;
        for (let k = 0; k < K; k++) {
          const s = t - (K - 1) + k;
          if (s >= 0) acc += convW[c * K + k]! * xz[(b * len + s) * 2 * E + c]!;
        }
        x[(b * len + t) * E + c] = silu64(acc);
      }
    }
  }
  const xdbl = dense64(x, rows, E, param(P, `${name}.x_proj.weight`), R + 2 * N, null); // [rows, R + 2N]
  const dtRaw = new Float64Array(rows * R);
  for (let r = 0; r < rows; r++) for (let i = 0; i < R; i++) dtRaw[r * R + i] = xdbl[r * (R + 2 * N) + i]!;
  const delta = dense64(dtRaw, rows, R, param(P, `${name}.dt_proj.weight`), E, param(P, `${name}.dt_proj.bias`));
  const Alog = param(P, `${name}.A_log`); // [E, N]
  const Dskip = param(P, `${name}.D`);
  const gated = new Float64Array(rows * E);
  const s = new Float64Array(N);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < E; c++) {
      s.fill(0);
      for (let t = 0; t < len; t++) {
        const row = b * len + t;
        const dt = softplus64(delta[row * E + c]!);
        const u = x[row * E + c]!;
        let y = Dskip[c]! * u;
        for (let n = 0; n < N; n++) {
          const A = -Math.exp(Alog[c * N + n]!);
          const Bn = xdbl[row * (R + 2 * N) + R + n]!;
          const Cn = xdbl[row * (R + 2 * N) + R + N + n]!;
          s[n] = Math.exp(dt * A) * s[n]! + dt * Bn * u;
          y += Cn * s[n]!;
        }
        gated[row * E + c] = y * silu64(xz[row * 2 * E + E + c]!);
      }
    }
  }
  return dense64(gated, rows, E, param(P, `${name}.out_proj.weight`), dim, null);
};

/**
 * NARM's local encoder at every position: c_t = sum_{j <= t} (v . sigmoid(A1 h_j + A2 h_t)) h_j with
 * A1 = `a_1.weight`, A2 = `a_2.weight` [dim, dim] and v = `v_t.weight` [dim]; out [c_t, h_t] with concat.
 */
export const attentionPool64 = (x: Float64Array, d: Dims3, P: Params64, name: string, concat: boolean): Float64Array => {
  const { batch, len, dim } = d;
  const rows = batch * len;
  const k = dense64(x, rows, dim, param(P, `${name}.a_1.weight`), dim, null);
  const q = dense64(x, rows, dim, param(P, `${name}.a_2.weight`), dim, null);
  const v = param(P, `${name}.v_t.weight`);
  const w = concat ? 2 * dim : dim;
  const out = new Float64Array(rows * w);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < len; t++) {
      const o = (b * len + t) * w;
      for (let j = 0; j <= t; j++) {
        let a = 0;
        for (let i = 0; i < dim; i++) a += v[i]! * sigmoid64(k[(b * len + j) * dim + i]! + q[(b * len + t) * dim + i]!);
        for (let i = 0; i < dim; i++) out[o + i] += a * x[(b * len + j) * dim + i]!;
      }
      if (concat) for (let i = 0; i < dim; i++) out[o + dim + i] = x[(b * len + t) * dim + i]!;
    }
  }
  return out;
};

/** linear with an activation after it (relu; gelu as the exact erf form). */
export const linearAct64 = (x: Float64Array, d: Dims3, P: Params64, name: string, outDim: number, bias: boolean, act: "relu" | "gelu"): Float64Array =>
  dense64(x, d.batch * d.len, d.dim, param(P, `${name}.weight`), outDim, bias ? param(P, `${name}.bias`) : null)
    .map((v) => (act === "relu" ? Math.max(0, v) : 0.5 * v * (1 + erf64(v / Math.SQRT2))));

/**
 * Caser's convolutions at every position t over its window: slots i = 0..L-1 hold x_{s+i} with
 * s = max(0, t - L + 1) while s + i <= t, zeros after. Horizontal height h, filter f: weight
 * `conv_h.{h-1}.weight` [h*dim, nh] (row a*dim + c), bias `conv_h.{h-1}.bias`; max over starts k of
 * relu(sum_{a,c} W[a*dim + c, f] E[k + a, c] + b_f). Vertical filter f: `conv_v.weight` [L, nv],
 * `conv_v.bias` [nv]: out[f*dim + c] = sum_i V[i, f] E[i, c] + b_f. Output [vertical, horizontal].
 */
export const caser64 = (x: Float64Array, d: Dims3, P: Params64, name: string, L: number, nh: number, nv: number): Float64Array => {
  const { batch, len, dim } = d;
  const width = nv * dim + nh * L;
  const out = new Float64Array(batch * len * width);
  const V = param(P, `${name}.conv_v.weight`);
  const bv = param(P, `${name}.conv_v.bias`);
  const E = new Float64Array(L * dim);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < len; t++) {
      const s = Math.max(0, t - L + 1);
      E.fill(0);
      for (let i = 0; i < L && s + i <= t; i++) for (let c = 0; c < dim; c++) E[i * dim + c] = x[(b * len + s + i) * dim + c]!;
      const o = (b * len + t) * width;
      for (let f = 0; f < nv; f++) {
        for (let c = 0; c < dim; c++) {
          let v = bv[f]!;
          for (let i = 0; i < L; i++) v += V[i * nv + f]! * E[i * dim + c]!;
          out[o + f * dim + c] = v;
        }
      }
      let col = o + nv * dim;
      for (let h = 1; h <= L; h++) {
        const W = param(P, `${name}.conv_h.${h - 1}.weight`);
        const bh = param(P, `${name}.conv_h.${h - 1}.bias`);
        for (let f = 0; f < nh; f++) {
          let best = -Infinity;
          for (let k = 0; k + h <= L; k++) {
            let v = bh[f]!;
            for (let a = 0; a < h; a++) for (let c = 0; c < dim; c++) v += W[(a * dim + c) * nh + f]! * E[(k + a) * dim + c]!;
            best = Math.max(best, Math.max(0, v));
          }
          out[col++] = best;
        }
      }
    }
  }
  return out;
};

/** `embedding users`: row users[b] + 1 of `weight` (row 0 for -1) joined after each position's state. */
export const userEmbedding64 = (x: Float64Array, d: Dims3, P: Params64, name: string, dim: number, users: Int32Array): Float64Array => {
  const { batch, len } = d;
  const T = param(P, `${name}.weight`);
  const w = d.dim + dim;
  const out = new Float64Array(batch * len * w);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < len; t++) {
      const o = (b * len + t) * w;
      for (let c = 0; c < d.dim; c++) out[o + c] = x[(b * len + t) * d.dim + c]!;
      for (let c = 0; c < dim; c++) out[o + d.dim + c] = users[b]! < 0 ? 0 : T[(users[b]! + 1) * dim + c]!;
    }
  }
  return out;
};
