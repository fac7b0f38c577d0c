import * as tf from "@tensorflow/tfjs-core";
import type { Module } from "../module.js";

/** Modules applied in order. */
export const sequential = (name: string, body: readonly Module[]): Module => ({
  name,
  apply: (x, fwd) => body.reduce((h, m) => m.apply(h, fwd), x),
});

/** x + body(x); the body keeps the width. */
export const residual = (name: string, body: readonly Module[]): Module => {
  const inner = sequential(name, body);
  return { name, apply: (x, fwd) => tf.add(x, inner.apply(x, fwd)) };
};
