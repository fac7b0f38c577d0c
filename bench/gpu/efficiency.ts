/**
 * Mamba4Rec against SASRec, whole epochs through the real CLI, on any backend (meant for webgpu on
 * a GPU machine, where the paper measured its 0.58 time and 0.32 memory ratios). The data is the
 * built-in generator at ML-1M's shape (6,040 users, 3,416 items, about 165 interactions a user),
 * written as a `lines` file: MovieLens itself may not travel. Each model trains `--epochs` epochs in
 * its own process (`reccompile run specs/<model>.rec --backend B`), with validation, as in
 * docs/results.md's CPU table.
 *
 *   npx tsx bench/gpu/efficiency.ts [--backend webgpu] [--epochs 3] [--users 6040] [--items 3416]
 *       [--mean-len 165] [--models mamba4rec,sasrec] [--out DIR]
 *
 * Per model: seconds per epoch (the median of the epochs after the first, which compiles the
 * shaders), targets per second, peak RSS, and, where `nvidia-smi` exists, the peak GPU memory in
 * use above what was in use before the run (sampled every 100 ms). Then the ratios, and last one
 * JSON line. Builds dist/ first.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { median } from "../../src/util/median.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const usage = "usage: npx tsx bench/gpu/efficiency.ts [--backend B] [--epochs N] [--users N] [--items N] [--mean-len N] [--models a,b] [--out DIR]";
const flags = new Map<string, string>();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i]!, v = argv[i + 1];
  if (!["--backend", "--epochs", "--users", "--items", "--mean-len", "--models", "--out"].includes(k) || v === undefined) {
    console.error(`efficiency: unknown flag or missing value at '${k}'\n${usage}`);
    process.exit(1);
  }
  flags.set(k, v);
}
const int = (k: string, d: number): number => {
  const v = flags.has(k) ? Number(flags.get(k)) : d;
  if (!Number.isInteger(v) || v < 1) {
    console.error(`efficiency: ${k} must be a positive integer, got '${flags.get(k)}'`);
    process.exit(1);
  }
  return v;
};
const backend = flags.get("--backend") ?? "webgpu";
const epochs = int("--epochs", 3);
const users = int("--users", 6040), items = int("--items", 3416), meanLen = int("--mean-len", 165);
const models = (flags.get("--models") ?? "mamba4rec,sasrec").split(",");
const out = path.resolve(flags.get("--out") ?? path.join(tmpdir(), `rec-efficiency-${process.pid}`));

/** GPU memory in use, MiB, or null without nvidia-smi. */
const gpuMemory = (): Promise<number | null> => new Promise((resolve) => {
  const p = spawn("nvidia-smi", ["--query-gpu=memory.used", "--format=csv,noheader,nounits"], { stdio: ["ignore", "pipe", "ignore"] });
  let s = "";
  p.stdout.on("data", (d: Buffer) => (s += d.toString()));
  p.on("error", () => resolve(null));
  p.on("close", (code) => resolve(code === 0 ? Number(s.split("\n")[0]) : null));
});

interface Row { model: string; seconds_per_epoch: number; epoch_seconds: number[]; tokens_per_s: number; peak_rss_mb: number; gpu_peak_mib: number | null }

const main = async (): Promise<void> => {
  mkdirSync(out, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const b = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (b.status !== 0) throw new Error(`build failed:\n${b.stdout}${b.stderr}`);

  const ds = syntheticDataset({ users, items, meanLen, seed: 2020 });
  const data = path.join(out, "synthetic-ml1m-shape.txt");
  writeFileSync(data, ds.sequences.map((s, u) => `${u + 1} ${Array.from(s).join(" ")}`).join("\n") + "\n");
  const interactions = ds.sequences.reduce((n, s) => n + s.length, 0);
  console.log(`data: ${users} users, ${items} items, ${interactions} interactions (${(interactions / users).toFixed(1)} a user), backend ${backend}, ${epochs} epochs a model`);

  const rows: Row[] = [];
  for (const model of models) {
    const dir = path.join(out, model);
    const idle = await gpuMemory();
    let peak = idle;
    const child = spawn(process.execPath, ["dist/cli/reccompile.js", "run", `specs/${model}.rec`, "--data", data, "--format", "lines",
      "--backend", backend, "--epochs", String(epochs), "--out", dir], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    let running = true;
    const sampler = (async () => {
      while (running && idle !== null) {
        const m = await gpuMemory();
        if (m !== null && peak !== null) peak = Math.max(peak, m);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
    running = false;
    await sampler;
    if (code !== 0) throw new Error(`${model}: reccompile run exited ${code}`);
    const history = JSON.parse(readFileSync(path.join(dir, "history.json"), "utf8")) as Array<{ seconds: number }>;
    const metrics = JSON.parse(readFileSync(path.join(dir, "metrics.json"), "utf8")) as { tokens_per_s: number; peak_rss_mb: number };
    const secs = history.map((e) => e.seconds);
    rows.push({
      model, seconds_per_epoch: median(secs.length > 1 ? secs.slice(1) : secs), epoch_seconds: secs.map((s) => +s.toFixed(2)),
      tokens_per_s: Math.round(metrics.tokens_per_s), peak_rss_mb: metrics.peak_rss_mb,
      gpu_peak_mib: idle !== null && peak !== null ? peak - idle : null,
    });
  }

  console.log(`\n| model | s/epoch (${epochs > 1 ? `median of epochs 2-${epochs}` : "epoch 1, with shader compilation"}) | epochs (s) | targets/s | peak RSS (MB) | peak GPU memory (MiB) |\n|---|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.seconds_per_epoch.toFixed(2)} | ${r.epoch_seconds.join(", ")} | ${r.tokens_per_s} | ${r.peak_rss_mb} | ${r.gpu_peak_mib ?? "n/a"} |`);
  }
  const m = rows.find((r) => r.model === "mamba4rec"), s = rows.find((r) => r.model === "sasrec");
  const ratios = m && s ? {
    time: +(m.seconds_per_epoch / s.seconds_per_epoch).toFixed(3),
    rss: +(m.peak_rss_mb / s.peak_rss_mb).toFixed(3),
    gpu_memory: m.gpu_peak_mib !== null && s.gpu_peak_mib ? +(m.gpu_peak_mib / s.gpu_peak_mib).toFixed(3) : null,
  } : null;
  if (ratios) console.log(`Mamba4Rec / SASRec: time ${ratios.time} (paper, GPU: 0.58), GPU memory ${ratios.gpu_memory ?? "n/a"} (paper: 0.32), RSS ${ratios.rss}`);
  console.log(JSON.stringify({ backend, users, items, mean_len: meanLen, interactions, epochs, rows, ratios }));
};

main().then(() => process.exit(0), (e: unknown) => {
  console.error(`efficiency: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
