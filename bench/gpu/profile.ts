/**
 * Where a webgpu training step's time goes: the benchmark model's pieces timed one by one
 * (forward and forward+backward, synchronised with `await data()`), at bench.ts's full size.
 * BENCH_SIZE=tiny for a dry run. Prints one line per piece and, last, a JSON object.
 */
import * as tf from "@tensorflow/tfjs-core";
import { initWebgpu, webgpuAdapter } from "../../src/runtime/webgpu.js";
import { selectiveScanWebgpu, causalConvSiluWebgpu } from "../../src/kernels/webgpu/ops.js";
import { linearCeWebgpu } from "../../src/kernels/linear_ce.js";
import { Rng } from "../../src/util/rng.js";
import { randomTensor } from "./model.js";

const SIZES = {
  full: { batch: 64, len: 200, items: 3706, dim: 64, dState: 32, inner: 256, reps: 5 },
  tiny: { batch: 4, len: 16, items: 50, dim: 16, dState: 8, inner: 32, reps: 2 },
} as const;

const main = async (): Promise<void> => {
  const S = SIZES[(process.env.BENCH_SIZE ?? "full") as keyof typeof SIZES];
  if (!S) throw new Error("BENCH_SIZE must be full or tiny");
  console.log(`adapter: ${await webgpuAdapter()}`);
  await initWebgpu();
  const rng = new Rng(5);
  const rnd = (shape: number[], scale = 1, shift = 0): tf.Tensor => randomTensor(rng, shape, scale, shift);
  const ids = (n: number, hi: number): tf.Tensor1D => tf.tensor1d(Int32Array.from({ length: n }, () => 1 + rng.int(hi)), "int32");
  const B = S.batch, L = S.len, T = B * L, H = S.dim, D = 2 * H, N = S.dState, V = S.items + 1;
  const time = async (f: () => tf.Tensor | tf.Tensor[]): Promise<number> => {
    const sync = async (r: tf.Tensor | tf.Tensor[]) => { const ts = Array.isArray(r) ? r : [r]; await Promise.all(ts.map((t) => t.data())); tf.dispose(ts); };
    await sync(f());
    const t = performance.now();
    for (let i = 0; i < S.reps; i++) await sync(f());
    return (performance.now() - t) / S.reps;
  };
  const both = async (name: string, f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): Promise<[string, number, number]> => {
    const fwd = await time(() => f(...xs));
    const g = tf.grads((...a: tf.Tensor[]) => tf.sum(f(...a)));
    const fb = await time(() => g(xs));
    console.log(`${name.padEnd(48)} forward ${fwd.toFixed(2).padStart(8)} ms   forward+backward ${fb.toFixed(2).padStart(8)} ms`);
    return [name, +fwd.toFixed(2), +fb.toFixed(2)];
  };
  const emb = rnd([V, H], 0.02), tok = ids(T, S.items), h = rnd([T, H]), x3 = rnd([B, L, H]);
  const targets = ids(T, S.items);
  const padBias = tf.concat([tf.fill([1], -1e9), tf.zeros([S.items])]);
  const rows: Array<[string, number, number]> = [];
  rows.push(await both("gather (embedding lookup)", (e) => tf.gather(e!, tok), [emb]));
  rows.push(await both(`matMul [${T}x${H}]x[${H}x${4 * H}]`, (a, w) => tf.matMul(a!, w!), [h, rnd([H, 4 * H], 0.1)]));
  rows.push(await both(`logits matMul [${T}x${H}]x[${V}x${H}]^T`, (a, e) => tf.matMul(a!, e!, false, true), [h, emb]));
  rows.push(await both("full-logits cross-entropy", (a, e) => {
    const logits = tf.matMul(a!, e!, false, true);
    const lse = tf.logSumExp(tf.add(logits, padBias), 1);
    return tf.sub(lse, tf.sum(tf.mul(logits, tf.oneHot(targets, V)), 1));
  }, [h, emb]));
  const tgt = await targets.data() as Int32Array;
  rows.push(await both("linearCeWebgpu, transposed W operand", (a, e) => linearCeWebgpu(a as tf.Tensor2D, e as tf.Tensor2D, tgt, 0, 1 << 22, false), [h, emb]));
  rows.push(await both("linearCeWebgpu, W pre-transposed", (a, e) => linearCeWebgpu(a as tf.Tensor2D, e as tf.Tensor2D, tgt, 0, 1 << 22, true), [h, emb]));
  // One chunk's products (1 << 22 floats of logits), in both forms.
  const n = Math.min(T, Math.floor((1 << 22) / S.items));
  const hc = rnd([n, H]), ds = rnd([n, S.items]), W1 = rnd([S.items, H], 0.02), W1t = rnd([H, S.items], 0.02);
  rows.push(await both(`chunk logits [${n}x${H}]x[${S.items}x${H}]^T`, (a, w) => tf.matMul(a!, w!, false, true), [hc, W1]));
  rows.push(await both(`chunk logits [${n}x${H}]x[${H}x${S.items}]`, (a, w) => tf.matMul(a!, w!), [hc, W1t]));
  rows.push(await both(`chunk dW [${n}x${S.items}]^T x [${n}x${H}]`, (d, a) => tf.matMul(d!, a!, true, false), [ds, hc]));
  rows.push(await both(`chunk dW^T transpose([${n}x${H}]) x [${n}x${S.items}]`, (a, d) => tf.matMul(tf.transpose(a!), d!), [hc, ds]));
  rows.push(await both(`full logits [${T}x${H}]x[${H}x${V}]`, (a, w) => tf.matMul(a!, w!), [h, rnd([H, V], 0.02)]));
  rows.push(await both("layerNorm (moments)", (a) => {
    const { mean, variance } = tf.moments(a!, -1, true);
    return tf.div(tf.sub(a!, mean), tf.sqrt(tf.add(variance, 1e-12)));
  }, [x3]));
  rows.push(await both("gelu (erf)", (a) => tf.mul(tf.mul(a!, 0.5), tf.add(1, tf.erf(tf.div(a!, Math.SQRT2)))), [rnd([B, L, 4 * H])]));
  rows.push(await both("causal conv + SiLU (WGSL)", (a, w, b) => causalConvSiluWebgpu(a as tf.Tensor3D, w as tf.Tensor2D, b as tf.Tensor1D), [rnd([B, L, D]), rnd([D, 4], 0.3), rnd([D], 0.1)]));
  rows.push(await both("selective scan (WGSL)", (u, dl, A, Bm, Cm, Dv, bias) => selectiveScanWebgpu(u as tf.Tensor3D, dl as tf.Tensor3D, A as tf.Tensor2D, Bm as tf.Tensor3D, Cm as tf.Tensor3D, Dv as tf.Tensor1D, bias as tf.Tensor1D, 16),
    [rnd([B, L, D]), rnd([B, L, D], 1, -1), tf.neg(tf.exp(rnd([D, N], 0.5))), rnd([B, L, N]), rnd([B, L, N]), rnd([D]), rnd([D], 0.1)]));
  console.log(JSON.stringify({ batch: B, len: L, items: S.items, pieces: rows.map(([name, f, fb]) => ({ name, forward_ms: f, forward_backward_ms: fb })) }));
};

main().then(() => process.exit(0), (e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
