/**
 * The tfjs WebGPU backend in Node: Dawn (the `webgpu` npm package) provides `navigator.gpu` and the
 * WebGPU globals (GPUBufferUsage, ...), then `@tensorflow/tfjs-backend-webgpu` is imported, which
 * registers the "webgpu" backend only when `navigator.gpu` already exists, so the order matters.
 * Both packages are loaded lazily: nothing here runs unless `--backend webgpu` is asked for.
 */
import * as tf from "@tensorflow/tfjs-core";
import { UserError } from "../util/errors.js";

interface DawnModule {
  create(flags: string[]): GPULike;
  globals: Record<string, unknown>;
}
interface GPULike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

let gpu: GPULike | null = null;

/** Installs Dawn's navigator.gpu and WebGPU globals once; returns the GPU object. */
const installDawn = async (): Promise<GPULike> => {
  if (gpu) return gpu;
  let dawn: DawnModule;
  try {
    // A variable specifier: `webgpu` is an optional dependency, so the build must not need its types.
    const spec = "webgpu";
    dawn = (await import(spec)) as unknown as DawnModule;
  } catch (e) {
    throw new UserError(`no WebGPU adapter: the 'webgpu' package (Dawn for Node) is not installed or failed to load (${(e as Error).message}); run npm install, or use --backend wasm or cpu`);
  }
  Object.assign(globalThis, dawn.globals);
  // Dawn toggles: none needed; REC_WEBGPU_FLAGS="a,b" passes extra ones (e.g. "adapter=NVIDIA").
  const flags = (process.env.REC_WEBGPU_FLAGS ?? "").split(",").filter((s) => s.length > 0);
  gpu = dawn.create(flags);
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (g.navigator) {
    try {
      Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
    } catch {
      /* a frozen navigator: fall through to replacing it */
    }
  }
  if (!g.navigator || g.navigator.gpu !== gpu) {
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  }
  return gpu;
};

/** Adapter description ("vendor architecture device"), or null when WebGPU has no adapter here. */
export const webgpuAdapter = async (): Promise<string | null> => {
  const g = await installDawn();
  const adapter = await g.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return null;
  const i = adapter.info ?? {};
  return [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(" ") || "unknown adapter";
};

/**
 * Makes "webgpu" the active tfjs backend. Throws a UserError starting "no WebGPU adapter:" when
 * Dawn is missing or finds no adapter (no GPU driver, no Vulkan ICD such as Mesa's lavapipe).
 */
export const initWebgpu = async (): Promise<void> => {
  const desc = await webgpuAdapter();
  if (!desc)
    throw new UserError(
      "no WebGPU adapter: Dawn found no GPU (needs a Vulkan driver: NVIDIA's, or on a CPU-only Debian 12 machine " +
        "Mesa 25 lavapipe from bookworm-backports, `apt-get install -t bookworm-backports mesa-vulkan-drivers`); use --backend wasm or cpu",
    );
  await import("@tensorflow/tfjs-backend-webgpu");
  let ok = false;
  try {
    ok = await tf.setBackend("webgpu");
  } catch (e) {
    throw new UserError(`no WebGPU adapter: the tfjs webgpu backend failed to initialise on ${desc}: ${(e as Error).message}`);
  }
  if (!ok) throw new UserError(`no WebGPU adapter: the tfjs webgpu backend failed to initialise on ${desc}; use --backend wasm or cpu`);
  await tf.ready();
};

/** The parts of tfjs-backend-webgpu's BufferManager (4.x) that `trimWebgpuPool` touches. */
interface BufferPool {
  freeBuffers: Map<string, Array<{ destroy(): void; size: number }>>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  numBytesUsed: number;
}

const bufferPool = (): BufferPool | null => {
  if (tf.getBackend() !== "webgpu") return null;
  const m = (tf.backend() as unknown as { bufferManager?: Partial<BufferPool> }).bufferManager;
  return m && m.freeBuffers instanceof Map && typeof m.numBytesAllocated === "number" && typeof m.numBytesUsed === "number"
    ? (m as BufferPool)
    : null;
};

/** Bytes the webgpu backend holds in buffers no tensor uses (its reuse pool); 0 on other backends. */
export const webgpuPooledBytes = (): number => {
  const p = bufferPool();
  return p ? p.numBytesAllocated - p.numBytesUsed : 0;
};

/** The pool's cap, REC_WEBGPU_POOL_MB (default 1024 MiB; 0 frees every unused buffer after each step). */
export const webgpuPoolLimitBytes = (): number => {
  const mb = Number(process.env.REC_WEBGPU_POOL_MB ?? 1024);
  return Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : 1024 * 1024 * 1024;
};

/**
 * tfjs-backend-webgpu keeps the buffer of every disposed tensor for reuse by a tensor of exactly the
 * same byte size, and never frees one. Our steps' shapes vary (a batch is padded to its longest
 * sequence), so the pool only grows: one ML-1M epoch of Mamba4Rec left 44 GB of GPU memory in use
 * on an H200 (docs/gpu.md, run 7). When the unused buffers exceed `limitBytes`, this destroys them
 * all (WebGPU lets a buffer be destroyed while submitted work that reads it is still running; live
 * tensors are untouched). Returns the bytes freed; a no-op on other backends.
 */
export const trimWebgpuPool = (limitBytes = webgpuPoolLimitBytes()): number => {
  const p = bufferPool();
  if (!p || p.numBytesAllocated - p.numBytesUsed <= limitBytes) return 0;
  let freed = 0;
  for (const buffers of p.freeBuffers.values()) {
    for (const b of buffers) {
      freed += b.size;
      b.destroy();
    }
    p.numFreeBuffers -= buffers.length;
    buffers.length = 0;
  }
  p.numBytesAllocated -= freed;
  return freed;
};
