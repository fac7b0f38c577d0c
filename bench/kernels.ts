/**
 * Native kernel micro-benchmarks: `npx tsx bench/kernels.ts [--json] [--reps N] [--threads N]`.
 * After one warm-up call each, medians of: the selective scan forward/backward (B=256, L=200,
 * D=128, N=32, chunk 16), the causal conv + SiLU forward/backward (B=256, L=200, C=128, K=4), the
 * fused linear cross-entropy loss+grad (51,200 tokens x 3,417 items x 64 hidden), sgemm GFLOP/s.
 * With --json the last line of stdout is one JSON object.
 */
import { loadNativeKernels, nativeLoadError } from "../src/kernels/native.js";
import { scanCheckpointSize, type ScanDims } from "../src/kernels/types.js";
import { median } from "../src/util/median.js";

const argv = process.argv.slice(2);
const json = argv.includes("--json");
const opt = (name: string): number | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : undefined;
};
const reps = opt("--reps") ?? 5;

const k = loadNativeKernels();
if (k === null) {
  const msg = `native kernels unavailable: ${nativeLoadError()}`;
  if (json) console.log(JSON.stringify({ error: msg }));
  else console.error(msg);
  process.exit(1);
}
const threads = opt("--threads");
if (threads !== undefined) k.configure({ threads });

let seed = 12345;
const rand = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
const uniform = (n: number, lo = -1, hi = 1): Float32Array => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
  return a;
};
const time = (fn: () => void, n = reps): number => {
  fn(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
};
const log = (s: string): void => {
  if (!json) console.log(s);
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

// ---- selective scan --------------------------------------------------------------------------
const sd: ScanDims = { batch: 256, len: 200, dInner: 128, dState: 32, chunk: 16 };
const BLD = sd.batch * sd.len * sd.dInner, BLN = sd.batch * sd.len * sd.dState;
const A = new Float32Array(sd.dInner * sd.dState);
for (let c = 0; c < sd.dInner; c++) for (let n = 0; n < sd.dState; n++) A[c * sd.dState + n] = -(n + 1);
const sx = { u: uniform(BLD), delta: uniform(BLD, -4, 1), A, B: uniform(BLN), C: uniform(BLN), D: uniform(sd.dInner), deltaBias: uniform(sd.dInner, -1, 0) };
const sout = { y: new Float32Array(BLD), checkpoints: new Float32Array(scanCheckpointSize(sd)) };
const sdy = uniform(BLD);
const sg = { du: new Float32Array(BLD), ddelta: new Float32Array(BLD), dA: new Float32Array(A.length), dB: new Float32Array(BLN), dC: new Float32Array(BLN), dD: new Float32Array(sd.dInner), dDeltaBias: new Float32Array(sd.dInner) };
const scanF = time(() => k.scan.forward(sd, sx, sout));
const scanB = time(() => k.scan.backward(sd, sx, sout.checkpoints, sdy, sg));
log(`scan B=256 L=200 D=128 N=32 chunk=16: forward ${scanF.toFixed(1)} ms, backward ${scanB.toFixed(1)} ms`);

// ---- causal conv -----------------------------------------------------------------------------
const cd = { batch: 256, len: 200, channels: 128, kernel: 4 };
const cn = cd.batch * cd.len * cd.channels;
const cx = uniform(cn), cw = uniform(cd.channels * cd.kernel), cb = uniform(cd.channels), cdy = uniform(cn);
const cy = new Float32Array(cn), cdx = new Float32Array(cn), cdw = new Float32Array(cw.length), cdb = new Float32Array(cd.channels);
const convF = time(() => k.conv.forward(cd, cx, cw, cb, cy));
const convB = time(() => k.conv.backward(cd, cx, cw, cb, cdy, cdx, cdw, cdb));
log(`conv B=256 L=200 C=128 K=4: forward ${convF.toFixed(1)} ms, backward ${convB.toFixed(1)} ms`);

// ---- linear cross-entropy --------------------------------------------------------------------
const ed = { tokens: 51200, hidden: 64, vocab: 3417, labelSmoothing: 0 };
const eh = uniform(ed.tokens * ed.hidden, -1, 1), eW = uniform(ed.vocab * ed.hidden, -0.05, 0.05);
const targets = new Int32Array(ed.tokens);
for (let t = 0; t < ed.tokens; t++) targets[t] = 1 + Math.floor(rand() * (ed.vocab - 1));
const edh = new Float32Array(eh.length), edW = new Float32Array(eW.length);
const ceMs = time(() => k.linearCe.lossAndGrad(ed, eh, eW, null, targets, edh, edW, null), Math.max(3, Math.min(reps, 5)));
const ceLossMs = time(() => k.linearCe.lossAndGrad(ed, eh, eW, null, targets, null, null, null), 3);
const ceFlops = 3 * 2 * ed.tokens * (ed.vocab - 1) * ed.hidden;
log(`linear CE 51200 x 3417 x 64: loss+grad ${ceMs.toFixed(1)} ms (${(ceFlops / ceMs / 1e6).toFixed(0)} GFLOP/s in its 3 sgemms), loss only ${ceLossMs.toFixed(1)} ms`);

// ---- sgemm -----------------------------------------------------------------------------------
const gemmRate = (M: number, N: number, Kd: number, ta: boolean, tb: boolean, fallback: boolean): number => {
  const Am = uniform(M * Kd), Bm = uniform(Kd * N), Cm = new Float32Array(M * N);
  const ms = time(() => k.sgemm(ta, tb, M, N, Kd, 1, Am, Bm, 0, Cm, { fallback }), 3);
  return (2 * M * N * Kd) / ms / 1e6;
};
const sq = gemmRate(1024, 1024, 1024, false, false, false);
const ceShape = gemmRate(4096, 3417, 64, false, true, false);
const sqFallback = gemmRate(1024, 1024, 1024, false, false, true);
log(`sgemm (${k.info.blas}, ${k.info.threads} threads): 1024^3 ${sq.toFixed(0)} GFLOP/s, 4096x3417x64 (B^T) ${ceShape.toFixed(0)} GFLOP/s; fallback 1024^3 ${sqFallback.toFixed(0)} GFLOP/s`);

const result = {
  blas: k.info.blas,
  threads: k.info.threads,
  simd: k.info.simd,
  scan_forward_ms: r2(scanF),
  scan_backward_ms: r2(scanB),
  conv_forward_ms: r2(convF),
  conv_backward_ms: r2(convB),
  linear_ce_ms: r2(ceMs),
  linear_ce_loss_only_ms: r2(ceLossMs),
  sgemm_gflops_1024: r2(sq),
  sgemm_gflops_ce_shape: r2(ceShape),
  sgemm_fallback_gflops_1024: r2(sqFallback),
};
if (json) console.log(JSON.stringify(result));
