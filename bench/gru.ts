/**
 * The fused GRU recurrence against its step-by-step tfjs reference, forward and backward:
 *
 *   npx tsx bench/gru.ts [--backend wasm|cpu] [--kernels native|ts] [--reps 5]
 *
 * For B = 10 (a 2,048-target batch of 200-item windows, GRU4Rec's ML-1M steps) and B = 32, at
 * L = 200 and H = 128 (specs/gru4rec.rec): the median ms of one forward + backward (tf.grads of
 * sum(h * w) with respect to xi, Wh and bh) through `gruRecurrence` and through
 * `gruRecurrenceRef`, measured alternately in one process after one warm-up each, and the ratio.
 */
import * as tf from "@tensorflow/tfjs-core";
import { gruRecurrence } from "../src/kernels/gru.js";
import { gruRecurrenceRef } from "../src/kernels/gru_ref.js";
import { setKernelImpl, type KernelImpl } from "../src/kernels/select.js";
import { initBackend, type BackendChoice } from "../src/runtime/backend.js";
import { median } from "../src/util/median.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const backend = await initBackend(arg("backend", "wasm") as BackendChoice);
const impl = await setKernelImpl(arg("kernels", "native") as KernelImpl);
const reps = Number(arg("reps", "5"));
const L = 200, H = 128;
console.log(`GRU recurrence, L=${L} H=${H}, backend ${backend}, kernels ${impl}, ${reps} reps (median ms of forward + backward)`);
for (const B of [10, 32]) {
  const xi = tf.randomNormal([B, L, 3 * H], 0, 1, "float32", 1) as tf.Tensor3D;
  const Wh = tf.randomUniform([H, 3 * H], -1 / Math.sqrt(H), 1 / Math.sqrt(H), "float32", 2) as tf.Tensor2D;
  const bh = tf.randomUniform([3 * H], -1 / Math.sqrt(H), 1 / Math.sqrt(H), "float32", 3) as tf.Tensor1D;
  const w = tf.randomNormal([B, L, H], 0, 1, "float32", 4);
  const once = (f: typeof gruRecurrence): number => {
    const t0 = performance.now();
    const gs = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor1D), w)))([xi, Wh, bh]);
    for (const g of gs) g.dataSync();
    const ms = performance.now() - t0;
    tf.dispose(gs);
    return ms;
  };
  once(gruRecurrence);
  once(gruRecurrenceRef);
  const fused: number[] = [];
  const ref: number[] = [];
  for (let r = 0; r < reps; r++) {
    fused.push(once(gruRecurrence));
    ref.push(once(gruRecurrenceRef));
  }
  const f = median(fused), rf = median(ref);
  console.log(`B=${B}: fused ${f.toFixed(1)} ms, reference ${rf.toFixed(1)} ms, ${(rf / f).toFixed(1)}x`);
  tf.dispose([xi, Wh, bh, w]);
}
