/**
 * Concatenation along the last axis as one op with a copying forward and a splitting backward, both
 * plain loops over the rows (on wasm without a copy in or out, `fused`). tf.concat computes the same
 * values, and is the reference the tests compare with; its gradient is a SplitV along the last axis,
 * which the wasm backend runs an order of magnitude slower (bench/step.ts --model caser --profile).
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { fused } from "./zero_copy.js";
import { onWebgpu } from "./webgpu/ops.js";

/** [..., d_0], [..., d_1], ... (equal leading dims) -> [..., d_0 + d_1 + ...]. */
export const concatLast = <T extends tf.Tensor>(xs: readonly T[]): T => {
  if (xs.length === 0) throw new Error("concatLast: no tensors");
  if (xs.length === 1) return xs[0]!;
  const lead = xs[0]!.shape.slice(0, -1);
  const widths = xs.map((x) => x.shape[x.shape.length - 1]!);
  for (const x of xs) {
    if (x.shape.length !== lead.length + 1 || x.shape.slice(0, -1).some((d, i) => d !== lead[i])) {
      throw new Error(`concatLast: shapes ${xs.map((t) => `[${t.shape}]`).join(", ")} differ before the last axis`);
    }
  }
  if (onWebgpu()) return tf.concat(xs as T[], -1);
  const rows = lead.reduce((p, d) => p * d, 1);
  const D = widths.reduce((p, d) => p + d, 0);
  const offsets = widths.map((_, i) => widths.slice(0, i).reduce((p, d) => p + d, 0));
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ins = args.slice(0, xs.length) as tf.Tensor[];
    const [value] = fused(ins, [[...lead, D]], (parts, [out]) => {
      parts.forEach((p, i) => {
        const w = widths[i]!;
        const o = offsets[i]!;
        for (let r = 0; r < rows; r++) out!.set(p.subarray(r * w, (r + 1) * w), r * D + o);
      });
    }, false);
    return {
      value: value!,
      gradFunc: (dy: tf.Tensor) => fused([dy], xs.map((x) => [...x.shape]), ([g], outs) => {
        outs.forEach((p, i) => {
          const w = widths[i]!;
          const o = offsets[i]!;
          for (let r = 0; r < rows; r++) p.set(g!.subarray(r * D + o, r * D + o + w), r * w);
        });
      }, false),
    };
  });
  return op(...xs) as T;
};
