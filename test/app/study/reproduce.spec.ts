/**
 * `npm run reproduce` end to end, locally, on a small generated file in MovieLens-100k's format:
 * Pop and GRU4Rec from the shipped specs for one epoch, two at a time (`--jobs 2`), in a folder of
 * its own (the script reads specs/ and writes runs/ and docs/results/ under its working directory).
 * Checks the run folders and logs, the results file and page, that running it again trains
 * nothing, and the flag errors.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../../src/util/paths.js";
import { Rng } from "../../../src/util/rng.js";

const root = packageRoot();

const reproduce = (cwd: string, args: readonly string[]): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "scripts", "reproduce.ts"), ...args], { cwd, encoding: "utf8", timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

/** 60 users rating 12 of 40 items each, in time order (u.data: user, item, rating, timestamp). */
const tinyRatings = (): string => {
  const rng = new Rng(5);
  const lines: string[] = [];
  for (let u = 1; u <= 60; u++) {
    const items = new Set<number>();
    while (items.size < 12) items.add(1 + Math.floor(rng.uniform() * 40));
    [...items].forEach((i, t) => lines.push(`${u}\t${i}\t4\t${880000000 + u * 100 + t}`));
  }
  return `${lines.join("\n")}\n`;
};

const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);

describe("npm run reproduce (local, --jobs)", function () {
  this.timeout(300_000);
  let dir = "";
  let data = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "reproduce-"));
    mkdirSync(join(dir, "specs"));
    for (const s of ["pop.rec", "gru4rec.rec"]) copyFileSync(join(root, "specs", s), join(dir, "specs", s));
    // tsx resolves from the working directory.
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
    data = join(dir, "u.data");
    writeFileSync(data, tinyRatings());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("trains two models side by side, each into its folder with its log, and writes the results file and page", () => {
    const r = reproduce(dir, ["ml-100k", "--data", data, "--models", "pop,gru4rec", "--epochs", "1", "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const runs = join(dir, "runs", "reproduce", "ml-100k");
    for (const m of ["pop", "gru4rec"]) {
      const started = r.stderr.split("\n").find((l) => l.startsWith(`== ${m}: reccompile run specs/${m}.rec `));
      assert.ok(started?.endsWith(`(log: ${join(runs, `${m}.log`)})`), `${m}'s start line: ${started}`);
      assert.match(r.stderr, new RegExp(`== ${m}: done \\(`));
      assert.ok(existsSync(join(runs, m, "metrics.json")), `${m}/metrics.json`);
      assert.ok(existsSync(join(runs, `${m}.log`)), `${m}.log`);
    }
    type Row = { status: string; epochs: number; threads: number | null; threads_max?: number; test: Record<string, number> };
    const results = JSON.parse(readFileSync(join(dir, "docs", "results", "ml-100k.json"), "utf8")) as { models: Record<string, Row> };
    assert.deepEqual(Object.keys(results.models).sort(), ["gru4rec", "pop"]);
    assert.equal(results.models.gru4rec!.status, "finished");
    assert.equal(results.models.gru4rec!.epochs, 1);
    assert.ok(results.models.gru4rec!.test["hr@10"]! >= 0);
    // Its one epoch's recorded thread count (native kernels), or the environment's where none was recorded.
    const threads = results.models.gru4rec!.threads;
    assert.ok(threads !== null && Number.isInteger(threads) && threads >= 1, String(threads));
    assert.equal(results.models.gru4rec!.threads_max, undefined);
    assert.match(readFileSync(join(dir, "docs", "results", "ml-100k.md"), "utf8"), /\| gru4rec \| /);
  });

  it("run again, trains nothing: both runs are read back", () => {
    const r = reproduce(dir, ["ml-100k", "--data", data, "--models", "pop,gru4rec", "--epochs", "1", "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /== pop: skipped/);
    assert.match(r.stderr, /== gru4rec: skipped/);
    assert.doesNotMatch(r.stderr, /reccompile run/);
  });

  it("refuses a --jobs that is not a positive integer, and --jobs with the Slurm executor, before training anything", () => {
    for (const [args, message] of [
      [["--jobs", "0"], /^reproduce: --jobs must be a positive integer, got '0'$/m],
      [["--jobs", "2", "--executor", "slurm"], /^reproduce: --jobs applies to the local executor/m],
    ] as const) {
      const r = reproduce(dir, ["ml-100k", "--data", data, "--models", "pop", "--out", join(dir, "other"), ...args]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
      noStack(r.stderr);
      assert.ok(!existsSync(join(dir, "other", "pop")), "no run started");
    }
  });
});
