/** The set-up the fused-op tests share: a backend, the kernel sets to compare, the kernels in use put back after. */
import { initBackend } from "../../src/runtime/backend.js";
import { kernels, loadNative, setKernelImpl, tsKernels, useKernels, type KernelSet } from "../../src/kernels/select.js";
import { Rng } from "../../src/util/rng.js";

/**
 * In a `describe`: the cpu backend, and a lookup of the kernel set an implementation names
 * ("native" is null where the addon is not built, and its cases skip).
 */
export const kernelSetsOnCpu = (): ((impl: "ts" | "native") => KernelSet | null) => {
  let saved: KernelSet | null = null;
  let native: KernelSet | null = null;
  before(async () => {
    await initBackend("cpu");
    saved = kernels();
    native = await loadNative();
  });
  after(() => { if (saved !== null) useKernels(saved); });
  return (impl) => (impl === "ts" ? tsKernels : native);
};

/**
 * One `describe` for a memory-lean elementwise op on the wasm backend: `check` runs once with the
 * TypeScript kernels and once with the native ones (skipped without the addon), each from `seed`.
 */
export const describeElementwiseOp = (title: string, what: (impl: "ts" | "native") => string, seed: number, check: (rng: Rng) => void): void => {
  describe(title, function () {
    this.timeout(120_000);
    before(async () => { await initBackend("wasm"); });
    after(async () => { await setKernelImpl("ts"); });
    for (const impl of ["ts", "native"] as const) {
      it(what(impl), async function () {
        if (impl === "native" && (await loadNative()) === null) this.skip();
        await setKernelImpl(impl);
        check(new Rng(seed));
      });
    }
  });
};
