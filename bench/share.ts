/**
 * How to share a machine's cores between training runs: one run on every core, or one run per core.
 *
 *   npx tsx bench/share.ts [--model mamba4rec] [--batch 10] [--len 200] [--steps 30] [--rounds 3] [--json]
 *
 * Each round times three placements of bench/step.ts (one full training step at the specs' batch:
 * 10 windows of 200, about the 2,048 targets of `batch: 2048`), each process after its warm-up step:
 *
 *   wide     one run, REC_THREADS = the machine's cores, alone
 *   narrow   one run, REC_THREADS=1, alone
 *   packed   one run per core, REC_THREADS=1 each, all at once
 *
 * and prints the median step time of each and the machine's throughput (training tokens per second
 * over all runs): what a study gets from `--jobs 1` (wide, the runs one after another) against
 * `--jobs <cores>` or `--slurm-cpus-per-task 1` (packed). `narrow` against `packed` is what the runs
 * cost each other (shared caches and memory bandwidth, or cores that are one core's two threads).
 * The placements alternate within each round, so that a change in the machine's load falls on all
 * of them. Nothing else should run meanwhile.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../src/util/median.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const positive = (name: string, dflt: number): number => {
  const v = flag(name, String(dflt));
  if (!/^[1-9]\d*$/.test(v)) {
    process.stderr.write(`bench/share: --${name} ${v}: expected a positive whole number\n`);
    process.exit(1);
  }
  return Number(v);
};
const model = flag("model", "mamba4rec");
const batch = positive("batch", 10), len = positive("len", 200), steps = positive("steps", 30), rounds = positive("rounds", 3);
const json = argv.includes("--json");
const cores = os.availableParallelism();

/** One bench/step.ts child at `threads` native threads: its median step in ms. */
const step = (threads: number): Promise<number> => new Promise((resolveStep, reject) => {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench", "step.ts"), "--model", model, "--batch", String(batch), "--len", String(len), "--steps", String(steps)],
    { cwd: root, env: { ...process.env, REC_THREADS: String(threads) }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
  child.on("close", (code) => {
    const last = out.trim().split("\n").pop() ?? "";
    try {
      if (code !== 0) throw new Error(`exit ${code}`);
      resolveStep((JSON.parse(last) as { step_ms: number }).step_ms);
    } catch (e) {
      reject(new Error(`bench/step.ts at ${threads} thread(s) failed (${(e as Error).message}): ${err.trim().split("\n").pop() ?? ""}`));
    }
  });
});

interface Placement { readonly name: "wide" | "narrow" | "packed"; readonly runs: number; readonly threads: number }
const placements: readonly Placement[] = [
  { name: "wide", runs: 1, threads: cores },
  { name: "narrow", runs: 1, threads: 1 },
  { name: "packed", runs: cores, threads: 1 },
];

const main = async (): Promise<void> => {
  const times = new Map<string, number[]>(placements.map((p) => [p.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const p of placements) {
      const ms = await Promise.all(Array.from({ length: p.runs }, () => step(p.threads)));
      times.get(p.name)!.push(...ms);
      if (!json) process.stderr.write(`round ${r + 1}/${rounds} ${p.name}: ${ms.map((m) => `${m} ms`).join(", ")}\n`);
    }
  }
  const tokens = batch * len;
  const rows = placements.map((p) => {
    const ms = median(times.get(p.name)!);
    return { placement: p.name, runs: p.runs, threads: p.threads, step_ms: ms, machine_tokens_per_s: Math.round((p.runs * tokens * 1000) / ms) };
  });
  const row = (name: Placement["name"]) => rows.find((x) => x.placement === name)!;
  const wide = row("wide"), packed = row("packed");
  const result = { model, batch, len, steps, rounds, cores, rows, packed_over_wide: packed.machine_tokens_per_s / wide.machine_tokens_per_s };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`${model}, ${batch} x ${len} tokens a step, ${cores} cores, medians of ${rounds} rounds:`);
  console.log("placement  runs  threads  step ms  machine tokens/s");
  for (const x of rows) console.log(`${x.placement.padEnd(9)}  ${String(x.runs).padStart(4)}  ${String(x.threads).padStart(7)}  ${String(x.step_ms).padStart(7)}  ${String(x.machine_tokens_per_s).padStart(16)}`);
  console.log(`packed gives ${result.packed_over_wide.toFixed(2)} times the throughput of wide`);
};

main().catch((e: unknown) => {
  process.stderr.write(`bench/share: ${(e as Error).message}\n`);
  process.exit(1);
});
