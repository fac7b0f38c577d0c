/**
 * Backend selection. `auto` prefers TensorFlow's native library (tfjs-node-gpu, then tfjs-node)
 * when installed, else wasm (SIMD, loaded offline from the package's own dist folder), else cpu.
 * `webgpu` (tfjs-backend-webgpu on Dawn, with the WGSL scan and conv kernels) is only ever chosen
 * explicitly: it is never part of `auto`.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../util/tfjs_gradients.js";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import path from "node:path";
import { UserError } from "../util/errors.js";
import { registerBackendKernels } from "./backend_kernels.js";
import { initWebgpu } from "./webgpu.js";

export type BackendChoice = "auto" | "tensorflow" | "webgpu" | "wasm" | "cpu";

const tryImport = async (name: string): Promise<boolean> => {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
};

const useTensorflow = async (): Promise<boolean> => {
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    if ((await tryImport(pkg)) && (await tf.setBackend("tensorflow"))) return true;
  }
  return false;
};

const useWasm = async (): Promise<boolean> => {
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
  setWasmPaths(dist);
  try {
    return await tf.setBackend("wasm");
  } catch {
    return false;
  }
};

/**
 * Selects and initialises a backend and returns its name ("tensorflow", "webgpu", "wasm" or "cpu").
 * `log`, when given, receives one line saying which backend was picked.
 */
export const initBackend = async (choice: BackendChoice, log?: (line: string) => void): Promise<string> => {
  // Production mode: no per-op debug checks, and no "install tfjs-node" banner from the cpu backend.
  tf.enableProdMode();
  let ok = false;
  switch (choice) {
    case "tensorflow":
      ok = await useTensorflow();
      if (!ok) throw new UserError("backend 'tensorflow' needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu, which is not installed; use --backend wasm or cpu");
      break;
    case "webgpu":
      // Throws a UserError "no WebGPU adapter: ..." when Dawn or an adapter is missing.
      await initWebgpu();
      ok = true;
      break;
    case "wasm":
      ok = await useWasm();
      if (!ok) throw new UserError("the wasm backend failed to initialise; use --backend cpu");
      break;
    case "cpu":
      ok = await tf.setBackend("cpu");
      break;
    case "auto":
      ok = (await useTensorflow()) || (await useWasm()) || (await tf.setBackend("cpu"));
      break;
  }
  await tf.ready();
  const name = tf.getBackend();
  registerBackendKernels(name);
  log?.(`backend: ${name}`);
  return name;
};
