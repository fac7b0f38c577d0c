import * as tf from "@tensorflow/tfjs-core";
import { causalConvSilu } from "../../kernels/causal_conv.js";
import { selectiveScan } from "../../kernels/selective_scan.js";
import { siluGateFused } from "../../kernels/silu_gate.js";
import { normalInit, onesInit, zerosInit } from "../params.js";
import type { MambaDtInit } from "../../ir/spec.js";
import { rowsAt, type BuildContext, type Module } from "../module.js";
import { dense3d, WEIGHT_STD } from "./common.js";

export interface MambaOptions {
  readonly dim: number;
  readonly dState: number;
  readonly dConv: number;
  readonly expand: number;
  /** ceil(dim / 16) in mamba-ssm. */
  readonly dtRank: number;
  /** dt_proj's init: "zero" (official Mamba4Rec, the default) or "mamba" (mamba-ssm's own). */
  readonly dtInit?: MambaDtInit;
  /** Scan checkpoint interval (steps); default 16. */
  readonly chunk?: number;
}

/**
 * The Mamba block as mamba-ssm 1.1.4 computes it (Mamba.forward):
 *   [x, z] = in_proj(h)                     (no bias; dInner = expand * dim each)
 *   x = SiLU(causal depthwise conv1d(x))    (kernel dConv, with bias)
 *   [dtRaw, B, C] = x_proj(x)               (no bias; dtRank, dState, dState)
 *   y = selective_scan(x, dt_proj(dtRaw), A = -exp(A_log), B, C, D, delta_bias = dt_proj.bias, softplus)
 *   out = out_proj(y * SiLU(z))             (no bias)
 * Init as official Mamba4Rec (RecBole's _init_weights over nn.Linear): every Linear weight
 * N(0, 0.02) and dt_proj's bias 0 (overriding Mamba's own dt init), A_log = log(1..dState) per
 * channel, D = 1. The conv is not an nn.Linear there, so it keeps PyTorch's default
 * U(-1/sqrt(dConv), 1/sqrt(dConv)) for weight and bias (U(-1/2, 1/2) for dConv 4), as here.
 * With dtInit "mamba", dt_proj keeps mamba-ssm's own init instead (dt_init "random", dt_scale 1):
 * weight U(-dtRank^-1/2, dtRank^-1/2) and bias softplus^-1(dt) for dt log-uniform in [0.001, 0.1]
 * (floor 1e-4), so the step sizes start spread over two decades rather than all near
 * softplus(0) = 0.69, at which every state channel forgets at least half of itself each step.
 */
export const mamba = (ctx: BuildContext, name: string, cfg: MambaOptions): Module => {
  const { dim, dState, dConv, dtRank } = cfg;
  const dInner = cfg.expand * dim;
  const chunk = cfg.chunk ?? 16;
  const p = ctx.params;
  const inProj = p.create(`${name}.in_proj.weight`, [dim, 2 * dInner], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>;
  // nn.Conv1d keeps PyTorch's default init in the official code (RecBole re-initialises only
  // Linear and Embedding): kaiming_uniform(a = sqrt 5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in))
  // for weight and bias, fan_in = dConv for a depthwise conv.
  const convBound = 1 / Math.sqrt(dConv);
  const convW = p.create(`${name}.conv1d.weight`, [dInner, dConv], { kind: "uniform", bound: convBound }) as tf.Variable<tf.Rank.R2>;
  const convB = p.create(`${name}.conv1d.bias`, [dInner], { kind: "uniform", bound: convBound }) as tf.Variable<tf.Rank.R1>;
  const xProj = p.create(`${name}.x_proj.weight`, [dInner, dtRank + 2 * dState], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>;
  const official = (cfg.dtInit ?? "zero") === "zero";
  const dtProj = p.create(`${name}.dt_proj.weight`, [dtRank, dInner],
    official ? normalInit(WEIGHT_STD) : { kind: "uniform", bound: 1 / Math.sqrt(dtRank) }) as tf.Variable<tf.Rank.R2>;
  const dtBias = p.create(`${name}.dt_proj.bias`, [dInner],
    official ? zerosInit : { kind: "inverseSoftplusLogUniform", min: 1e-3, max: 0.1, floor: 1e-4 }) as tf.Variable<tf.Rank.R1>;
  const aLog = new Float32Array(dInner * dState);
  for (let i = 0; i < aLog.length; i++) aLog[i] = Math.log((i % dState) + 1);
  const A_log = p.create(`${name}.A_log`, [dInner, dState], { kind: "values", values: aLog }) as tf.Variable<tf.Rank.R2>;
  const D = p.create(`${name}.D`, [dInner], onesInit) as tf.Variable<tf.Rank.R1>;
  const outProj = p.create(`${name}.out_proj.weight`, [dInner, dim], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>;
  // The selective scan's output y at every position: [batch, len, dInner].
  const scan = (h: tf.Tensor3D): tf.Tensor3D => {
    // in_proj and x_proj are applied as column blocks of their weights (identical products):
    // slicing the small weights is far cheaper than slicing the [batch, len, *] activations.
    const x0 = dense3d(h, tf.slice(inProj, [0, 0], [dim, dInner]), null); // [batch, len, dInner]
    const x = causalConvSilu(x0, convW, convB); // [batch, len, dInner]
    const dtRaw = dense3d(x, tf.slice(xProj, [0, 0], [dInner, dtRank]), null); // [batch, len, dtRank]
    const B = dense3d(x, tf.slice(xProj, [0, dtRank], [dInner, dState]), null); // [batch, len, dState]
    const C = dense3d(x, tf.slice(xProj, [0, dtRank + dState], [dInner, dState]), null); // [batch, len, dState]
    const delta = dense3d(dtRaw, dtProj, null); // [batch, len, dInner], bias fused into the scan
    const A = tf.neg(tf.exp(A_log)); // [dInner, dState]
    return selectiveScan(x, delta, A, B, C, D, dtBias, chunk); // [batch, len, dInner]
  };
  const zOf = (h: tf.Tensor3D): tf.Tensor3D => dense3d(h, tf.slice(inProj, [0, dInner], [dim, dInner]), null); // [batch, len, dInner]
  return {
    name,
    apply: (h) => dense3d(siluGateFused(scan(h), zOf(h)), outProj, null), // [batch, len, dim]: out_proj(y * SiLU(z))
    // The scan runs over every position; the gate's z and out_proj only where the output is wanted.
    applyLast: (h, _fwd, pos) => {
      const batch = h.shape[0];
      const y = tf.reshape<tf.Rank.R3>(rowsAt(scan(h), pos), [batch, 1, dInner]);
      const z = zOf(tf.reshape(rowsAt(h, pos), [batch, 1, dim]));
      return tf.reshape(dense3d(siluGateFused(y, z), outProj, null), [batch, dim]);
    },
  };
};
