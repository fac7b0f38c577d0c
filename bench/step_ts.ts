/**
 * Times one Mamba4Rec training step (forward, backward, Adam) with the TypeScript kernels:
 * dim 64, d_state 32, d_conv 4, expand 2, one layer + FFN 256, 3,416 items, B = 32, L = 200,
 * cross-entropy at every position. Usage: npx tsx bench/step_ts.ts [--backend wasm|cpu] [--steps N] [--batch B]
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Layer, SequenceModel } from "../src/ir/spec.js";
import { initBackend, type BackendChoice } from "../src/runtime/backend.js";
import { sequenceLoss, type TrainBatch } from "../src/runtime/loss.js";
import { SequenceNet } from "../src/runtime/net.js";
import { makeOptimizer } from "../src/runtime/optim/optimizer.js";
import { Rng } from "../src/util/rng.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};

const backend = await initBackend(arg("backend", "wasm") as BackendChoice);
const steps = Number(arg("steps", "3"));
const batch = Number(arg("batch", "32"));
const [dim, len, items] = [64, 200, 3416];
const pos = { offset: 0, line: 1, col: 1 };
const origin = { span: { file: "bench", start: pos, end: pos } };
const b = { origin, inDim: dim, outDim: dim };
const layers: Layer[] = [
  { ...b, kind: "dropout", rate: 0.2 },
  { ...b, kind: "layernorm", eps: 1e-12 },
  { ...b, kind: "mamba", dState: 32, dConv: 4, expand: 2, dInner: 128, dtRank: 4 },
  { ...b, kind: "dropout", rate: 0.2 },
  { ...b, kind: "layernorm", eps: 1e-12 },
  { ...b, kind: "residual", body: [{ ...b, kind: "ffn", inner: 256, activation: "gelu", dropout: 0.2 }, { ...b, kind: "dropout", rate: 0.2 }] },
  { ...b, kind: "layernorm", eps: 1e-12 },
];
const model: SequenceModel = { kind: "sequence", name: "Mamba4Rec", origin, embeddingDim: dim, layers, output: "tied" };
const rng = new Rng(2020);
const net = SequenceNet.fromIR(model, items, len, rng.fork());
const params = net.params.list();
const opt = makeOptimizer({ kind: "adam", lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, params);
const inputs = Int32Array.from({ length: batch * len }, () => 1 + rng.int(items));
const targets = Int32Array.from({ length: batch * len }, () => 1 + rng.int(items));
const tb: TrainBatch = { rows: batch, len, inputs, targets, count: batch * len };
const fwd = { training: true, rng };
const byVar = new Map(params.map((p) => [p.variable.name, p.name]));

const times: number[] = [];
for (let s = 0; s <= steps; s++) {
  const t0 = performance.now();
  const { value, grads } = tf.variableGrads(() => sequenceLoss(net, tb, 0, fwd), params.map((p) => p.variable));
  value.dataSync();
  const named: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) named[byVar.get(k)!] = g;
  opt.apply(named, 1e-3);
  tf.dispose([value, ...Object.values(grads)]);
  const ms = performance.now() - t0;
  if (s > 0) times.push(ms); // step 0 is warm-up
}
times.sort((a, c) => a - c);
const median = times[Math.floor(times.length / 2)]!;
console.log(JSON.stringify({ backend, kernels: "ts", batch, len, step_ms: Math.round(median), tokens_per_s: Math.round((batch * len) / (median / 1000)) }));
