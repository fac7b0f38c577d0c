/**
 * WGSL programs for tfjs-backend-webgpu (run with the backend's runWebGPUProgram). The tfjs
 * program machinery gives each program one output buffer (`result`), so a kernel with several
 * outputs writes them packed one after another into a flat float32 result; the op wrappers
 * (ops.ts beside this file) slice them apart. Inputs are bound as flat `array<f32>` under their
 * variable names; sizes come in as uniforms, and the loop bounds that must be compile-time
 * (dState, chunk, kernel width) are baked into the shader source and its shaderKey.
 *
 * Layouts are those of ../types.ts: row-major, channels last.
 *   selective scan forward : one invocation per (batch, channel), the dState states in registers,
 *                            time sequential; writes y and the state entering every chunk.
 *   selective scan backward: one workgroup per (batch, block of channels), one invocation per
 *                            channel; chunks processed last to first, each chunk's states recomputed
 *                            from its checkpoint into a private array, then walked backwards. dB and
 *                            dC (sums over channels) are reduced over the workgroup in workgroup
 *                            memory every step; sums over the batch (dA, dD, dDeltaBias) and over
 *                            channel blocks are left as partials for one tf.sum each.
 *   causal conv forward    : one invocation per output element (batch, time, channel).
 *   causal conv backward   : one invocation per (batch, channel), time sequential with the last
 *                            `kernel` inputs and output gradients in registers; dw and dbias as
 *                            per-batch partials.
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

/** Invocations per workgroup for the flat (1-D) programs. */
const FLAT_WG = 64;

const SOFTPLUS = `
fn softplusF(x: f32) -> f32 { if (x <= 20.0) { return log(1.0 + exp(x)); } return x; }
fn softplusGradF(x: f32) -> f32 { if (x <= 20.0) { return 1.0 / (1.0 + exp(-x)); } return 1.0; }
`;

abstract class FlatProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_WG, 1, 1];
  abstract variableNames: string[];
  abstract uniforms: string;
  size = false;

  constructor(outSize: number, threads: number, key: string) {
    this.outputShape = [outSize];
    this.dispatchLayout = { x: [0] };
    this.dispatch = [Math.ceil(threads / FLAT_WG), 1, 1];
    this.shaderKey = key;
  }
  abstract getUserCode(): string;
}

/** Output: [y (batch*len*dInner) | checkpoints (batch*nChunks*dInner*dState)]. */
export class ScanForwardProgram extends FlatProgram {
  variableNames = ["u", "delta", "A", "Bm", "Cm", "Dskip", "deltaBias"];
  uniforms = "batch : i32, len : i32, dInner : i32, nChunks : i32,";
  constructor(private readonly batch: number, len: number, private readonly dInner: number,
    private readonly dState: number, private readonly chunk: number) {
    super(batch * len * dInner + batch * Math.ceil(len / chunk) * dInner * dState, batch * dInner,
      `recScanFwd_${dState}_${chunk}`);
  }
  getUserCode(): string {
    const N = this.dState;
    return `
${SOFTPLUS}
fn main(index : i32) {
  let B = uniforms.batch; let L = uniforms.len; let D = uniforms.dInner; let nC = uniforms.nChunks;
  if (index >= B * D) { return; }
  let b = index / D;
  let d = index - b * D;
  let ySize = B * L * D;
  var h : array<f32, ${N}>;
  var a : array<f32, ${N}>;
  for (var n = 0; n < ${N}; n++) { a[n] = A[d * ${N} + n]; h[n] = 0.0; }
  let bias = deltaBias[d];
  let skip = Dskip[d];
  for (var t = 0; t < L; t++) {
    if (t % ${this.chunk} == 0) {
      let base = ySize + ((b * nC + t / ${this.chunk}) * D + d) * ${N};
      for (var n = 0; n < ${N}; n++) { result[base + n] = h[n]; }
    }
    let i = (b * L + t) * D + d;
    let bn = (b * L + t) * ${N};
    let dt = softplusF(delta[i] + bias);
    let uu = u[i];
    let dtu = dt * uu;
    var acc = 0.0;
    for (var n = 0; n < ${N}; n++) {
      let hn = exp(dt * a[n]) * h[n] + dtu * Bm[bn + n];
      h[n] = hn;
      acc += Cm[bn + n] * hn;
    }
    result[i] = acc + skip * uu;
  }
}
`;
  }
  uniformData(len: number): Array<{ type: string; data: number[] }> {
    return [this.batch, len, this.dInner, Math.ceil(len / this.chunk)].map((v) => ({ type: "int32", data: [v] }));
  }
}

/** Channels per workgroup in the scan backward, so that 2 * wg * dState floats fit in 16 KB. */
export const scanBackwardGroup = (dInner: number, dState: number): number =>
  Math.max(1, Math.min(64, Math.floor(2048 / dState), dInner));

/**
 * Packed layout of the scan backward's output (offsets in floats).
 * du, ddelta [batch, len, dInner]; dA partial [batch, dInner, dState]; dB, dC partials
 * [batch, len, nBlocks, dState]; dD, dDeltaBias partials [batch, dInner].
 */
export const scanBackwardLayout = (batch: number, len: number, dInner: number, dState: number) => {
  const wg = scanBackwardGroup(dInner, dState);
  const nBlocks = Math.ceil(dInner / wg);
  const x = batch * len * dInner;
  const bc = batch * len * nBlocks * dState;
  const o = { du: 0, ddelta: x, dA: 2 * x, dB: 2 * x + batch * dInner * dState, dC: 0, dD: 0, dBias: 0, total: 0, wg, nBlocks };
  o.dC = o.dB + bc;
  o.dD = o.dC + bc;
  o.dBias = o.dD + batch * dInner;
  o.total = o.dBias + batch * dInner;
  return o;
};

export class ScanBackwardProgram implements WebGPUProgram {
  /** `params` is [A (dInner*dState) | D (dInner) | deltaBias (dInner)]: WebGPU's default limit is 8 storage buffers per stage. */
  variableNames = ["u", "delta", "params", "Bm", "Cm", "packed", "dy"];
  uniforms = "batch : i32, len : i32, dInner : i32, nChunks : i32, nBlocks : i32, ckOff : i32,";
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size = false;
  private readonly lay: ReturnType<typeof scanBackwardLayout>;

  constructor(private readonly batch: number, private readonly len: number, private readonly dInner: number,
    private readonly dState: number, private readonly chunk: number) {
    this.lay = scanBackwardLayout(batch, len, dInner, dState);
    this.outputShape = [this.lay.total];
    this.workgroupSize = [this.lay.wg, 1, 1];
    this.dispatch = [this.lay.nBlocks, batch, 1];
    this.shaderKey = `recScanBwd_${dState}_${chunk}_${this.lay.wg}`;
  }
  uniformData(): Array<{ type: string; data: number[] }> {
    const nC = Math.ceil(this.len / this.chunk);
    return [this.batch, this.len, this.dInner, nC, this.lay.nBlocks, this.batch * this.len * this.dInner]
      .map((v) => ({ type: "int32", data: [v] }));
  }
  getUserCode(): string {
    const N = this.dState;
    const K = this.chunk;
    const WG = this.lay.wg;
    // Offsets that depend on sizes are computed in the shader from uniforms (the shader is shared across sizes).
    return `
${SOFTPLUS}
var<workgroup> redB : array<f32, ${WG * N}>;
var<workgroup> redC : array<f32, ${WG * N}>;
fn main(index : i32) {
  let B = uniforms.batch; let L = uniforms.len; let D = uniforms.dInner; let nC = uniforms.nChunks;
  let nBlk = uniforms.nBlocks;
  let x = B * L * D;
  let offDA = 2 * x;
  let offDB = offDA + B * D * ${N};
  let offDC = offDB + B * L * nBlk * ${N};
  let offDD = offDC + B * L * nBlk * ${N};
  let offDBias = offDD + B * D;
  let l = i32(localId.x);
  let blk = i32(workgroupId.x);
  let b = i32(workgroupId.y);
  let dRaw = blk * ${WG} + l;
  let valid = dRaw < D;
  let d = min(dRaw, D - 1);
  var a : array<f32, ${N}>;
  var dh : array<f32, ${N}>;
  var dAacc : array<f32, ${N}>;
  var hs : array<f32, ${(K + 1) * N}>;
  var dts : array<f32, ${K}>;
  for (var n = 0; n < ${N}; n++) { a[n] = params[d * ${N} + n]; dh[n] = 0.0; dAacc[n] = 0.0; }
  let skip = params[D * ${N} + d];
  let bias = params[D * ${N} + D + d];
  var dSkip = 0.0;
  var dBiasAcc = 0.0;
  for (var c = nC - 1; c >= 0; c--) {
    let t0 = c * ${K};
    let t1 = min(L, t0 + ${K});
    let base = uniforms.ckOff + ((b * nC + c) * D + d) * ${N};
    for (var n = 0; n < ${N}; n++) { hs[n] = packed[base + n]; }
    for (var t = t0; t < t1; t++) {
      let i = (b * L + t) * D + d;
      let bn = (b * L + t) * ${N};
      let dt = softplusF(delta[i] + bias);
      dts[t - t0] = dt;
      let dtu = dt * u[i];
      let prev = (t - t0) * ${N};
      for (var n = 0; n < ${N}; n++) {
        hs[prev + ${N} + n] = exp(dt * a[n]) * hs[prev + n] + dtu * Bm[bn + n];
      }
    }
    for (var t = t1 - 1; t >= t0; t--) {
      let i = (b * L + t) * D + d;
      let bn = (b * L + t) * ${N};
      let dt = dts[t - t0];
      let uu = u[i];
      var gy = dy[i];
      if (!valid) { gy = 0.0; }
      let prev = (t - t0) * ${N};
      var du = gy * skip;
      dSkip += gy * uu;
      var ddt = 0.0;
      for (var n = 0; n < ${N}; n++) {
        let cn = Cm[bn + n];
        let bv = Bm[bn + n];
        let gh = dh[n] + gy * cn;
        let decay = exp(dt * a[n]);
        let gDecay = gh * hs[prev + n] * decay;
        dAacc[n] += gDecay * dt;
        ddt += gDecay * a[n] + gh * bv * uu;
        du += gh * dt * bv;
        dh[n] = gh * decay;
        redC[l * ${N} + n] = gy * hs[prev + ${N} + n];
        redB[l * ${N} + n] = gh * dt * uu;
      }
      if (valid) {
        result[i] = du;
        let dpre = ddt * softplusGradF(delta[i] + bias);
        result[x + i] = dpre;
        dBiasAcc += dpre;
      }
      workgroupBarrier();
      let rowOut = ((b * L + t) * nBlk + blk) * ${N};
      for (var n = l; n < ${N}; n += ${WG}) {
        var sB = 0.0;
        var sC = 0.0;
        for (var r = 0; r < ${WG}; r++) { sB += redB[r * ${N} + n]; sC += redC[r * ${N} + n]; }
        result[offDB + rowOut + n] = sB;
        result[offDC + rowOut + n] = sC;
      }
      workgroupBarrier();
    }
  }
  if (valid) {
    for (var n = 0; n < ${N}; n++) { result[offDA + (b * D + d) * ${N} + n] = dAacc[n]; }
    result[offDD + b * D + d] = dSkip;
    result[offDBias + b * D + d] = dBiasAcc;
  }
}
`;
  }
  get layout(): ReturnType<typeof scanBackwardLayout> {
    return this.lay;
  }
}

const SILU = `
fn sigmoidF(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
`;

/** Output: y [batch*len*channels]. */
export class ConvForwardProgram extends FlatProgram {
  variableNames = ["x", "w", "bias"];
  uniforms = "batch : i32, len : i32, channels : i32,";
  constructor(private readonly batch: number, private readonly len: number, private readonly channels: number,
    private readonly kernel: number) {
    super(batch * len * channels, batch * len * channels, `recConvFwd_${kernel}`);
  }
  uniformData(): Array<{ type: string; data: number[] }> {
    return [this.batch, this.len, this.channels].map((v) => ({ type: "int32", data: [v] }));
  }
  getUserCode(): string {
    const K = this.kernel;
    return `
${SILU}
fn main(index : i32) {
  let L = uniforms.len; let Cn = uniforms.channels;
  if (index >= uniforms.batch * L * Cn) { return; }
  let c = index % Cn;
  let bt = index / Cn;
  let t = bt % L;
  let b = bt / L;
  var pre = bias[c];
  for (var k = 0; k < ${K}; k++) {
    let s = t - ${K - 1} + k;
    if (s >= 0) { pre += w[c * ${K} + k] * x[(b * L + s) * Cn + c]; }
  }
  result[index] = pre * sigmoidF(pre);
}
`;
  }
}

/** Output: [dx (batch*len*channels) | dw partial (batch*channels*kernel) | dbias partial (batch*channels)]. */
export class ConvBackwardProgram extends FlatProgram {
  variableNames = ["x", "w", "bias", "dy"];
  uniforms = "batch : i32, len : i32, channels : i32,";
  constructor(private readonly batch: number, private readonly len: number, private readonly channels: number,
    private readonly kernel: number) {
    super(batch * len * channels + batch * channels * (kernel + 1), batch * channels, `recConvBwd_${kernel}`);
  }
  uniformData(): Array<{ type: string; data: number[] }> {
    return [this.batch, this.len, this.channels].map((v) => ({ type: "int32", data: [v] }));
  }
  getUserCode(): string {
    const K = this.kernel;
    return `
${SILU}
fn main(index : i32) {
  let B = uniforms.batch; let L = uniforms.len; let Cn = uniforms.channels;
  if (index >= B * Cn) { return; }
  let c = index % Cn;
  let b = index / Cn;
  let offDW = B * L * Cn;
  let offDB = offDW + B * Cn * ${K};
  var wk : array<f32, ${K}>;
  var xw : array<f32, ${K}>;
  var gw : array<f32, ${K}>;
  var dw : array<f32, ${K}>;
  for (var k = 0; k < ${K}; k++) { wk[k] = w[c * ${K} + k]; xw[k] = 0.0; gw[k] = 0.0; dw[k] = 0.0; }
  let bs = bias[c];
  var db = 0.0;
  for (var t = 0; t < L + ${K - 1}; t++) {
    var gt = 0.0;
    if (t < L) {
      for (var k = 0; k < ${K - 1}; k++) { xw[k] = xw[k + 1]; }
      let i = (b * L + t) * Cn + c;
      xw[${K - 1}] = x[i];
      var pre = bs;
      for (var k = 0; k < ${K}; k++) { pre += wk[k] * xw[k]; }
      let s = sigmoidF(pre);
      gt = dy[i] * (s + pre * s * (1.0 - s));
      for (var k = 0; k < ${K}; k++) { dw[k] += gt * xw[k]; }
      db += gt;
    }
    for (var k = 0; k < ${K - 1}; k++) { gw[k] = gw[k + 1]; }
    gw[${K - 1}] = gt;
    let s0 = t - ${K - 1};
    if (s0 >= 0) {
      var acc = 0.0;
      for (var j = 0; j < ${K}; j++) { acc += wk[${K - 1} - j] * gw[j]; }
      result[(b * L + s0) * Cn + c] = acc;
    }
  }
  for (var k = 0; k < ${K}; k++) { result[offDW + (b * Cn + c) * ${K} + k] = dw[k]; }
  result[offDB + b * Cn + c] = db;
}
`;
  }
}
