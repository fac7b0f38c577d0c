/**
 * The native (C++ N-API) kernels: loads `native/build/Release/reccompile_native.node`, built by
 * `npm install` (scripts/build-native.mjs), and wraps it in the contracts of ./types.ts.
 *
 * Every array is used in place (zero-copy): typed arrays may be views into a WebAssembly.Memory.
 * The native kernels are float32 only; a Float64Array argument throws a TypeError (use the *_ts.ts
 * kernels for float64 gradient checks). Array sizes are checked in C++ before anything is written.
 *
 * `loadNativeKernels()` returns null when the addon is missing or failed to load, or when
 * REC_KERNELS=ts is set; `nativeLoadError()` then says why. Environment knobs read here:
 * REC_KERNELS=ts (never load), REC_NATIVE_ADDON=<path> (load this file), REC_THREADS=<n>
 * (kernel threads, default: all cores), REC_NATIVE_BLAS=fallback (use the portable sgemm even
 * when OpenBLAS is linked).
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  AdditivePoolKernel,
  CausalConvKernel,
  ConvDims,
  FloatArray,
  GruDims,
  GruKernel,
  LinearCrossEntropyDims,
  LinearCrossEntropyKernel,
  PoolDims,
  ScanDims,
  ScanForwardOut,
  ScanGrads,
  ScanInputs,
  ScoreAdjust,
  SelectiveScanKernel,
} from "./types.js";

export interface NativeInfo {
  /** The sgemm in use: OpenBLAS when it was found at build time, else the portable blocked sgemm. */
  readonly blas: "openblas" | "fallback";
  /** Threads the kernels split their work over. */
  readonly threads: number;
  /** Whether OpenBLAS is linked into the addon (even if `blas` was switched to the fallback). */
  readonly openblasLinked: boolean;
  readonly openmp: boolean;
  /** The widest SIMD the addon was compiled for: "avx512" | "avx2" | "neon" | "scalar". */
  readonly simd: string;
  /** Path of the loaded addon. */
  readonly path: string;
}

export interface SgemmOptions {
  /** Leading dimensions (row strides); default: dense. */
  readonly lda?: number;
  readonly ldb?: number;
  readonly ldc?: number;
  /** Force the portable fallback sgemm for this call (tests, benchmarks). */
  readonly fallback?: boolean;
}

export interface NativeKernels {
  readonly scan: SelectiveScanKernel;
  readonly conv: CausalConvKernel;
  readonly linearCe: LinearCrossEntropyKernel;
  readonly gru: GruKernel;
  readonly pool: AdditivePoolKernel;
  /** out[ids[i], :] += grads[i, :]; grads is [ids.length, dim], out is [vocab, dim]. Adds, does not zero `out`. */
  scatterAdd(ids: Int32Array, grads: Float32Array, out: Float32Array, dim?: number): void;
  /**
   * Row-major C = alpha * op(A) * op(B) + beta * C, where A is [M,K] ([K,M] when transA), B is
   * [K,N] ([N,K] when transB), C is [M,N]. Through OpenBLAS or the fallback; uses every kernel thread.
   */
  sgemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
        A: Float32Array, B: Float32Array, beta: number, C: Float32Array, options?: SgemmOptions): void;
  readonly info: NativeInfo;
  /** Change the thread count and/or the sgemm implementation at run time; returns the new info. */
  configure(options: { threads?: number; blas?: "openblas" | "fallback" }): NativeInfo;
}

/** The raw addon exports (positional arguments; see native/src/addon.cc). */
interface Addon {
  scanForward(...args: unknown[]): void;
  scanBackward(...args: unknown[]): void;
  convForward(...args: unknown[]): void;
  convBackward(...args: unknown[]): void;
  linearCe(...args: unknown[]): number;
  gruForward(...args: unknown[]): void;
  gruBackward(...args: unknown[]): void;
  poolForward(...args: unknown[]): void;
  poolBackward(...args: unknown[]): void;
  scatterAdd(ids: Int32Array, grads: Float32Array, out: Float32Array, dim?: number): void;
  sgemm(...args: unknown[]): void;
  info(): Omit<NativeInfo, "path">;
  configure(threads?: number, blas?: string): Omit<NativeInfo, "path">;
}

/** What this version calls: an addon built from older sources lacks some and is not used. */
const REQUIRED_EXPORTS = ["scanForward", "scanBackward", "convForward", "convBackward", "linearCe", "gruForward", "gruBackward",
  "poolForward", "poolBackward", "scatterAdd", "sgemm", "info", "configure"] as const satisfies readonly (keyof Addon)[];

const ADDON_FILE = join("native", "build", "Release", "reccompile_native.node");

let cached: NativeKernels | null | undefined;
let loadError: string | null = null;

const f32 = (name: string, a: FloatArray): Float32Array => {
  if (!(a instanceof Float32Array)) throw new TypeError(`native kernels take Float32Array only; ${name} is a ${a.constructor.name}`);
  return a;
};

/** Walks up from this module to the package root that holds the built addon. */
const findAddon = (): string | null => {
  const override = process.env["REC_NATIVE_ADDON"];
  if (override) return existsSync(override) ? resolve(override) : null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
};

const wrap = (addon: Addon, path: string): NativeKernels => {
  const scan: SelectiveScanKernel = {
    forward(d: ScanDims, x: ScanInputs, out: ScanForwardOut): void {
      addon.scanForward(d.batch, d.len, d.dInner, d.dState, d.chunk,
        f32("u", x.u), f32("delta", x.delta), f32("A", x.A), f32("B", x.B), f32("C", x.C), f32("D", x.D),
        f32("deltaBias", x.deltaBias), f32("y", out.y), f32("checkpoints", out.checkpoints));
    },
    backward(d: ScanDims, x: ScanInputs, checkpoints: FloatArray, dy: FloatArray, g: ScanGrads): void {
      addon.scanBackward(d.batch, d.len, d.dInner, d.dState, d.chunk,
        f32("u", x.u), f32("delta", x.delta), f32("A", x.A), f32("B", x.B), f32("C", x.C), f32("D", x.D),
        f32("deltaBias", x.deltaBias), f32("checkpoints", checkpoints), f32("dy", dy),
        f32("du", g.du), f32("ddelta", g.ddelta), f32("dA", g.dA), f32("dB", g.dB), f32("dC", g.dC),
        f32("dD", g.dD), f32("dDeltaBias", g.dDeltaBias));
    },
  };
  const conv: CausalConvKernel = {
    forward(d: ConvDims, x: FloatArray, w: FloatArray, bias: FloatArray, y: FloatArray): void {
      addon.convForward(d.batch, d.len, d.channels, d.kernel, f32("x", x), f32("w", w), f32("bias", bias), f32("y", y));
    },
    backward(d: ConvDims, x: FloatArray, w: FloatArray, bias: FloatArray, dy: FloatArray,
             dx: FloatArray, dw: FloatArray, dbias: FloatArray): void {
      addon.convBackward(d.batch, d.len, d.channels, d.kernel, f32("x", x), f32("w", w), f32("bias", bias),
        f32("dy", dy), f32("dx", dx), f32("dw", dw), f32("dbias", dbias));
    },
  };
  const linearCe: LinearCrossEntropyKernel = {
    lossAndGrad(d: LinearCrossEntropyDims, h: Float32Array, W: Float32Array, bias: Float32Array | null,
                targets: Int32Array, dh: Float32Array | null, dW: Float32Array | null, dBias: Float32Array | null,
                adjust?: ScoreAdjust | null): number {
      const adj = adjust ? [adjust.offsets, adjust.items, f32("adjust.values", adjust.values),
        adjust.dValues === null ? null : f32("adjust.dValues", adjust.dValues)] : [];
      return addon.linearCe(d.tokens, d.hidden, d.vocab, d.labelSmoothing, f32("h", h), f32("W", W),
        bias === null ? null : f32("bias", bias), targets,
        dh === null ? null : f32("dh", dh), dW === null ? null : f32("dW", dW), dBias === null ? null : f32("dBias", dBias), ...adj);
    },
  };
  const gru: GruKernel = {
    forward(d: GruDims, xi: FloatArray, Wh: FloatArray, bh: FloatArray, h: FloatArray, gates: FloatArray): void {
      addon.gruForward(d.batch, d.len, d.hidden, f32("xi", xi), f32("Wh", Wh), f32("bh", bh), f32("h", h), f32("gates", gates));
    },
    backward(d: GruDims, Wh: FloatArray, h: FloatArray, gates: FloatArray, dh: FloatArray,
             dxi: FloatArray, dWh: FloatArray, dbh: FloatArray): void {
      addon.gruBackward(d.batch, d.len, d.hidden, f32("Wh", Wh), f32("h", h), f32("gates", gates), f32("dh", dh),
        f32("dxi", dxi), f32("dWh", dWh), f32("dbh", dbh));
    },
  };
  const pool: AdditivePoolKernel = {
    forward(d: PoolDims, key: FloatArray, query: FloatArray, v: FloatArray, x: FloatArray, c: FloatArray): void {
      addon.poolForward(d.batch, d.len, d.dim, f32("key", key), f32("query", query), f32("v", v), f32("x", x), f32("c", c));
    },
    backward(d: PoolDims, key: FloatArray, query: FloatArray, v: FloatArray, x: FloatArray, dc: FloatArray,
             dkey: FloatArray, dquery: FloatArray, dv: FloatArray, dx: FloatArray): void {
      addon.poolBackward(d.batch, d.len, d.dim, f32("key", key), f32("query", query), f32("v", v), f32("x", x), f32("dc", dc),
        f32("dkey", dkey), f32("dquery", dquery), f32("dv", dv), f32("dx", dx));
    },
  };
  const kernels: NativeKernels & { info: NativeInfo } = {
    scan,
    conv,
    linearCe,
    gru,
    pool,
    scatterAdd: (ids, grads, out, dim) => addon.scatterAdd(ids, f32("grads", grads), f32("out", out), dim),
    sgemm: (transA, transB, M, N, K, alpha, A, B, beta, C, o) =>
      addon.sgemm(transA, transB, M, N, K, alpha, f32("A", A), f32("B", B), beta, f32("C", C),
        o?.lda, o?.ldb, o?.ldc, o?.fallback ? 1 : 0),
    info: { ...addon.info(), path },
    configure(options) {
      const info = { ...addon.configure(options.threads ?? 0, options.blas ?? ""), path };
      kernels.info = info;
      return info;
    },
  };
  return kernels;
};

/** The native kernels, or null (see `nativeLoadError()`). Loads once; later calls return the same object. */
export const loadNativeKernels = (): NativeKernels | null => {
  if (cached !== undefined) return cached;
  if ((process.env["REC_KERNELS"] ?? "").toLowerCase() === "ts") {
    loadError = "REC_KERNELS=ts is set";
    return (cached = null);
  }
  const path = findAddon();
  if (path === null) {
    loadError = process.env["REC_NATIVE_ADDON"]
      ? `REC_NATIVE_ADDON=${process.env["REC_NATIVE_ADDON"]} does not exist`
      : `the native addon is not built (${ADDON_FILE} not found; run \`npm install\` or \`node scripts/build-native.mjs\`)`;
    return (cached = null);
  }
  try {
    const require = createRequire(import.meta.url);
    const addon = require(path) as Addon;
    const missing = REQUIRED_EXPORTS.filter((name) => typeof addon[name] !== "function");
    if (missing.length > 0) throw new Error(`it lacks ${missing.join(", ")}: it was built from older sources; rebuild it with \`node scripts/build-native.mjs\``);
    const blas = (process.env["REC_NATIVE_BLAS"] ?? "").toLowerCase();
    if (blas === "fallback") addon.configure(0, "fallback");
    cached = wrap(addon, path);
    loadError = null;
  } catch (err) {
    loadError = `the native addon at ${path} failed to load: ${err instanceof Error ? err.message : String(err)}`;
    cached = null;
  }
  return cached;
};

/** Why `loadNativeKernels()` returned null, or null when it loaded (or was not tried yet). */
export const nativeLoadError = (): string | null => {
  if (cached === undefined) loadNativeKernels();
  return loadError;
};
