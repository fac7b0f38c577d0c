import * as tf from "@tensorflow/tfjs-core";
import { nativeElementwise } from "../../kernels/native_elementwise.js";
import { tensorFilledBy } from "../../kernels/zero_copy.js";
import type { Rng } from "../../util/rng.js";
import type { BuildContext, ForwardContext, Module } from "../module.js";

/**
 * mask[i] = rng.uniform() < keep ? scale : 0 for every i, drawing exactly the numbers
 * `rng.uniform()` would (xoshiro128**), but with the generator state in locals: about 5x faster
 * than a call per element, which matters at 10^7 mask entries a step. Reference: `fillMaskRef`.
 */
export const fillMask = (rng: Rng, mask: Float32Array, keep: number, scale: number): void => {
  const st = rng.getState();
  const ew = nativeElementwise(); // the same stream in C++ when the native kernels are selected
  if (ew) {
    const state = Uint32Array.from(st.s);
    ew.dropoutMask(state, mask, keep, scale);
    rng.setState({ s: [state[0]!, state[1]!, state[2]!, state[3]!], spare: st.spare });
    return;
  }
  let s0 = st.s[0] | 0;
  let s1 = st.s[1] | 0;
  let s2 = st.s[2] | 0;
  let s3 = st.s[3] | 0;
  // uniform() = x / 2^32 (exact in double), so uniform() < keep  <=>  x < keep * 2^32 (also exact).
  const threshold = keep * 4294967296;
  const n = mask.length;
  for (let i = 0; i < n; i++) {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    mask[i] = r < threshold ? scale : 0;
  }
  rng.setState({ s: [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0], spare: st.spare });
};

/** The plain form of `fillMask` (tests). */
export const fillMaskRef = (rng: Rng, mask: Float32Array, keep: number, scale: number): void => {
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < keep ? scale : 0;
};

/**
 * Inverted dropout with the mask drawn from the run's JS generator (not tf.randomUniform), so it is
 * identical on every backend. Identity when not training or rate 0.
 */
export const applyDropout = <T extends tf.Tensor>(x: T, rate: number, fwd: ForwardContext): T => {
  if (!fwd.training || rate <= 0) return x;
  const keep = 1 - rate;
  const scale = 1 / keep;
  const mask = tensorFilledBy(x.shape, (m) => fillMask(fwd.rng, m, keep, scale)); // drawn in place
  return tf.mul(x, mask) as T;
};

export interface DropoutOptions { readonly rate: number }

export const dropout = (_ctx: BuildContext, name: string, cfg: DropoutOptions): Module => ({
  name,
  pointwise: true,
  apply: (x, fwd) => applyDropout(x, cfg.rate, fwd),
});
