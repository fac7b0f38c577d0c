/**
 * A Mamba4Rec training step written directly against the WebGPU kernels (src/kernels/webgpu) and
 * plain tfjs ops, for the GPU benchmark (kernel time without the trainer around it):
 * item embedding -> LayerNorm -> Mamba block (in_proj, causal conv + SiLU, x_proj, dt_proj, fused
 * selective scan, SiLU gate, out_proj) -> LayerNorm(dropout-free residual) -> FFN(GELU) residual
 * -> LayerNorm -> tied output, full softmax cross-entropy over every non-padding position (the
 * CLI's `linearCrossEntropy`, which runs as token chunks on webgpu).
 * Dropout is left out (deterministic check). Weights N(0, 0.02) as the official code.
 */
import * as tf from "@tensorflow/tfjs-core";
import { causalConvSiluWebgpu, selectiveScanWebgpu } from "../../src/kernels/webgpu/ops.js";
import { linearCrossEntropy } from "../../src/kernels/linear_ce.js";
import { Rng } from "../../src/util/rng.js";

export interface TinyMambaConfig {
  readonly items: number; // item ids 1..items; 0 is padding
  readonly dim: number;
  readonly dState: number;
  readonly dConv: number;
  readonly expand: number;
  readonly inner: number; // FFN width
  readonly chunk: number;
  readonly seed: number;
}

export interface TinyMamba {
  readonly vars: tf.Variable[];
  /**
   * Mean cross-entropy over positions whose target is not 0: the CLI's op (`linearCrossEntropy`,
   * token chunks on webgpu). inputs: [batch, len] int32; targets: the same positions, row-major.
   */
  loss(inputs: tf.Tensor2D, targets: Int32Array): tf.Scalar;
}

export const buildTinyMamba = (cfg: TinyMambaConfig): TinyMamba => {
  const rng = new Rng(cfg.seed);
  const dInner = cfg.expand * cfg.dim;
  const dtRank = Math.ceil(cfg.dim / 16);
  const normal = (shape: number[], std = 0.02, name?: string): tf.Variable => {
    const n = shape.reduce((p, d) => p * d, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = std * rng.normal();
    return tf.variable(tf.tensor(a, shape), true, name);
  };
  const constant = (shape: number[], v: number): tf.Variable => tf.variable(tf.fill(shape, v), true);
  const aLog = new Float32Array(dInner * cfg.dState);
  for (let i = 0; i < aLog.length; i++) aLog[i] = Math.log((i % cfg.dState) + 1);
  const V = {
    emb: normal([cfg.items + 1, cfg.dim]),
    ln0g: constant([cfg.dim], 1), ln0b: constant([cfg.dim], 0),
    inProj: normal([cfg.dim, 2 * dInner]),
    convW: normal([dInner, cfg.dConv]), convB: constant([dInner], 0),
    xProj: normal([dInner, dtRank + 2 * cfg.dState]),
    dtProj: normal([dtRank, dInner]), dtBias: constant([dInner], 0),
    aLog: tf.variable(tf.tensor2d(aLog, [dInner, cfg.dState]), true),
    D: constant([dInner], 1),
    outProj: normal([dInner, cfg.dim]),
    ln1g: constant([cfg.dim], 1), ln1b: constant([cfg.dim], 0),
    w1: normal([cfg.dim, cfg.inner]), b1: constant([cfg.inner], 0),
    w2: normal([cfg.inner, cfg.dim]), b2: constant([cfg.dim], 0),
    ln2g: constant([cfg.dim], 1), ln2b: constant([cfg.dim], 0),
  };
  const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-12))), g), b);
  };
  const dense = (x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor => {
    const [B, L, H] = x.shape as [number, number, number];
    const y = tf.reshape(tf.matMul(tf.reshape(x, [B * L, H]), w), [B, L, w.shape[1]!]);
    return b ? tf.add(y, b) : y;
  };
  const gelu = (x: tf.Tensor): tf.Tensor => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
  const silu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));
  return {
    vars: Object.values(V),
    loss: (inputs, targets) => {
      const [B, L] = inputs.shape;
      const e = tf.reshape(tf.gather(V.emb, tf.reshape(inputs, [-1])), [B, L, cfg.dim]);
      const h0 = layerNorm(e, V.ln0g, V.ln0b);
      const x0 = dense(h0, tf.slice(V.inProj, [0, 0], [cfg.dim, dInner]));
      const z = dense(h0, tf.slice(V.inProj, [0, dInner], [cfg.dim, dInner]));
      const x = causalConvSiluWebgpu(x0 as tf.Tensor3D, V.convW as tf.Tensor2D, V.convB as tf.Tensor1D);
      const dtRaw = dense(x, tf.slice(V.xProj, [0, 0], [dInner, dtRank]));
      const Bm = dense(x, tf.slice(V.xProj, [0, dtRank], [dInner, cfg.dState]));
      const Cm = dense(x, tf.slice(V.xProj, [0, dtRank + cfg.dState], [dInner, cfg.dState]));
      const delta = dense(dtRaw, V.dtProj);
      const A = tf.neg(tf.exp(V.aLog));
      const y = selectiveScanWebgpu(x, delta as tf.Tensor3D, A as tf.Tensor2D, Bm as tf.Tensor3D, Cm as tf.Tensor3D,
        V.D as tf.Tensor1D, V.dtBias as tf.Tensor1D, cfg.chunk);
      const m = dense(tf.mul(y, silu(z)), V.outProj);
      const h1 = layerNorm(m, V.ln1g, V.ln1b); // one layer: LayerNorm(dropout(mamba(x))), as the official code
      const f = dense(gelu(dense(h1, V.w1, V.b1)), V.w2, V.b2);
      const h2 = layerNorm(tf.add(f, h1), V.ln2g, V.ln2b);
      const count = targets.reduce((n, t) => n + (t > 0 ? 1 : 0), 0);
      return tf.div(linearCrossEntropy(tf.reshape(h2, [B * L, cfg.dim]) as tf.Tensor2D, V.emb as tf.Tensor2D, targets), Math.max(count, 1)) as tf.Scalar;
    },
  };
};

/** Left-padded [batch, len] next-item inputs and targets from training sequences (most recent len+1 items). */
export const nextItemBatch = (seqs: readonly Int32Array[], len: number): { inputs: Int32Array; targets: Int32Array; tokens: number } => {
  const inputs = new Int32Array(seqs.length * len);
  const targets = new Int32Array(seqs.length * len);
  let tokens = 0;
  seqs.forEach((s, r) => {
    const tail = s.subarray(Math.max(0, s.length - (len + 1)));
    const n = tail.length - 1;
    for (let i = 0; i < n; i++) {
      inputs[r * len + len - n + i] = tail[i]!;
      targets[r * len + len - n + i] = tail[i + 1]!;
    }
    tokens += Math.max(0, n);
  });
  return { inputs, targets, tokens };
};

/** A tensor of N(shift, scale^2) draws from `rng`, for the benchmarks' random inputs. */
export const randomTensor = (rng: Rng, shape: number[], scale = 1, shift = 0): tf.Tensor => {
  const a = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < a.length; i++) a[i] = shift + scale * rng.normal();
  return tf.tensor(a, shape);
};
