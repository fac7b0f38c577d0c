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
