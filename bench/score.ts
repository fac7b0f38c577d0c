/**
 * One validation pass (the shared evaluator scoring every user's validation case over the whole
 * catalogue, as each epoch of `run` does) with the network computed at the scored position only
 * after its last sequence-mixing layer (SequenceNet.hiddenLast, module.ts `applyLast`) against its
 * plain form (every position of every layer, then the last row: `scorer(maxLen, { reference: true })`):
 *
 *   npx tsx bench/score.ts [--specs mamba4rec,sasrec,...] [--runs 3] [--data FILE] [--json]
 *
 * Data: ML-1M from ../shared/data/ml-1m/ml-1m.txt when it is there (each spec's own data section:
 * filter, max_len), else the built-in synthetic data (say so in any figure quoted). Weights: the
 * spec's seeded initialisation (the time does not depend on their values). The two forms alternate,
 * after one warm-up pass of each; medians of --runs passes, and the largest difference between their
 * validation metrics (0 up to float rounding). Native kernels, wasm backend, REC_THREADS threads
 * (default: every core); run it on a quiet machine.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isLeft } from "fp-ts/lib/Either.js";
import { checkFile } from "../src/check/index.js";
import { builtInData, prepareData, type DataSource } from "../src/data/prepare.js";
import { evaluate } from "../src/eval/evaluate.js";
import { kernels as kernelSet, setKernelImpl } from "../src/kernels/select.js";
import { initBackend } from "../src/runtime/backend.js";
import { SequenceNet } from "../src/runtime/net.js";
import { fatalReport, UserError } from "../src/util/errors.js";
import { median } from "../src/util/median.js";
import { Rng } from "../src/util/rng.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new UserError(`bench/score: --${name} needs a value`);
  return v;
};
const json = argv.includes("--json");
const log = (s: string): void => void (json ? process.stderr : process.stdout).write(s + "\n");

interface Row {
  spec: string;
  users: number;
  max_len: number;
  full_s: number;
  last_s: number;
  speedup: number;
  max_metric_diff: number;
}

const main = async (): Promise<void> => {
  const specs = flag("specs", "mamba4rec,mamba4rec-tuned,sasrec,gru4rec,narm,caser,bert4rec").split(",");
  const runsText = flag("runs", "3");
  if (!/^[1-9]\d*$/.test(runsText)) throw new UserError(`bench/score: --runs ${runsText}: expected a positive whole number`);
  const runs = Number(runsText);
  const dataFile = flag("data", path.join(root, "..", "shared", "data", "ml-1m", "ml-1m.txt"));
  const source: DataSource = existsSync(dataFile) ? { kind: "file", path: dataFile, format: "auto" } : builtInData;
  await initBackend("wasm");
  const kernels = await setKernelImpl("native");
  const threads = kernelSet().threads?.() ?? null;
  log(`data: ${source.kind === "file" ? source.path : "the built-in synthetic data"}; ${kernels} kernels, ${threads ?? "?"} threads; ${runs} timed passes of each form`);
  const rows: Row[] = [];
  for (const name of specs) {
    const checked = checkFile(path.join(root, "specs", `${name}.rec`));
    if (isLeft(checked)) throw new UserError(`bench/score: specs/${name}.rec does not check: ${checked.left.map((d) => d.message).join("; ")}`);
    const spec = checked.right.spec;
    if (spec.model.kind !== "sequence") throw new UserError(`bench/score: specs/${name}.rec has no network to score`);
    const { split } = prepareData(source, spec.data);
    const net = SequenceNet.fromIR(spec.model, split.numItems, spec.data.maxLen, new Rng(spec.train.seed), split.train.length);
    const opts = { numItems: split.numItems, metrics: spec.eval.metrics, excludeSeen: false };
    const pass = async (reference: boolean): Promise<{ seconds: number; metrics: Record<string, number> }> => {
      const t0 = performance.now();
      const r = await evaluate(net.scorer(spec.data.maxLen, { reference }), split.valid, opts);
      return { seconds: (performance.now() - t0) / 1000, metrics: r.metrics };
    };
    await pass(true);
    await pass(false);
    const full: number[] = [];
    const last: number[] = [];
    let diff = 0;
    for (let i = 0; i < runs; i++) {
      const a = await pass(true);
      const b = await pass(false);
      full.push(a.seconds);
      last.push(b.seconds);
      for (const k of Object.keys(a.metrics)) diff = Math.max(diff, Math.abs(a.metrics[k]! - b.metrics[k]!));
    }
    net.dispose();
    const row: Row = {
      spec: name, users: split.valid.length, max_len: spec.data.maxLen,
      full_s: +median(full).toFixed(2), last_s: +median(last).toFixed(2), speedup: +(median(full) / median(last)).toFixed(2), max_metric_diff: diff,
    };
    rows.push(row);
    log(`${name.padEnd(18)} every position ${row.full_s.toFixed(2)} s, last position ${row.last_s.toFixed(2)} s: ${row.speedup.toFixed(2)}x  (metrics differ by ${diff.toExponential(1)})`);
  }
  if (json) console.log(JSON.stringify({ data: source.kind === "file" ? source.path : "synthetic", kernels, threads, runs, rows }));
};

try {
  await main();
} catch (err) {
  const { message, code } = fatalReport(err);
  console.error(message);
  process.exit(code);
}
