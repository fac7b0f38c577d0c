/** Shared set-up of the WebGPU tests: start the backend once, or skip with the reason. */
import * as tf from "@tensorflow/tfjs-core";
import { initWebgpu } from "../../src/runtime/webgpu.js";

let state: Promise<string | null> | null = null;

/** Resolves null when the webgpu backend is active, else the reason it is not available. */
export const webgpuUnavailable = (): Promise<string | null> => {
  state ??= (async () => {
    try {
      await initWebgpu();
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  })();
  return state;
};

/** In a mocha `before`: makes webgpu the backend, or skips the suite with a message. */
let previous: string | null = null;
export async function useWebgpuOrSkip(this: Mocha.Context): Promise<void> {
  previous = tf.getBackend() ?? null;
  const why = await webgpuUnavailable();
  if (why) {
    console.log(`    skipped: ${why}`);
    this.skip();
  }
  await tf.setBackend("webgpu");
}

/** In a mocha `after`: puts back the backend active before (these specs also run under plain `npm test`). */
export const restoreBackend = async (): Promise<void> => {
  if (previous && previous !== "webgpu" && tf.getBackend() !== previous) await tf.setBackend(previous);
};

export { relErr } from "../runtime/helpers.js";
