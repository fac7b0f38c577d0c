/**
 * The addon's elementwise functions (native/src/elementwise.cc): the LayerNorm, GELU and SiLU-gate
 * forwards and backwards and the dropout mask. Older addon builds lack them; callers then take
 * their composed tfjs forms.
 */
import { createRequire } from "node:module";
import { activeNative } from "./active_native.js";

export interface NativeElementwise {
  geluForward(x: Float32Array, y: Float32Array): void;
  geluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** mask[i] = next() / 2^32 < keep ? scale : 0 with the xoshiro128** state (4 words) advanced in place. */
  dropoutMask(state: Uint32Array, mask: Float32Array, keep: number, scale: number): void;
  layerNormForward(rows: number, n: number, x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number, y: Float32Array): void;
  /** Overwrites dx, dgamma, dbeta. */
  layerNormBackward(rows: number, n: number, x: Float32Array, gamma: Float32Array, dy: Float32Array, eps: number,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void;
  siluGateForward(y: Float32Array, z: Float32Array, out: Float32Array): void;
  siluGateBackward(y: Float32Array, z: Float32Array, g: Float32Array, dy: Float32Array, dz: Float32Array): void;
}

const ELEMENTWISE = ["geluForward", "geluBackward", "dropoutMask", "layerNormForward", "layerNormBackward",
  "siluGateForward", "siluGateBackward"] as const;

let elementwise: NativeElementwise | null | undefined;

/** The addon's elementwise functions when the native set is selected and the addon has them, else null. */
export const nativeElementwise = (): NativeElementwise | null => {
  const nk = activeNative();
  if (!nk) return null;
  if (elementwise === undefined) {
    try {
      const addon = createRequire(import.meta.url)(nk.info.path) as Record<string, unknown>;
      elementwise = ELEMENTWISE.every((f) => typeof addon[f] === "function") ? (addon as unknown as NativeElementwise) : null;
    } catch {
      elementwise = null;
    }
  }
  return elementwise;
};
