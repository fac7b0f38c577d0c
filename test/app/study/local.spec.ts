import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localRunner } from "../../../src/app/study/local.js";
import { runArgs, type JobResult, type RunFlags, type StudyJob } from "../../../src/app/study/runner.js";
import { threadShare, threadsFile } from "../../../src/app/study/threads_file.js";

/** A stand-in for `reccompile run`: records its argv, writes metrics.json + ranks.json; fails for specs named *fail*. */
const FAKE = `
import { mkdirSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
const argv = process.argv.slice(2);
const out = argv[argv.indexOf("--out") + 1];
appendFileSync(process.env.FAKE_LOG, JSON.stringify(argv) + "\\n");
const quiet = process.env.FAKE_QUIET !== undefined;
if (argv[1].includes("fail")) { if (!quiet) console.error("boom: bad data"); process.exit(1); }
mkdirSync(out, { recursive: true });
const m = { model: "M", valid: { "hr@10": 0.5 }, test: { "hr@10": 0.5 } };
writeFileSync(join(out, "ranks.json"), JSON.stringify({ valid: [1, 20], test: [1, 20] }));
writeFileSync(join(out, "metrics.json"), JSON.stringify(m));
if (!quiet) console.log(JSON.stringify(m));
`;

const withFlags = (jobs: readonly Omit<StudyJob, "flags">[], flags: RunFlags): StudyJob[] => jobs.map((j) => ({ ...j, flags }));

describe("study: the local runner (fake run command)", () => {
  let dir = "";
  let cli = "";
  let log = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ablate-runner-"));
    cli = join(dir, "fake.mjs");
    log = join(dir, "calls.jsonl");
    writeFileSync(cli, FAKE);
    writeFileSync(log, "");
    process.env["FAKE_LOG"] = log;
    for (const n of ["a", "b", "c", "fail"]) writeFileSync(join(dir, `${n}.rec`), `// ${n}\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const calls = (): string[][] => readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]);

  it("passes the same data, format, epochs and seed to every run", () => {
    assert.deepEqual(runArgs({ id: "x", specFile: "x.rec", flags: { data: "d.dat", format: "ml100k", epochs: 1, seed: 3 } }, "out/runs/x"),
      ["run", "x.rec", "--json", "--out", "out/runs/x", "--data", "d.dat", "--format", "ml100k", "--epochs", "1", "--seed", "3"]);
    assert.deepEqual(runArgs({ id: "x", specFile: "x.rec", flags: {} }, "o"), ["run", "x.rec", "--json", "--out", "o"]);
    assert.deepEqual(runArgs({ id: "x", specFile: "x.rec", flags: {} }, "o", true), ["run", "x.rec", "--json", "--out", "o", "--resume"]);
  });

  it("runs N at a time, reports failures with the log tail, skips finished runs and reruns stale ones", async () => {
    const runs = join(dir, "runs");
    const jobs = withFlags(["a", "b", "c", "fail"].map((id) => ({ id, specFile: join(dir, `${id}.rec`) })), { epochs: 1 });
    const runner = localRunner({ entry: cli });
    const seen: JobResult[] = [];
    const r1 = await runner.run(jobs, runs, { jobs: 2, onDone: (r) => seen.push(r) });
    assert.deepEqual(r1.map((r) => r.status), ["done", "done", "done", "failed"]);
    assert.equal(seen.length, 4);
    assert.match(r1[3]!.error!, /^exit 1 \(log: .*fail\.log\)\nboom: bad data$/);
    assert.equal(calls().length, 4);
    assert.ok(calls().every((c) => c.includes("--epochs") && c.includes("--json")));
    for (const id of ["a", "b", "c"]) assert.ok(existsSync(join(runs, id, "metrics.json")) && existsSync(join(runs, `${id}.json`)));

    // Resume: finished runs are skipped, the failed one is tried again.
    writeFileSync(log, "");
    const r2 = await runner.run(jobs, runs, { jobs: 2 });
    assert.deepEqual(r2.map((r) => r.status), ["skipped", "skipped", "skipped", "failed"]);
    assert.deepEqual(calls().map((c) => c[1]), [join(dir, "fail.rec")]);

    // A changed spec (or budget) makes its finished run stale: moved aside and rerun.
    writeFileSync(log, "");
    writeFileSync(join(dir, "b.rec"), "// b, edited\n");
    const r3 = await runner.run(jobs.slice(0, 3), runs, { jobs: 1 });
    assert.deepEqual(r3.map((r) => r.status), ["skipped", "done", "skipped"]);
    assert.equal(r3[1]!.staleMoved, join(runs, "b.stale"));
    assert.ok(existsSync(join(runs, "b.stale", "metrics.json")));
    const r4 = await runner.run(withFlags(jobs.slice(0, 1), { epochs: 2 }), runs, { jobs: 1 });
    assert.deepEqual(r4.map((r) => r.status), ["done"]);
  });

  it("with resumeUnfinished, continues a run folder left with a checkpoint; onStart sees each run's arguments", async () => {
    const runs = join(dir, "runs");
    for (const id of ["a", "b"]) {
      mkdirSync(join(runs, id), { recursive: true });
      writeFileSync(join(runs, id, "checkpoint.json"), "{}");
    }
    const started: string[][] = [];
    const job = (id: string): StudyJob => ({ id, specFile: join(dir, `${id}.rec`), flags: {} });
    const r = await localRunner({ entry: cli }).run([job("a")], runs, { jobs: 1, resumeUnfinished: true, onStart: (_, args) => started.push([...args]) });
    assert.deepEqual(r.map((x) => x.status), ["done"]);
    assert.deepEqual(started, [["run", join(dir, "a.rec"), "--json", "--out", join(runs, "a"), "--resume"]]);
    await localRunner({ entry: cli }).run([job("b")], runs, { jobs: 1 });
    assert.deepEqual(calls().map((c) => c.includes("--resume")), [true, false]);
    // A run that failed before its first checkpoint left only its status: it is started over through --resume too.
    mkdirSync(join(runs, "c"), { recursive: true });
    writeFileSync(join(runs, "c", "status.json"), JSON.stringify({ state: "failed" }));
    await localRunner({ entry: cli }).run([job("c")], runs, { jobs: 1, resumeUnfinished: true });
    assert.deepEqual(calls().map((c) => c.includes("--resume")), [true, false, true]);
  });

  it("with output inherit, writes no log, and a failed run's error is its exit", async () => {
    const runs = join(dir, "runs");
    const runner = localRunner({ entry: cli, output: "inherit", env: { ...process.env, FAKE_QUIET: "1" } });
    const r = await runner.run([{ id: "fail", specFile: join(dir, "fail.rec"), flags: {} }], runs, { jobs: 1 });
    assert.equal(r[0]!.status, "failed");
    assert.equal(r[0]!.exitCode, 1);
    assert.equal(r[0]!.error, "exit 1");
    assert.ok(!existsSync(join(runs, "fail.log")));
  });
});

/**
 * A stand-in run that records its thread settings; a "slow" one waits until its threads file says 4.
 * With FAKE_SYNC set, a "fast" one finishes only once the slow one has read its first setting, so
 * that a loaded machine starting the slow process late cannot skip that reading.
 */
const FAKE_THREADS = `
import { mkdirSync, writeFileSync, appendFileSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
const argv = process.argv.slice(2);
const out = argv[argv.indexOf("--out") + 1];
const file = process.env.REC_THREADS_FILE;
const seen = [];
if (argv[1].includes("slow")) {
  const t0 = Date.now();
  while (Date.now() - t0 < 20000) {
    const v = file && existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    if (v && seen[seen.length - 1] !== v) {
      seen.push(v);
      if (process.env.FAKE_SYNC) writeFileSync(process.env.FAKE_SYNC, v);
    }
    if (v === "4") break;
    await new Promise((r) => setTimeout(r, 20));
  }
}
if (argv[1].includes("fast") && process.env.FAKE_SYNC) {
  const t0 = Date.now();
  while (!existsSync(process.env.FAKE_SYNC) && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 20));
}
appendFileSync(process.env.FAKE_LOG, JSON.stringify({ spec: argv[1], threads: process.env.REC_THREADS ?? null, file: file ?? null, seen }) + "\\n");
mkdirSync(out, { recursive: true });
const m = { model: "M", valid: { "hr@10": 0.5 }, test: { "hr@10": 0.5 } };
writeFileSync(join(out, "ranks.json"), JSON.stringify({ valid: [1], test: [1] }));
writeFileSync(join(out, "metrics.json"), JSON.stringify(m));
`;

describe("study: sharing the cores between parallel runs", () => {
  let dir = "";
  let cli = "";
  let log = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ablate-threads-"));
    cli = join(dir, "fake.mjs");
    log = join(dir, "calls.jsonl");
    writeFileSync(cli, FAKE_THREADS);
    writeFileSync(log, "");
    for (const n of ["slow", "fast"]) writeFileSync(join(dir, `${n}.rec`), `// ${n}\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  type Call = { spec: string; threads: string | null; file: string | null; seen: string[] };
  const calls = (): Call[] => readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Call);
  const jobs = (): StudyJob[] => ["slow", "fast"].map((id) => ({ id, specFile: join(dir, `${id}.rec`), flags: {} }));

  it("threadShare: cores split evenly, at least one each", () => {
    assert.equal(threadShare(4, 2), 2);
    assert.equal(threadShare(2, 3), 1);
    assert.equal(threadShare(5, 2), 2);
    assert.equal(threadShare(8, 0), 8);
  });

  it("gives a run the cores a finished run hands back, through its threads file", async () => {
    const runs = join(dir, "runs");
    const runner = localRunner({ entry: cli, cores: 4, env: { ...process.env, FAKE_LOG: log, FAKE_SYNC: join(dir, "slow-read"), REC_THREADS: undefined } });
    const r = await runner.run(jobs(), runs, { jobs: 2 });
    assert.deepEqual(r.map((x) => x.status), ["done", "done"]);
    const [slow, fast] = [calls().find((c) => c.spec.includes("slow"))!, calls().find((c) => c.spec.includes("fast"))!];
    assert.equal(fast.threads, "2", "the second run starts with half the cores");
    assert.equal(slow.file, threadsFile(runs, "slow"));
    assert.deepEqual(slow.seen, ["2", "4"], "the first run is told 2 while both run, then 4");
    assert.ok(!existsSync(threadsFile(runs, "slow")) && !existsSync(threadsFile(runs, "fast")), "threads files are removed");
  });

  it("leaves an explicit REC_THREADS alone, and one run at a time uses every core", async () => {
    const env = { ...process.env, FAKE_LOG: log, REC_THREADS: "3" };
    await localRunner({ entry: cli, cores: 4, env }).run(jobs().slice(1), join(dir, "runs"), { jobs: 2 });
    await localRunner({ entry: cli, cores: 4, env: { ...env, REC_THREADS: undefined } }).run([{ id: "fast2", specFile: join(dir, "fast.rec"), flags: {} }], join(dir, "runs"), { jobs: 1 });
    assert.deepEqual(calls().map((c) => [c.threads, c.file]), [["3", null], [null, null]]);
  });
});
