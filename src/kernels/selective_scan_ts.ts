/**
 * The selective scan (softplus and delta bias fused) as plain loops: the TypeScript implementation
 * of SelectiveScanKernel, generic over Float32Array and Float64Array (float64 for gradient checks).
 * The forward keeps only the state entering every `chunk` steps; the backward recomputes each
 * chunk's states from there, so memory is O(len / chunk) states, never [batch, len, dInner, dState].
 * Arithmetic is in JS doubles; results are rounded only where they are stored.
 */
import type { FloatArray, ScanDims, ScanForwardOut, ScanGrads, ScanInputs, SelectiveScanKernel } from "./types.js";

/** softplus as mamba-ssm computes it: x above 20 is passed through. */
export const softplus = (x: number): number => (x <= 20 ? Math.log1p(Math.exp(x)) : x);
/** d softplus / dx, consistent with the threshold above. */
export const softplusGrad = (x: number): number => (x <= 20 ? 1 / (1 + Math.exp(-x)) : 1);

export const selectiveScanTs: SelectiveScanKernel = {
  forward(dims: ScanDims, x: ScanInputs, out: ScanForwardOut): void {
    const { batch, len, dInner: D, dState: N, chunk } = dims;
    const { u, delta, A, B, C, D: Dskip, deltaBias } = x;
    const { y, checkpoints } = out;
    const nChunks = Math.ceil(len / chunk);
    const h = new Float64Array(N);
    const a = new Float64Array(N);
    for (let b = 0; b < batch; b++) {
      for (let d = 0; d < D; d++) {
        h.fill(0);
        for (let n = 0; n < N; n++) a[n] = A[d * N + n]!;
        const bias = deltaBias[d]!;
        const skip = Dskip[d]!;
        for (let t = 0; t < len; t++) {
          if (t % chunk === 0) {
            const base = ((b * nChunks + t / chunk) * D + d) * N;
            for (let n = 0; n < N; n++) checkpoints[base + n] = h[n]!;
          }
          const i = (b * len + t) * D + d; // [batch, len, dInner]
          const bn = (b * len + t) * N; // [batch, len, dState]
          const dt = softplus(delta[i]! + bias);
          const uu = u[i]!;
          const dtu = dt * uu;
          let acc = 0;
          for (let n = 0; n < N; n++) {
            const hn = Math.exp(dt * a[n]!) * h[n]! + dtu * B[bn + n]!;
            h[n] = hn;
            acc += C[bn + n]! * hn;
          }
          y[i] = acc + skip * uu;
        }
      }
    }
  },

  backward(dims: ScanDims, x: ScanInputs, checkpoints: FloatArray, dy: FloatArray, g: ScanGrads): void {
    const { batch, len, dInner: D, dState: N, chunk } = dims;
    const { u, delta, A, B, C, D: Dskip, deltaBias } = x;
    const nChunks = Math.ceil(len / chunk);
    g.dA.fill(0);
    g.dB.fill(0);
    g.dC.fill(0);
    g.dD.fill(0);
    g.dDeltaBias.fill(0);
    // States after each step of one chunk, [chunk + 1, dState]; row 0 is the state entering it.
    const hs = new Float64Array((chunk + 1) * N);
    const dts = new Float64Array(chunk);
    const dh = new Float64Array(N);
    const a = new Float64Array(N);
    const dAacc = new Float64Array(N);
    for (let b = 0; b < batch; b++) {
      for (let d = 0; d < D; d++) {
        for (let n = 0; n < N; n++) a[n] = A[d * N + n]!;
        const bias = deltaBias[d]!;
        const skip = Dskip[d]!;
        dh.fill(0);
        dAacc.fill(0);
        let dSkip = 0;
        let dBias = 0;
        for (let c = nChunks - 1; c >= 0; c--) {
          const t0 = c * chunk;
          const t1 = Math.min(len, t0 + chunk);
          const base = ((b * nChunks + c) * D + d) * N;
          for (let n = 0; n < N; n++) hs[n] = checkpoints[base + n]!;
          for (let t = t0; t < t1; t++) {
            const i = (b * len + t) * D + d;
            const bn = (b * len + t) * N;
            const dt = softplus(delta[i]! + bias);
            dts[t - t0] = dt;
            const dtu = dt * u[i]!;
            const prev = (t - t0) * N;
            const cur = prev + N;
            for (let n = 0; n < N; n++) hs[cur + n] = Math.exp(dt * a[n]!) * hs[prev + n]! + dtu * B[bn + n]!;
          }
          for (let t = t1 - 1; t >= t0; t--) {
            const i = (b * len + t) * D + d;
            const bn = (b * len + t) * N;
            const dt = dts[t - t0]!;
            const uu = u[i]!;
            const gy = dy[i]!;
            const prev = (t - t0) * N;
            const cur = prev + N;
            let du = gy * skip;
            dSkip += gy * uu;
            let ddt = 0;
            for (let n = 0; n < N; n++) {
              const cn = C[bn + n]!;
              const bnv = B[bn + n]!;
              g.dC[bn + n]! += gy * hs[cur + n]!;
              const gh = dh[n]! + gy * cn; // dL/dh_t
              const decay = Math.exp(dt * a[n]!);
              const gDecay = gh * hs[prev + n]! * decay; // dL/d(dt * A) through exp
              dAacc[n]! += gDecay * dt;
              ddt += gDecay * a[n]! + gh * bnv * uu;
              g.dB[bn + n]! += gh * dt * uu;
              du += gh * dt * bnv;
              dh[n] = gh * decay;
            }
            g.du[i] = du;
            const dpre = ddt * softplusGrad(delta[i]! + bias);
            g.ddelta[i] = dpre;
            dBias += dpre;
          }
        }
        for (let n = 0; n < N; n++) g.dA[d * N + n]! += dAacc[n]!;
        g.dD[d]! += dSkip;
        g.dDeltaBias[d]! += dBias;
      }
    }
  },
};
