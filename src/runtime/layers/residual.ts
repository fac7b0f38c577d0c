import * as tf from "@tensorflow/tfjs-core";
import { applyLast, applyRows, rowsAt, type Module } from "../module.js";

/**
 * Modules applied in order. Pointwise when every one is. Its `applyLast` runs every position
 * through the layers before the last one that is not pointwise, that one at the wanted positions
 * only (`applyLast`), and the pointwise layers after it on those positions alone.
 */
export const sequential = (name: string, body: readonly Module[]): Module => {
  let mixing = body.length - 1; // the last layer that is not pointwise (-1: none)
  while (mixing >= 0 && body[mixing]!.pointwise === true) mixing--;
  return {
    name,
    apply: (x, fwd) => body.reduce((h, m) => m.apply(h, fwd), x),
    ...(mixing < 0 ? { pointwise: true } : {}),
    applyLast: (x, fwd, pos) => {
      if (mixing < 0) return body.reduce((h, m) => applyRows(m, h, fwd), rowsAt(x, pos));
      const before = body.slice(0, mixing).reduce((h, m) => m.apply(h, fwd), x);
      return body.slice(mixing + 1).reduce((h, m) => applyRows(m, h, fwd), applyLast(body[mixing]!, before, fwd, pos));
    },
  };
};

/** x + body(x); the body keeps the width. Pointwise when its body is; `applyLast`: x's rows plus the body's. */
export const residual = (name: string, body: readonly Module[]): Module => {
  const inner = sequential(name, body);
  return {
    name,
    apply: (x, fwd) => tf.add(x, inner.apply(x, fwd)),
    ...(inner.pointwise ? { pointwise: true } : {}),
    applyLast: (x, fwd, pos) => tf.add(rowsAt(x, pos), applyLast(inner, x, fwd, pos)),
  };
};
