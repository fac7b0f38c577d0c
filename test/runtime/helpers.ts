/** Shared helpers of the runtime and kernel tests. */
import * as tf from "@tensorflow/tfjs-core";
import type { SequenceModel } from "../../src/ir/spec.js";
import { SequenceNet } from "../../src/runtime/net.js";
import { Rng } from "../../src/util/rng.js";

type Arr = ArrayLike<number>;

/** max|a - b| / max(max|b|, 1e-6): relative to the reference's scale, robust to entries near 0. */
export const relErr = (a: Arr, b: Arr): number => {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-6);
};

export const randn64 = (rng: Rng, n: number, scale = 1, shift = 0): Float64Array => {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = shift + scale * rng.normal();
  return a;
};

/**
 * Central finite differences of `f` with respect to every entry of `x` (modified in place and
 * restored), in float64.
 */
export const finiteDiff = (f: () => number, x: Float64Array, eps = 1e-5): Float64Array => {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    x[i] = v + eps;
    const up = f();
    x[i] = v - eps;
    const down = f();
    x[i] = v;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
};

/** Sum of w * y: a scalar whose gradient with respect to y is w. */
export const dot = (w: Arr, y: Arr): number => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += w[i]! * y[i]!;
  return s;
};

export const data = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;

/** Adds N(0, scale^2) noise to every weight of `store`, so that every path of a freshly initialised network carries signal. */
export const enlarge = (store: { list(): readonly { readonly variable: tf.Variable }[] }, rng: Rng, scale = 0.3): void => {
  for (const { variable } of store.list()) {
    const noise = new Float32Array(variable.size);
    rng.fillNormal(noise);
    variable.assign(tf.add(variable, tf.mul(tf.tensor(noise, variable.shape), scale)));
  }
};

/**
 * The network of `model` (29 items, 4 users, seeded and enlarged weights) scores 12 histories of
 * mixed lengths (the first longer than maxLen; users -1..3) in both forms, the last position alone
 * (`scorer()`) and every position then the last row (`scorer(maxLen, { reference: true })`): their
 * relative difference over the item columns. The network is disposed, whatever happens.
 */
export const scorerFormsGap = async (model: SequenceModel, maxLen: number): Promise<number> => {
  const numItems = 29;
  const net = SequenceNet.fromIR(model, numItems, maxLen, new Rng(5), 4);
  try {
    enlarge(net.params, new Rng(6));
    const rng = new Rng(8);
    const histories = Array.from({ length: 12 }, (_, i) => Int32Array.from({ length: i === 0 ? 3 * maxLen : 1 + rng.int(maxLen + 2) }, () => 1 + rng.int(numItems)));
    const users = Int32Array.from(histories, (_, i) => (i % 5) - 1);
    const fast = await net.scorer()(histories, users);
    const ref = await net.scorer(maxLen, { reference: true })(histories, users);
    const items = (a: Float32Array) => a.filter((_, j) => j % (numItems + 1) !== 0); // column 0 is -Infinity
    return relErr(items(fast), items(ref));
  } finally {
    net.dispose(); // tf variable names are global: none may outlive the test
  }
};
