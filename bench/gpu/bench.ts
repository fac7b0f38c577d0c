/**
 * Mamba4Rec training-step benchmark on the webgpu backend, and the fused scan's achieved memory
 * bandwidth. Prints human lines and, last, one JSON object. Sizes: BENCH_SIZE=full (default:
 * Mamba4Rec's official layer, dim 64, d_state 32, d_conv 4, expand 2, max_len 200, 64 sequences per
 * step, 3,706 items as ML-1M) or tiny (a seconds-long dry run on a CPU Vulkan such as lavapipe).
 * BENCH_BATCH overrides the sequences per step. GPU_BW_GBS overrides the card's peak bandwidth when its name is not in the table below.
 */
import { execFileSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs-core";
import { initWebgpu, webgpuAdapter } from "../../src/runtime/webgpu.js";
import { selectiveScanWebgpu } from "../../src/kernels/webgpu/ops.js";
import { scanBackwardLayout } from "../../src/kernels/webgpu/programs.js";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { leaveOneOut } from "../../src/data/split.js";
import { buildTinyMamba, nextItemBatch, randomTensor } from "./model.js";
import { Rng } from "../../src/util/rng.js";

const SIZES = {
  full: { batch: 64, len: 200, items: 3706, users: 1024, meanLen: 160, dim: 64, dState: 32, inner: 256, steps: 10, warmup: 2, scanReps: 10 },
  tiny: { batch: 4, len: 16, items: 50, users: 16, meanLen: 20, dim: 16, dState: 8, inner: 32, steps: 2, warmup: 1, scanReps: 2 },
} as const;

/** Peak DRAM bandwidth, GB/s, by a substring of the GPU's name (vendor datasheets). */
const BANDWIDTH: Array<[RegExp, number]> = [
  [/H200/i, 4800], [/H100.*(SXM|HBM3)/i, 3350], [/H100.*NVL/i, 3900], [/H100/i, 2000], [/GH200/i, 4000],
  [/A100.*80/i, 2039], [/A100/i, 1555], [/L40S?/i, 864], [/L4\b/i, 300], [/A10\b/i, 600], [/T4\b/i, 320],
  [/V100/i, 900], [/RTX 4090/i, 1008], [/RTX 3090/i, 936], [/B200/i, 8000],
];

const gpuName = (adapter: string): string => {
  try {
    return execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], { encoding: "utf8", timeout: 10000 }).split("\n")[0]!.trim();
  } catch {
    return adapter;
  }
};

const main = async (): Promise<void> => {
  const sizeName = (process.env.BENCH_SIZE ?? "full") as keyof typeof SIZES;
  const base = SIZES[sizeName];
  if (!base) throw new Error(`BENCH_SIZE must be full or tiny, got ${sizeName}`);
  // BENCH_BATCH: sequences a step (the synthetic users grow to hold four distinct batches).
  const batchEnv = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : base.batch;
  if (!Number.isInteger(batchEnv) || batchEnv < 1) throw new Error(`BENCH_BATCH must be a positive integer, got ${process.env.BENCH_BATCH}`);
  const S = { ...base, batch: batchEnv, users: Math.max(base.users, 4 * batchEnv) };
  const adapter = (await webgpuAdapter()) ?? "none";
  await initWebgpu();
  const name = gpuName(adapter);
  const bwEnv = Number(process.env.GPU_BW_GBS);
  const peak = Number.isFinite(bwEnv) && bwEnv > 0 ? bwEnv : (BANDWIDTH.find(([re]) => re.test(name))?.[1] ?? null);
  console.log(`adapter: ${adapter}; gpu: ${name}; peak bandwidth: ${peak ?? "unknown"} GB/s; size: ${sizeName}`);

  // --- training steps ---
  const ds = syntheticDataset({ users: S.users, items: S.items, meanLen: S.meanLen, seed: 2020 });
  const split = leaveOneOut(ds, S.len);
  const model = buildTinyMamba({ items: ds.numItems, dim: S.dim, dState: S.dState, dConv: 4, expand: 2, inner: S.inner, chunk: 16, seed: 1 });
  const opt = tf.train.adam(0.001);
  const batches: Array<{ inputs: tf.Tensor2D; targets: Int32Array; tokens: number }> = [];
  for (let i = 0; i + S.batch <= split.train.length && batches.length < 4; i += S.batch) {
    const b = nextItemBatch(split.train.slice(i, i + S.batch), S.len);
    batches.push({ inputs: tf.tensor2d(b.inputs, [S.batch, S.len], "int32"), targets: b.targets, tokens: b.tokens });
  }
  const step = async (i: number): Promise<number> => {
    const b = batches[i % batches.length]!;
    const l = opt.minimize(() => model.loss(b.inputs, b.targets), true, model.vars)!;
    const v = (await l.data())[0]!;
    l.dispose();
    return v;
  };
  const tc0 = performance.now();
  for (let i = 0; i < S.warmup; i++) await step(i);
  const compileS = (performance.now() - tc0) / 1000;
  let tokens = 0;
  let loss = 0;
  const t0 = performance.now();
  for (let i = 0; i < S.steps; i++) {
    loss = await step(i);
    tokens += batches[i % batches.length]!.tokens;
  }
  const stepS = (performance.now() - t0) / 1000 / S.steps;
  const tokensPerS = tokens / ((performance.now() - t0) / 1000);
  console.log(`train: ${S.steps} steps of ${S.batch}x${S.len}, ${(stepS * 1000).toFixed(1)} ms/step, ${tokensPerS.toFixed(0)} tokens/s (targets), last loss ${loss.toFixed(4)}, warm-up ${compileS.toFixed(1)} s`);

  // --- the scan alone, at the layer's size ---
  const B = S.batch, L = S.len, D = 2 * S.dim, N = S.dState, chunk = 16;
  const rng = new Rng(3);
  const rnd = (shape: number[], scale = 1, shift = 0): tf.Tensor => randomTensor(rng, shape, scale, shift);
  const u = rnd([B, L, D]) as tf.Tensor3D, delta = rnd([B, L, D], 1, -1) as tf.Tensor3D;
  const A = tf.neg(tf.exp(rnd([D, N], 0.5))) as tf.Tensor2D;
  const Bm = rnd([B, L, N]) as tf.Tensor3D, Cm = rnd([B, L, N]) as tf.Tensor3D;
  const Dv = rnd([D]) as tf.Tensor1D, bias = rnd([D], 0.1) as tf.Tensor1D, dy = rnd([B, L, D]) as tf.Tensor3D;
  const args = [u, delta, A, Bm, Cm, Dv, bias] as const;
  const time = async (f: () => tf.Tensor | tf.Tensor[]): Promise<number> => {
    const sync = async (r: tf.Tensor | tf.Tensor[]) => { const ts = Array.isArray(r) ? r : [r]; await ts[0]!.data(); tf.dispose(ts); };
    await sync(f());
    const t = performance.now();
    for (let i = 0; i < S.scanReps - 1; i++) tf.dispose(f());
    await sync(f());
    return (performance.now() - t) / 1000 / S.scanReps;
  };
  const fwdS = await time(() => selectiveScanWebgpu(...args, chunk));
  const grad = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor, f: tf.Tensor, g: tf.Tensor) =>
    tf.sum(tf.mul(selectiveScanWebgpu(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor2D, d as tf.Tensor3D, e as tf.Tensor3D, f as tf.Tensor1D, g as tf.Tensor1D, chunk), dy)));
  const fbS = await time(() => grad([...args]));
  const BLD = B * L * D, BLN = B * L * N, ck = B * Math.ceil(L / chunk) * D * N;
  const nBlocks = scanBackwardLayout(B, L, D, N).nBlocks;
  // Compulsory traffic (each array read or written once; B and C counted once, not per channel).
  const fwdBytes = 4 * (2 * BLD + 2 * BLN + D * N + 2 * D + BLD + ck);
  const bwdBytes = 4 * (3 * BLD + 2 * BLN + D * N + 2 * D + ck + 2 * BLD + 2 * BLN * nBlocks + B * D * (N + 2));
  const fwdGBs = fwdBytes / fwdS / 1e9;
  const fbGBs = (fwdBytes + bwdBytes) / fbS / 1e9;
  const pct = (x: number) => (peak ? ` (${((100 * x) / peak).toFixed(1)}% of ${peak} GB/s)` : "");
  console.log(`scan B=${B} L=${L} D=${D} N=${N}: forward ${(fwdS * 1000).toFixed(2)} ms, ${fwdGBs.toFixed(1)} GB/s${pct(fwdGBs)}; ` +
    `forward+backward ${(fbS * 1000).toFixed(2)} ms, ${fbGBs.toFixed(1)} GB/s${pct(fbGBs)} (forward+backward includes the gradient's slices and sums)`);
  console.log(JSON.stringify({
    size: sizeName, adapter, gpu: name, peak_gb_s: peak, batch: B, len: L, dim: S.dim, d_state: N,
    step_ms: +(stepS * 1000).toFixed(2), tokens_per_s: Math.round(tokensPerS), loss,
    scan_fwd_ms: +(fwdS * 1000).toFixed(3), scan_fwd_gb_s: +fwdGBs.toFixed(2),
    scan_fwdbwd_ms: +(fbS * 1000).toFixed(3), scan_fwdbwd_gb_s: +fbGBs.toFixed(2),
    scan_fwd_pct_peak: peak ? +((100 * fwdGBs) / peak).toFixed(2) : null,
  }));
};

main().then(() => process.exit(0), (e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
