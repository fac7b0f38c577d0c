/**
 * One full training step (forward, all-position cross-entropy over the catalogue, backward, Adam) of
 * a model checked from specs/*.rec, on a chosen backend and kernel set. Used by bench/run.ts, and a
 * profiler on its own:
 *
 *   npx tsx bench/step.ts [--model mamba4rec|mamba4rec-seen|mamba4rec-tuned|sasrec|gru4rec|narm|caser|bert4rec] [--batch 64] [--len 200] [--steps 3]
 *                         [--kernels native|ts] [--backend wasm|cpu] [--profile]
 *
 * --profile wraps every registered kernel of the backend with a timer and prints where a step's
 * time goes (kernel time by name; the rest is JS and the fused custom ops).
 */
import * as tf from "@tensorflow/tfjs-core";
import { isLeft } from "fp-ts/lib/Either.js";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkFile } from "../src/check/index.js";
import type { SequenceModel } from "../src/ir/spec.js";
import { initBackend, type BackendChoice } from "../src/runtime/backend.js";
import { setKernelImpl, type KernelImpl } from "../src/kernels/select.js";
import { sequenceLoss, type TrainBatch } from "../src/runtime/loss.js";
import { SequenceNet } from "../src/runtime/net.js";
import { makeOptimizer } from "../src/runtime/optim/optimizer.js";
import { Rng } from "../src/util/rng.js";
import { fatalReport, UserError } from "../src/util/errors.js";
import { median } from "../src/util/median.js";

export const ITEMS = 3416;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export type ModelName = "mamba4rec" | "mamba4rec-seen" | "mamba4rec-tuned" | "sasrec" | "gru4rec" | "narm" | "caser" | "bert4rec";

/** Users of the bench's user tables (Caser), ML-1M's count. */
export const USERS = 6040;

/** The model of specs/<name>.rec with the given maximum length (positional tables follow max_len). */
export const loadModel = (name: ModelName): SequenceModel => {
  const r = checkFile(path.join(root, "specs", `${name}.rec`));
  if (isLeft(r)) throw new Error(`${name}.rec does not check: ${r.left.map((d) => d.message).join("; ")}`);
  const m = r.right.spec.model;
  if (m.kind !== "sequence") throw new Error(`${name}.rec: not a sequence model`);
  return m;
};

/** Replaces positional max_len so SASRec can run at lengths above its spec's 200. */
const withMaxLen = (m: SequenceModel, len: number): SequenceModel => {
  const fix = (layers: readonly unknown[]): unknown[] => layers.map((l) => {
    const o = l as Record<string, unknown>;
    const out: Record<string, unknown> = { ...o };
    if (o["kind"] === "positional" && typeof o["maxLen"] === "number") out["maxLen"] = Math.max(o["maxLen"] as number, len);
    if (Array.isArray(o["body"])) out["body"] = fix(o["body"] as unknown[]);
    return out;
  });
  return { ...m, layers: fix(m.layers) as SequenceModel["layers"] };
};

export interface StepRunner {
  /** Runs one step and returns its wall time in ms. */
  step(): number;
  readonly tokens: number;
  dispose(): void;
}

export const makeStep = (name: ModelName, batch: number, len: number, seed = 2020): StepRunner => {
  const model = withMaxLen(loadModel(name), len);
  const rng = new Rng(seed);
  const net = SequenceNet.fromIR(model, ITEMS, len, rng.fork(), USERS);
  const params = net.params.list();
  const opt = makeOptimizer({ kind: "adam", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, params);
  const inputs = Int32Array.from({ length: batch * len }, () => 1 + rng.int(ITEMS));
  const targets = Int32Array.from({ length: batch * len }, () => 1 + rng.int(ITEMS));
  // A masked model (BERT4Rec) predicts the fifth of the positions it masks; the others every position.
  if (model.maskToken) for (let i = 0; i < targets.length; i++) if (rng.uniform() >= 0.2) targets[i] = 0; else inputs[i] = ITEMS + 1;
  const count = targets.reduce((n, t) => n + (t > 0 ? 1 : 0), 0);
  const users = Int32Array.from({ length: batch }, () => rng.int(USERS));
  const tb: TrainBatch = { rows: batch, len, inputs, targets, count, users };
  const fwd = { training: true, rng };
  const byVar = new Map(params.map((p) => [p.variable.name, p.name]));
  const vars = params.map((p) => p.variable);
  return {
    tokens: batch * len,
    step: () => {
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(() => sequenceLoss(net, tb, 0, fwd), vars);
      value.dataSync();
      const named: Record<string, tf.Tensor> = {};
      for (const [k, g] of Object.entries(grads)) named[byVar.get(k)!] = g;
      opt.apply(named, 1e-3);
      tf.dispose([value, ...Object.values(grads)]);
      return performance.now() - t0;
    },
    dispose: () => {
      opt.dispose();
      net.dispose();
    },
  };
};

/** Wraps every kernel registered for `backend` with a timer; returns the table and a reset. */
export const instrumentKernels = (backend: string): { table: Map<string, { ms: number; calls: number }>; reset(): void } => {
  const table = new Map<string, { ms: number; calls: number }>();
  for (const k of tf.getKernelsForBackend(backend)) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const t0 = performance.now();
        const out = inner(args);
        const e = table.get(k.kernelName) ?? { ms: 0, calls: 0 };
        e.ms += performance.now() - t0;
        e.calls++;
        table.set(k.kernelName, e);
        return out;
      },
    });
  }
  return { table, reset: () => table.clear() };
};

const MODELS: readonly ModelName[] = ["mamba4rec", "mamba4rec-seen", "mamba4rec-tuned", "sasrec", "gru4rec", "narm", "caser", "bert4rec"];

/** A flag's value, or `dflt` when absent; one of `allowed` when given. */
const arg = (name: string, dflt: string, allowed?: readonly string[]): string => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new UserError(`bench/step: --${name} needs a value`);
  if (allowed && !allowed.includes(v)) throw new UserError(`bench/step: --${name} ${v}: expected one of ${allowed.join(", ")}`);
  return v;
};

/** A positive whole-number flag. */
const count = (name: string, dflt: number): number => {
  const v = arg(name, String(dflt));
  if (!/^[1-9]\d*$/.test(v)) throw new UserError(`bench/step: --${name} ${v}: expected a positive whole number`);
  return Number(v);
};

const main = async (): Promise<void> => {
  const name = arg("model", "mamba4rec", MODELS) as ModelName;
  const batch = count("batch", 64);
  const len = count("len", 200);
  const steps = count("steps", 3);
  const backend = await initBackend(arg("backend", "wasm", ["wasm", "cpu"]) as BackendChoice);
  const impl = await setKernelImpl(arg("kernels", "native", ["native", "ts"]) as KernelImpl);
  const profile = process.argv.includes("--profile");
  const prof = profile ? instrumentKernels(backend) : null;
  const runner = makeStep(name, batch, len);
  runner.step(); // warm-up
  prof?.reset();
  const times: number[] = [];
  for (let s = 0; s < steps; s++) times.push(runner.step());
  const med = median(times);
  if (prof) {
    const rows = [...prof.table.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((p, [, v]) => p + v.ms, 0) / steps;
    console.log(`kernel time per step ${total.toFixed(0)} ms of ${med.toFixed(0)} ms (rest: JS + fused custom ops)`);
    for (const [k, v] of rows.slice(0, 30)) console.log(`${k.padEnd(28)} ${(v.ms / steps).toFixed(1).padStart(8)} ms  ${(v.calls / steps).toFixed(0).padStart(5)} calls`);
  }
  console.log(JSON.stringify({ backend, kernels: impl, model: name, batch, len, step_ms: Math.round(med),
    tokens_per_s: Math.round(runner.tokens / (med / 1000)), rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    wasm_heap_mb: backend === "wasm" ? Math.round((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength / 2 ** 20) : null,
    js_heap_mb: Math.round(process.memoryUsage().heapUsed / 2 ** 20), external_mb: Math.round(process.memoryUsage().external / 2 ** 20) }));
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (err) {
    // A bad flag, or a batch too large for the wasm heap: the CLI's messages (heap: what to lower), here
    // in the bench's own terms; anything else keeps its stack.
    const { message, code } = fatalReport(err);
    console.error(code === 1 && !(err instanceof UserError)
      ? `bench/step: out of memory at --batch ${arg("batch", "64")} --len ${arg("len", "200")} (${(err as Error).message}): the wasm heap holds at most 4 GiB; lower --batch or --len`
      : message);
    process.exit(code);
  }
}
