/**
 * The native (C++) kernels against plain float64 references on seeded random inputs, forward and
 * backward. References: the TypeScript kernels (`*_ts.ts`, run in float64) for the scan, the conv
 * and the linear cross-entropy; plain loops here for sgemm and scatter-add.
 * Tolerance: float32 kernels vs float64 references, measured as max |native - ref| / max |ref|
 * per output array (scan, conv: 1e-5; cross-entropy loss: 1e-5 relative, gradients: 2e-5; sgemm:
 * 1e-5). Skips cleanly when the addon is not built (or REC_KERNELS=ts).
 */
import { strict as assert } from "node:assert";
import { createRequire } from "node:module";
import { loadNativeKernels, nativeLoadError, type NativeKernels } from "../../src/kernels/native.js";
import { loadNative } from "../../src/kernels/select.js";
import { selectiveScanTs } from "../../src/kernels/selective_scan_ts.js";
import { causalConvTs } from "../../src/kernels/causal_conv_ts.js";
import { linearCrossEntropyLoops } from "../../src/kernels/linear_ce_ts.js";
import { gruTs } from "../../src/kernels/gru_ts.js";
import { gruGatesSize, scanCheckpointSize, type GruDims, type ScanDims } from "../../src/kernels/types.js";

/** mulberry32: a small seeded generator for test inputs. */
const rng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
const uniform = (r: () => number, n: number, lo = -1, hi = 1): Float32Array => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
};
const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);

/** max |got - ref| / max |ref| (max |ref| floored at 1e-30). */
const relErr = (got: ArrayLike<number>, ref: ArrayLike<number>): number => {
  assert.equal(got.length, ref.length);
  let num = 0;
  let den = 1e-30;
  for (let i = 0; i < ref.length; i++) {
    num = Math.max(num, Math.abs(got[i]! - ref[i]!));
    den = Math.max(den, Math.abs(ref[i]!));
  }
  return num / den;
};
const close = (name: string, got: ArrayLike<number>, ref: ArrayLike<number>, tol: number): void => {
  const e = relErr(got, ref);
  assert.ok(e <= tol, `${name}: relative error ${e.toExponential(2)} > ${tol}`);
};

let K: NativeKernels | null = null;
const need = (ctx: Mocha.Context): NativeKernels => {
  if (K === null) ctx.skip();
  return K!;
};

describe("native kernels", function () {
  before(function () {
    K = loadNativeKernels();
    if (K === null) console.log(`      (skipped: ${nativeLoadError()})`);
  });

  it("reports how it was built", function () {
    const k = need(this);
    assert.ok(k.info.blas === "openblas" || k.info.blas === "fallback");
    assert.ok(k.info.threads >= 1);
  });

  describe("selective scan", function () {
    const cases: ScanDims[] = [
      { batch: 2, len: 1, dInner: 3, dState: 4, chunk: 4 },
      { batch: 3, len: 37, dInner: 5, dState: 16, chunk: 8 }, // len not a multiple of chunk
      { batch: 2, len: 50, dInner: 33, dState: 32, chunk: 16 }, // a partial channel group
      { batch: 1, len: 20, dInner: 4, dState: 7, chunk: 20 }, // dState off the fast paths
      { batch: 2, len: 23, dInner: 6, dState: 64, chunk: 5 },
    ];
    for (const d of cases) {
      it(`forward and backward match the float64 reference (${JSON.stringify(d)})`, function () {
        const k = need(this);
        const r = rng(1234 + d.len * 7 + d.dState);
        const BLD = d.batch * d.len * d.dInner;
        const BLN = d.batch * d.len * d.dState;
        const A = new Float32Array(d.dInner * d.dState);
        for (let c = 0; c < d.dInner; c++)
          for (let n = 0; n < d.dState; n++) A[c * d.dState + n] = -Math.exp(Math.log(n + 1) + 0.1 * (r() - 0.5));
        // delta spans softplus's threshold (20) so both branches are exercised
        const delta = uniform(r, BLD, -3, 2);
        delta[0] = 25;
        const x = { u: uniform(r, BLD), delta, A, B: uniform(r, BLN), C: uniform(r, BLN), D: uniform(r, d.dInner), deltaBias: uniform(r, d.dInner, -0.5, 0.5) };
        const x64 = { u: f64(x.u), delta: f64(x.delta), A: f64(x.A), B: f64(x.B), C: f64(x.C), D: f64(x.D), deltaBias: f64(x.deltaBias) };
        const nCk = scanCheckpointSize(d);
        const out = { y: new Float32Array(BLD), checkpoints: new Float32Array(nCk) };
        const ref = { y: new Float64Array(BLD), checkpoints: new Float64Array(nCk) };
        k.scan.forward(d, x, out);
        selectiveScanTs.forward(d, x64, ref);
        close("y", out.y, ref.y, 1e-5);
        close("checkpoints", out.checkpoints, ref.checkpoints, 1e-5);

        const dy = uniform(r, BLD);
        const mk = (F: Float32ArrayConstructor | Float64ArrayConstructor) => ({
          du: new F(BLD), ddelta: new F(BLD), dA: new F(d.dInner * d.dState), dB: new F(BLN), dC: new F(BLN),
          dD: new F(d.dInner), dDeltaBias: new F(d.dInner),
        });
        const g = mk(Float32Array);
        for (const a of Object.values(g)) a.fill(123); // the kernel must overwrite, not accumulate
        const gr = mk(Float64Array);
        k.scan.backward(d, x, out.checkpoints, dy, g);
        selectiveScanTs.backward(d, x64, ref.checkpoints, f64(dy), gr);
        for (const key of Object.keys(g) as (keyof typeof g)[]) close(key, g[key], gr[key], 1e-5);
      });
    }

    it("rejects short arrays and float64 inputs without writing", function () {
      const k = need(this);
      const d: ScanDims = { batch: 1, len: 4, dInner: 2, dState: 4, chunk: 2 };
      const z = (n: number) => new Float32Array(n);
      const x = { u: z(8), delta: z(8), A: z(8), B: z(16), C: z(16), D: z(2), deltaBias: z(2) };
      assert.throws(() => k.scan.forward(d, x, { y: z(7), checkpoints: z(16) }), RangeError);
      assert.throws(() => k.scan.forward(d, { ...x, u: new Float64Array(8) }, { y: z(8), checkpoints: z(16) }), TypeError);
    });
  });

  describe("causal depthwise conv + SiLU", function () {
    const cases = [
      { batch: 2, len: 1, channels: 3, kernel: 4 },
      { batch: 3, len: 17, channels: 37, kernel: 4 },
      { batch: 2, len: 9, channels: 16, kernel: 1 },
      { batch: 1, len: 3, channels: 5, kernel: 6 }, // kernel longer than the sequence
    ];
    for (const d of cases) {
      it(`forward and backward match the float64 reference (${JSON.stringify(d)})`, function () {
        const k = need(this);
        const r = rng(99 + d.len + d.channels);
        const n = d.batch * d.len * d.channels;
        const x = uniform(r, n, -2, 2), w = uniform(r, d.channels * d.kernel), bias = uniform(r, d.channels), dy = uniform(r, n);
        const y = new Float32Array(n), y64 = new Float64Array(n);
        k.conv.forward(d, x, w, bias, y);
        causalConvTs.forward(d, f64(x), f64(w), f64(bias), y64);
        close("y", y, y64, 1e-5);
        const dx = new Float32Array(n).fill(7), dw = new Float32Array(w.length).fill(7), db = new Float32Array(d.channels).fill(7);
        const dx64 = new Float64Array(n), dw64 = new Float64Array(w.length), db64 = new Float64Array(d.channels);
        k.conv.backward(d, x, w, bias, dy, dx, dw, db);
        causalConvTs.backward(d, f64(x), f64(w), f64(bias), f64(dy), dx64, dw64, db64);
        close("dx", dx, dx64, 1e-5);
        close("dw", dw, dw64, 1e-5);
        close("dbias", db, db64, 1e-5);
      });
    }
  });

  describe("GRU recurrence", function () {
    const cases: GruDims[] = [
      { batch: 1, len: 1, hidden: 3 },
      { batch: 3, len: 33, hidden: 64 }, // enough work for every thread
      { batch: 5, len: 9, hidden: 17 }, // a hidden size that is no multiple of the SIMD width
    ];
    for (const d of cases) {
      it(`forward and backward match the float64 reference (${JSON.stringify(d)})`, function () {
        const k = need(this);
        const r = rng(7 + d.len + d.hidden);
        const G = 3 * d.hidden, n = d.batch * d.len;
        const xi = uniform(r, n * G, -2, 2), Wh = uniform(r, d.hidden * G, -0.3, 0.3), bh = uniform(r, G), dh = uniform(r, n * d.hidden);
        const h = new Float32Array(n * d.hidden), gates = new Float32Array(gruGatesSize(d));
        const h64 = new Float64Array(n * d.hidden), gates64 = new Float64Array(gruGatesSize(d));
        k.gru.forward(d, xi, Wh, bh, h, gates);
        gruTs.forward(d, f64(xi), f64(Wh), f64(bh), h64, gates64);
        close("h", h, h64, 1e-5);
        close("gates", gates, gates64, 1e-5);
        const dxi = new Float32Array(n * G).fill(7), dWh = new Float32Array(Wh.length).fill(7), dbh = new Float32Array(G).fill(7);
        const dxi64 = new Float64Array(n * G), dWh64 = new Float64Array(Wh.length), dbh64 = new Float64Array(G);
        k.gru.backward(d, Wh, h, gates, dh, dxi, dWh, dbh);
        gruTs.backward(d, f64(Wh), h64, gates64, f64(dh), dxi64, dWh64, dbh64);
        close("dxi", dxi, dxi64, 1e-5);
        close("dWh", dWh, dWh64, 1e-5);
        close("dbh", dbh, dbh64, 1e-5);
      });
    }
    it("checks array sizes before writing", function () {
      const k = need(this);
      const d = { batch: 2, len: 3, hidden: 4 };
      const h = new Float32Array(2 * 3 * 4).fill(5);
      assert.throws(() => k.gru.forward(d, new Float32Array(10), new Float32Array(48), new Float32Array(12), h, new Float32Array(96)), /xi has 10 elements, needs 72/);
      assert.ok(h.every((v) => v === 5));
    });
  });

  describe("fused linear cross-entropy", function () {
    const cases = [
      { tokens: 37, hidden: 16, vocab: 53, labelSmoothing: 0, bias: false, mask: 0.3 },
      { tokens: 64, hidden: 24, vocab: 101, labelSmoothing: 0.1, bias: true, mask: 0.2 },
      { tokens: 300, hidden: 8, vocab: 20000, labelSmoothing: 0.2, bias: true, mask: 0.1 }, // several item chunks (two-pass)
      { tokens: 5, hidden: 4, vocab: 2, labelSmoothing: 0.05, bias: false, mask: 0 },
      { tokens: 6, hidden: 4, vocab: 10, labelSmoothing: 0, bias: true, mask: 1 }, // every token masked
    ];
    for (const c of cases) {
      it(`loss and gradients match the float64 reference (${JSON.stringify(c)})`, function () {
        const k = need(this);
        const r = rng(7 + c.tokens + c.vocab);
        const dims = { tokens: c.tokens, hidden: c.hidden, vocab: c.vocab, labelSmoothing: c.labelSmoothing };
        const h = uniform(r, c.tokens * c.hidden, -2, 2), W = uniform(r, c.vocab * c.hidden);
        const bias = c.bias ? uniform(r, c.vocab) : null;
        const targets = new Int32Array(c.tokens);
        for (let t = 0; t < c.tokens; t++) targets[t] = r() < c.mask ? 0 : 1 + Math.floor(r() * (c.vocab - 1));
        const dh = new Float32Array(h.length).fill(5), dW = new Float32Array(W.length).fill(5);
        const dBias = c.bias ? new Float32Array(c.vocab).fill(5) : null;
        const loss = k.linearCe.lossAndGrad(dims, h, W, bias, targets, dh, dW, dBias);
        const dh64 = new Float64Array(h.length), dW64 = new Float64Array(W.length), dB64 = c.bias ? new Float64Array(c.vocab) : null;
        const ref = linearCrossEntropyLoops(dims, f64(h), f64(W), bias ? f64(bias) : null, targets, dh64, dW64, dB64);
        assert.ok(Math.abs(loss - ref) <= 1e-5 * Math.max(1, Math.abs(ref)), `loss ${loss} vs ${ref}`);
        close("dh", dh, dh64, 2e-5);
        close("dW", dW, dW64, 2e-5);
        if (dBias && dB64) close("dBias", dBias, dB64, 2e-5);
        for (let j = 0; j < c.hidden; j++) assert.equal(dW[j], 0, "row 0 (padding) of dW stays 0");
        // loss only: the same number, gradients untouched when not asked for
        const lossOnly = k.linearCe.lossAndGrad(dims, h, W, bias, targets, null, null, null);
        assert.ok(Math.abs(lossOnly - loss) <= 1e-6 * Math.max(1, Math.abs(loss)));
      });
    }

    it("rejects targets outside [0, vocab)", function () {
      const k = need(this);
      const dims = { tokens: 2, hidden: 2, vocab: 3, labelSmoothing: 0 };
      assert.throws(() => k.linearCe.lossAndGrad(dims, new Float32Array(4), new Float32Array(6), null, Int32Array.from([1, 3]), null, null, null), RangeError);
    });
  });

  describe("sgemm", function () {
    const ref = (ta: boolean, tb: boolean, M: number, N: number, Kd: number, alpha: number, A: Float32Array, B: Float32Array, beta: number, C: Float32Array): Float64Array => {
      const out = new Float64Array(M * N);
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < Kd; k++) s += (ta ? A[k * M + i]! : A[i * Kd + k]!) * (tb ? B[j * Kd + k]! : B[k * N + j]!);
          out[i * N + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * N + j]!);
        }
      return out;
    };
    const shapes = [[1, 1, 1], [7, 5, 3], [64, 64, 64], [130, 70, 257], [3, 300, 33], [257, 9, 513]] as const;
    for (const fallback of [false, true]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          it(`${fallback ? "fallback" : "default"} sgemm, transA=${ta} transB=${tb}`, function () {
            const k = need(this);
            for (const [M, N, Kd] of shapes) {
              const r = rng(M * 131 + N * 7 + Kd);
              const A = uniform(r, M * Kd), B = uniform(r, Kd * N);
              for (const [alpha, beta] of [[1, 0], [0.5, 1.5]] as const) {
                const C = uniform(r, M * N);
                const expect = ref(ta, tb, M, N, Kd, alpha, A, B, beta, C);
                if (beta === 0) C.fill(NaN); // beta 0 must ignore C entirely
                k.sgemm(ta, tb, M, N, Kd, alpha, A, B, beta, C, { fallback });
                close(`C ${M}x${N}x${Kd}`, C, expect, 1e-5);
              }
            }
          });
        }
      }
    }
    it("honours leading dimensions", function () {
      const k = need(this);
      const r = rng(5);
      // A is the left 3 columns of a 4x5 matrix, B the top-left 3x2 of a 3x4, C a 4x2 block of a 4x3
      const Abig = uniform(r, 4 * 5), Bbig = uniform(r, 3 * 4), Cbig = new Float32Array(4 * 3).fill(9);
      k.sgemm(false, false, 4, 2, 3, 1, Abig, Bbig, 0, Cbig, { lda: 5, ldb: 4, ldc: 3 });
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 2; j++) {
          let s = 0;
          for (let q = 0; q < 3; q++) s += Abig[i * 5 + q]! * Bbig[q * 4 + j]!;
          assert.ok(Math.abs(Cbig[i * 3 + j]! - s) < 1e-5);
        }
        assert.equal(Cbig[i * 3 + 2], 9);
      }
    });
  });

  describe("scatter-add", function () {
    it("adds rows into the output, repeated ids included", function () {
      const k = need(this);
      const r = rng(11);
      const vocab = 50, dim = 12, n = 400;
      const ids = new Int32Array(n);
      for (let i = 0; i < n; i++) ids[i] = Math.floor(r() * vocab);
      const grads = uniform(r, n * dim);
      const out = uniform(r, vocab * dim);
      const expect = f64(out);
      for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) expect[ids[i]! * dim + j]! += grads[i * dim + j]!;
      k.scatterAdd(ids, grads, out);
      close("out", out, expect, 1e-6);
      assert.throws(() => k.scatterAdd(Int32Array.from([vocab]), new Float32Array(dim), out), RangeError);
    });
  });

  describe("threads", function () {
    it("every reduction over rows or blocks gives the same bits on 1, 2 and 3 threads (lanes, common.h): scan, conv, GRU, pooling, LayerNorm, cross-entropy, sgemm", function () {
      this.timeout(60_000);
      const k = need(this);
      const before = k.info.threads;
      const ln = createRequire(import.meta.url)(k.info.path) as {
        layerNormBackward(rows: number, n: number, x: Float32Array, g: Float32Array, dy: Float32Array, eps: number, dx: Float32Array, dg: Float32Array, db: Float32Array): void;
      };
      const r = rng(11);
      // More batch rows (20) and token blocks than kLanes (16), and sizes past every kernel's threading threshold.
      const sd: ScanDims = { batch: 20, len: 33, dInner: 24, dState: 16, chunk: 8 };
      const BLD = sd.batch * sd.len * sd.dInner, BLN = sd.batch * sd.len * sd.dState;
      const sx = { u: uniform(r, BLD), delta: uniform(r, BLD), A: uniform(r, sd.dInner * sd.dState, -2, -0.1), B: uniform(r, BLN), C: uniform(r, BLN), D: uniform(r, sd.dInner), deltaBias: uniform(r, sd.dInner) };
      const sdy = uniform(r, BLD);
      const cd = { batch: 20, len: 40, channels: 48, kernel: 4 };
      const cn = cd.batch * cd.len * cd.channels;
      const cx = uniform(r, cn), cw = uniform(r, cd.channels * cd.kernel), cb = uniform(r, cd.channels), cdy = uniform(r, cn);
      const gd: GruDims = { batch: 20, len: 30, hidden: 16 };
      const gxi = uniform(r, gd.batch * gd.len * 3 * gd.hidden), gWh = uniform(r, gd.hidden * 3 * gd.hidden, -0.3, 0.3), gbh = uniform(r, 3 * gd.hidden);
      const gdh = uniform(r, gd.batch * gd.len * gd.hidden);
      const pd = { batch: 20, len: 30, dim: 16 };
      const pn = pd.batch * pd.len * pd.dim;
      const pk = uniform(r, pn), pq = uniform(r, pn), pv = uniform(r, pd.dim), px = uniform(r, pn), pdc = uniform(r, pn);
      const rows = 1200, n = 64;
      const lx = uniform(r, rows * n), lg = uniform(r, n), ldy = uniform(r, rows * n);
      const ce = (tokens: number) => ({ d: { tokens, hidden: 32, vocab: 600, labelSmoothing: 0.1 }, h: uniform(r, tokens * 32), W: uniform(r, 600 * 32), b: uniform(r, 600),
        t: Int32Array.from({ length: tokens }, (_, i) => (i % 7 === 0 ? 0 : 1 + Math.floor(r() * 599))) });
      const ces = [ce(300), ce(9000)]; // a few token blocks, and more than kLanes
      const gA = uniform(r, 3000 * 64), gB = uniform(r, 3000 * 256);
      const runAll = (threads: number): Float32Array[] => {
        k.configure({ threads });
        const out: Float32Array[] = [];
        const so = { y: new Float32Array(BLD), checkpoints: new Float32Array(scanCheckpointSize(sd)) };
        k.scan.forward(sd, sx, so);
        const sg = { du: new Float32Array(BLD), ddelta: new Float32Array(BLD), dA: new Float32Array(sd.dInner * sd.dState), dB: new Float32Array(BLN), dC: new Float32Array(BLN), dD: new Float32Array(sd.dInner), dDeltaBias: new Float32Array(sd.dInner) };
        k.scan.backward(sd, sx, so.checkpoints, sdy, sg);
        out.push(so.y, ...Object.values(sg));
        const cg = { dx: new Float32Array(cn), dw: new Float32Array(cw.length), db: new Float32Array(cb.length) };
        k.conv.backward(cd, cx, cw, cb, cdy, cg.dx, cg.dw, cg.db);
        out.push(...Object.values(cg));
        const gh = new Float32Array(gd.batch * gd.len * gd.hidden), gates = new Float32Array(gruGatesSize(gd));
        k.gru.forward(gd, gxi, gWh, gbh, gh, gates);
        const gg = { dxi: new Float32Array(gxi.length), dWh: new Float32Array(gWh.length), dbh: new Float32Array(gbh.length) };
        k.gru.backward(gd, gWh, gh, gates, gdh, gg.dxi, gg.dWh, gg.dbh);
        out.push(gh, ...Object.values(gg));
        const pg = { dk: new Float32Array(pn), dq: new Float32Array(pn), dv: new Float32Array(pd.dim), dx: new Float32Array(pn) };
        k.pool.backward(pd, pk, pq, pv, px, pdc, pg.dk, pg.dq, pg.dv, pg.dx);
        out.push(...Object.values(pg));
        const lo = { dx: new Float32Array(rows * n), dg: new Float32Array(n), db: new Float32Array(n) };
        ln.layerNormBackward(rows, n, lx, lg, ldy, 1e-12, lo.dx, lo.dg, lo.db);
        out.push(...Object.values(lo));
        for (const c of ces) {
          const dh = new Float32Array(c.h.length), dW = new Float32Array(c.W.length), dB = new Float32Array(c.b.length);
          out.push(Float32Array.of(k.linearCe.lossAndGrad(c.d, c.h, c.W, c.b, c.t, dh, dW, dB)), dh, dW, dB);
        }
        // sgemm split by rows (a tall product) and by columns (a weight gradient: wide, long K).
        for (const [ta, M, N, K] of [[false, 3000, 64, 64], [true, 64, 256, 3000]] as const) {
          const A = ta ? gA.subarray(0, K * M) : gA.subarray(0, M * K), B = gB.subarray(0, K * N), C = new Float32Array(M * N);
          k.sgemm(ta, false, M, N, K, 1, A, B, 0, C);
          out.push(C);
        }
        return out;
      };
      try {
        const one = runAll(1);
        for (const threads of [2, 3]) {
          const many = runAll(threads);
          one.forEach((a, i) => assert.deepEqual(many[i], a, `output ${i} differs on ${threads} threads`));
        }
      } finally {
        k.configure({ threads: before });
      }
    });

    it("the native kernel set's setThreads changes the addon's thread count (what a parallel ablation run follows)", async function () {
      const k = need(this);
      const set = await loadNative();
      assert.ok(set?.setThreads);
      const before = k.info.threads;
      try {
        // k.configure({}) changes nothing and reports the addon's current count.
        assert.equal(set.setThreads(1), 1);
        assert.equal(k.configure({}).threads, 1);
        // `threads()` reports it (each epoch's history record keeps it).
        assert.equal(set.threads?.(), 1);
        assert.equal(set.setThreads(3), 3);
        assert.equal(k.configure({}).threads, 3);
        assert.equal(set.threads?.(), 3);
      } finally {
        k.configure({ threads: before });
      }
    });
  });
});
