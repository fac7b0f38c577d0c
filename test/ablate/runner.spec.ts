import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { runAll, runArgs, workerEnv, type JobResult } from "../../src/ablate/runner.js";

/** A stand-in for `reccompile run`: records its argv, writes metrics.json + ranks.json; fails for specs named *fail*. */
const FAKE = `
import { mkdirSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
const argv = process.argv.slice(2);
const out = argv[argv.indexOf("--out") + 1];
appendFileSync(process.env.FAKE_LOG, JSON.stringify(argv) + "\\n");
if (argv[1].includes("fail")) { console.error("boom: bad data"); process.exit(1); }
mkdirSync(out, { recursive: true });
const m = { model: "M", valid: { "hr@10": 0.5 }, test: { "hr@10": 0.5 } };
writeFileSync(join(out, "ranks.json"), JSON.stringify({ valid: [1, 20], test: [1, 20] }));
writeFileSync(join(out, "metrics.json"), JSON.stringify(m));
console.log(JSON.stringify(m));
`;

describe("ablate: runner (fake run command)", () => {
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
    assert.deepEqual(runArgs({ id: "x", specFile: "x.rec" }, "out/runs/x", { data: "d.dat", format: "ml100k", epochs: 1, seed: 3 }),
      ["run", "x.rec", "--json", "--out", "out/runs/x", "--data", "d.dat", "--format", "ml100k", "--epochs", "1", "--seed", "3"]);
    assert.deepEqual(runArgs({ id: "x", specFile: "x.rec" }, "o", {}), ["run", "x.rec", "--json", "--out", "o"]);
  });

  it("runs N at a time, reports failures with the log tail, skips finished runs and reruns stale ones", async () => {
    const runs = join(dir, "runs");
    const jobs = ["a", "b", "c", "fail"].map((id) => ({ id, specFile: join(dir, `${id}.rec`) }));
    const seen: JobResult[] = [];
    const r1 = await runAll(jobs, runs, { epochs: 1 }, 2, (r) => seen.push(r), cli);
    assert.deepEqual(r1.map((r) => r.status), ["done", "done", "done", "failed"]);
    assert.equal(seen.length, 4);
    assert.match(r1[3]!.error!, /^exit 1 \(log: .*fail\.log\)\nboom: bad data$/);
    assert.equal(calls().length, 4);
    assert.ok(calls().every((c) => c.includes("--epochs") && c.includes("--json")));
    for (const id of ["a", "b", "c"]) assert.ok(existsSync(join(runs, id, "metrics.json")) && existsSync(join(runs, `${id}.json`)));

    // Resume: finished runs are skipped, the failed one is tried again.
    writeFileSync(log, "");
    const r2 = await runAll(jobs, runs, { epochs: 1 }, 2, () => undefined, cli);
    assert.deepEqual(r2.map((r) => r.status), ["skipped", "skipped", "skipped", "failed"]);
    assert.deepEqual(calls().map((c) => c[1]), [join(dir, "fail.rec")]);

    // A changed spec (or budget) makes its finished run stale: moved aside and rerun.
    writeFileSync(log, "");
    writeFileSync(join(dir, "b.rec"), "// b, edited\n");
    const r3 = await runAll(jobs.slice(0, 3), runs, { epochs: 1 }, 1, () => undefined, cli);
    assert.deepEqual(r3.map((r) => r.status), ["skipped", "done", "skipped"]);
    assert.equal(r3[1]!.staleMoved, join(runs, "b.stale"));
    assert.ok(existsSync(join(runs, "b.stale", "metrics.json")));
    const r4 = await runAll(jobs.slice(0, 1), runs, { epochs: 2 }, 1, () => undefined, cli);
    assert.deepEqual(r4.map((r) => r.status), ["done"]);
  });
});

describe("workerEnv", () => {
  it("splits the cores between parallel workers unless REC_THREADS is set", () => {
    assert.equal(workerEnv(1, { PATH: "x" }).REC_THREADS, undefined);
    assert.equal(workerEnv(2, { PATH: "x" }).REC_THREADS, String(Math.max(1, Math.floor(availableParallelism() / 2))));
    assert.equal(workerEnv(64, {}).REC_THREADS, "1");
    assert.equal(workerEnv(2, { REC_THREADS: "3" }).REC_THREADS, "3");
  });
});
