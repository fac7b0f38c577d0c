/**
 * Which implementation the fused ops run: the TypeScript loops (always there) or the native addon
 * (`native.ts`, optional: it may be absent or fail to load). The fused ops ask `kernels()` on every
 * call, so switching takes effect at once.
 */
import { UserError } from "../util/errors.js";
import { causalConvTs } from "./causal_conv_ts.js";
import { additivePoolTs } from "./additive_pool_ts.js";
import { gruTs } from "./gru_ts.js";
import { selectiveScanTs } from "./selective_scan_ts.js";
import type { AdditivePoolKernel, CausalConvKernel, GruKernel, LinearCrossEntropyKernel, SelectiveScanKernel } from "./types.js";

export type KernelImpl = "ts" | "native";

export interface KernelSet {
  readonly name: KernelImpl;
  readonly scan: SelectiveScanKernel;
  readonly conv: CausalConvKernel;
  /**
   * The fused linear cross-entropy kernel, or null to compute it with the backend's own matmuls in
   * token chunks (the TypeScript default: the backend's matmul is much faster than JS loops;
   * `linearCeTs` is the loop version, used as a reference and selectable with `useKernels`).
   */
  readonly linearCe: LinearCrossEntropyKernel | null;
  readonly gru: GruKernel;
  /** Causal additive attention pooling (NARM's local encoder). */
  readonly pool: AdditivePoolKernel;
  /** Sets the kernels' thread count and returns the count in use (native only). */
  readonly setThreads?: (threads: number) => number;
  /** The kernels' thread count in use (native only). */
  readonly threads?: () => number;
}

export const tsKernels: KernelSet = { name: "ts", scan: selectiveScanTs, conv: causalConvTs, linearCe: null, gru: gruTs, pool: additivePoolTs };

let current: KernelSet = tsKernels;

export const kernels = (): KernelSet => current;

/** Installs an explicit kernel set (tests, benchmarks). */
export const useKernels = (set: KernelSet): void => {
  current = set;
};

interface NativeModule {
  loadNativeKernels(): {
    scan: SelectiveScanKernel; conv: CausalConvKernel; linearCe: LinearCrossEntropyKernel; gru: GruKernel; pool: AdditivePoolKernel;
    configure(options: { threads?: number }): { threads: number };
    readonly info: { readonly threads: number };
  } | null;
}

/** The native kernels, or null when `native.ts` or its addon is unavailable. */
export const loadNative = async (): Promise<KernelSet | null> => {
  let mod: NativeModule;
  try {
    // A computed specifier: native.ts is optional and must not be a compile-time dependency.
    mod = (await import(new URL("./native.js", import.meta.url).href)) as NativeModule;
  } catch {
    return null;
  }
  const k = mod.loadNativeKernels();
  return k ? {
    name: "native", scan: k.scan, conv: k.conv, linearCe: k.linearCe, gru: k.gru, pool: k.pool,
    setThreads: (threads) => k.configure({ threads }).threads,
    threads: () => k.info.threads,
  } : null;
};

/**
 * Selects the kernels. "native" fails with a UserError when the addon is unavailable; "auto" takes
 * native when it loads and otherwise the TypeScript kernels, with a one-line notice on `log`.
 */
export const setKernelImpl = async (impl: KernelImpl | "auto", log?: (line: string) => void): Promise<KernelImpl> => {
  if (impl === "ts") {
    current = tsKernels;
    return "ts";
  }
  const native = await loadNative();
  if (native) {
    current = native;
    return "native";
  }
  if (impl === "native") throw new UserError("native kernels are not available (the addon did not build or load); use --kernels ts");
  log?.("notice: native kernels unavailable, using the TypeScript kernels");
  current = tsKernels;
  return "ts";
};
