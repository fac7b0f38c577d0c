/**
 * The Slurm executor on a real cluster (scripts/slurm-local.sh starts a one-node one; .ci/run does
 * before the tests). Skipped, with the reason printed, where sbatch is absent or the cluster does not
 * answer. Tiny budgets: the fixture spec's six runs take seconds each.
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { localRunner } from "../../../src/app/study/local.js";
import { onPath, slurmRunner } from "../../../src/app/study/slurm.js";
import { packageRoot } from "../../../src/util/paths.js";

const root = packageRoot();
const fixture = join(root, "test", "app", "study", "fixtures", "tiny.rec");

/** Why the cluster tests cannot run here, or null. */
const noCluster = (): string | null => {
  if (!onPath("sbatch")) return "sbatch is not on PATH (install slurm-wlm and munge, then run scripts/slurm-local.sh as root)";
  const r = spawnSync("sinfo", ["--noheader", "--format=%t"], { encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) return `the cluster does not answer (sinfo: ${(r.stderr || r.error?.message || "").trim()}); start it with scripts/slurm-local.sh`;
  if (!/idle|mix|alloc/.test(r.stdout)) return `no node takes work (sinfo: ${r.stdout.trim()})`;
  return null;
};

/**
 * Why the node is not free for these tests, or null: they need it to themselves (each waits for its
 * own tasks with a time limit), so every queued or running job that is not held would make them wait
 * and fail, after those limits, for a reason that is not theirs. Reported at once instead.
 */
const busyCluster = (): string | null => {
  const r = spawnSync("squeue", ["--noheader", "--array", "--format=%i|%T|%r|%o"], { encoding: "utf8", timeout: 20_000 });
  const others = r.stdout.split("\n").map((l) => l.trim().split("|")).filter(([id, , reason]) => id && !/^JobHeld/.test(reason ?? ""));
  if (others.length === 0) return null;
  return `the cluster is busy with ${others.length} other queued or running task(s), which the tests would wait behind: hold them `
    + "(scontrol hold / requeuehold) or start an empty queue (scripts/slurm-local.sh --fresh, which keeps the old one aside)\n"
    + others.slice(0, 20).map(([id, state, reason, script]) => `${id} ${state} (${reason}) ${script}`).join("\n");
};

/** A command's output, or why it could not be run (a diagnosis must not throw). */
const output = (cmd: string, args: readonly string[]): string => {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 20_000 });
  return r.error ? `(${cmd}: ${r.error.message})` : `${r.stdout}${r.stderr}`.trim();
};

/** The last `n` lines of a file, or nothing when it cannot be read. */
const lastLines = (file: string, n: number): string => {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return "";
  }
};

/** Every file under `d` whose name matches `re`. */
const filesUnder = (d: string, re: RegExp): string[] => {
  if (!existsSync(d)) return [];
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    if (name === ".code" || name === "node_modules") return [];
    return statSync(p).isDirectory() ? filesUnder(p, re) : re.test(name) ? [p] : [];
  });
};

/**
 * What the cluster and this spec's tasks were doing, for a failure's message: a test that times out
 * on a cluster that runs nothing (or runs it wrong) says why, not only that it waited.
 */
const clusterState = (dir: string): string => [
  `squeue:\n${output("squeue", ["--array", "--format=%i %T %r %M %o"])}`,
  `sinfo:\n${output("sinfo", ["--Node", "--format=%N %t %C %E"])}`,
  ...filesUnder(dir, /\.log$|^(slurm|follow-up)-.*\.out$/).map((f) => `${f}:\n${lastLines(f, 15)}`),
  ...["slurmctld", "slurmd"].map((d) => `/var/log/slurm/${d}.log:\n${lastLines(`/var/log/slurm/${d}.log`, 15)}`),
].join("\n\n");

/** The queued or running jobs whose batch script lies under `dir` (this spec's own). */
const jobsUnder = (dir: string): string[] => [...new Set(
  spawnSync("squeue", ["--noheader", "--format=%F|%o"], { encoding: "utf8" }).stdout.split("\n")
    .map((l) => l.trim().split("|")).filter(([id, script]) => id && script?.startsWith(dir)).map(([id]) => id!))];

/** Cancels this spec's jobs and waits (briefly) until squeue no longer lists them as active. */
const cancelJobsUnder = async (dir: string): Promise<void> => {
  const jobs = jobsUnder(dir);
  if (jobs.length === 0) return;
  spawnSync("scancel", jobs, { encoding: "utf8" });
  for (let i = 0; i < 120 && jobsUnder(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 250));
};

/** Through the CLI, killed after 10 minutes (a study of the fixture takes about one). */
const cli = (args: readonly string[], env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "cli", "reccompile.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 600_000, env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.error ? `${r.stderr}\n(${r.error.message})` : r.stderr };
};

/** The tasks of job `id` that squeue lists as queued or running (its default states). */
const inQueue = (id: string): string[] =>
  spawnSync("squeue", ["--noheader", "--array", `--jobs=${id}`, "--format=%i %T"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);

const tableRows = (file: string): string[] => readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("|"));

describe("study: the Slurm executor on a cluster", function () {
  this.timeout(900_000);
  let dir = "";
  let spec = "";
  /** Why the remaining tests are skipped: they share one cluster, and would wait behind what a failed one left. */
  let broken: string | null = null;

  const waitFor = async (what: string, ok: () => boolean, ms = 120_000): Promise<void> => {
    const t0 = Date.now();
    while (!ok()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}\n\n${clusterState(dir)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  /** The CLI's result, with the cluster's state when it failed. */
  const cliOk = (r: { code: number; stderr: string }): void =>
    assert.equal(r.code, 0, `${r.stderr}\n\n${r.code === 0 ? "" : clusterState(dir)}`);

  /** The fixture's base trained 6 epochs without interruption, locally on 1 thread (once). */
  let straight: Promise<string> | null = null;
  const straightRun = (): Promise<string> => (straight ??= (async () => {
    const out = join(dir, "straight");
    const [s] = await localRunner({ env: { ...process.env, REC_THREADS: "1" } }).run([{ id: "base", specFile: spec, flags: { epochs: 6 } }], out, { jobs: 1 });
    assert.equal(s!.status, "done", s!.error);
    return out;
  })());
  const assertSameAsStraight = async (runs: string): Promise<void> => {
    const other = await straightRun();
    const metrics = (d: string): unknown => {
      const m = JSON.parse(readFileSync(join(d, "base", "metrics.json"), "utf8")) as Record<string, unknown>;
      return { valid: m["valid"], test: m["test"], epochs: m["epochs"], best_epoch: m["best_epoch"] };
    };
    assert.deepEqual(metrics(runs), metrics(other));
    assert.deepEqual(JSON.parse(readFileSync(join(runs, "base", "ranks.json"), "utf8")), JSON.parse(readFileSync(join(other, "base", "ranks.json"), "utf8")));
  };

  before(function () {
    const why = noCluster() ?? busyCluster();
    if (why !== null) {
      // .ci/run starts an empty cluster and sets REC_REQUIRE_SLURM: there a missing or busy one is a failure, not a skip.
      if (process.env["REC_REQUIRE_SLURM"] === "1") throw new Error(`REC_REQUIRE_SLURM=1 but ${why}`);
      console.log(`      (skipped: ${why})`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), "slurm-study-"));
    spec = join(dir, "tiny.rec");
    copyFileSync(fixture, spec);
  });
  beforeEach(function () {
    if (broken === null) return;
    console.log(`      (skipped: ${broken})`);
    this.skip();
  });
  // A failed test's jobs are cancelled, so that nothing waits on them: not the next test (skipped
  // anyway), not an in-process runner still following them (which would keep mocha from exiting).
  afterEach(async function () {
    if (!dir || this.currentTest?.state !== "failed") return;
    broken = "an earlier cluster test failed (its jobs were cancelled)";
    await cancelJobsUnder(dir);
  });
  after(async () => {
    if (!dir) return;
    await cancelJobsUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it("--detach submits one job array and returns; the same command again collects the study, and its ablation.md equals the local executor's (1 thread each)", () => {
    const out = join(dir, "slurm");
    const args = ["ablate", spec, "--out", out, "--run", "--epochs", "2", "--executor", "slurm", "--slurm-cpus-per-task", "1"];
    const detached = cli([...args, "--detach"]);
    cliOk(detached);
    const job = /submitted Slurm job (\d+): 7 runs/.exec(detached.stderr)?.[1];
    assert.ok(job, detached.stderr);
    assert.match(detached.stdout, /7 runs queued or running/);
    assert.ok(!existsSync(join(out, "ablation.md")));
    const script = readFileSync(join(out, "runs", "submit-1.sbatch"), "utf8");
    assert.match(script, /^#SBATCH --array=0-6$/m);

    const collected = cli(args);
    cliOk(collected);
    assert.doesNotMatch(collected.stderr, /submitted Slurm job/, "a second invocation submits nothing while the tasks are queued or running");
    assert.equal((collected.stdout.match(/^\[\d\/7\] /gm) ?? []).length, 7, collected.stdout);
    assert.deepEqual(inQueue(job), []);

    const local = cli(["ablate", spec, "--out", join(dir, "local"), "--run", "--epochs", "2", "--jobs", "2"], { ...process.env, REC_THREADS: "1" });
    assert.equal(local.code, 0, local.stderr);
    const rows = tableRows(join(out, "ablation.md"));
    assert.equal(rows.length, 9, rows.join("\n"));
    assert.deepEqual(rows, tableRows(join(dir, "local", "ablation.md")));

    const again = cli(args);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stdout.match(/finished earlier, skipped/g) ?? []).length, 7, again.stdout);
    assert.doesNotMatch(again.stderr, /submitted/);
  });

  it("a task sent `scancel --signal=TERM` mid-run requeues itself, resumes, and ends with an uninterrupted run's metrics", async () => {
    const job = { id: "base", specFile: spec, flags: { epochs: 6 } };
    const runs = join(dir, "term");
    const notes: string[] = [];
    const study = slurmRunner({ resources: { cpusPerTask: 1 }, pollMs: 1000, log: { write: (t: string) => notes.push(t) } })
      .run([job], runs, { jobs: 1, resumeUnfinished: true });
    study.catch(() => undefined); // awaited below; not an unhandled rejection if a wait fails first
    await waitFor("the first epoch's checkpoint", () => existsSync(join(runs, "base", "checkpoint.json")));
    const id = /submitted Slurm job (\d+)/.exec(notes.join(""))![1]!;
    const sent = spawnSync("scancel", ["--signal=TERM", `${id}_0`], { encoding: "utf8" });
    assert.equal(sent.status, 0, sent.stderr);
    const [r] = await study;
    assert.equal(r!.status, "done", r!.error);
    const log = readFileSync(join(runs, "base.log"), "utf8");
    assert.match(log, /interrupted \(SIGTERM\)/);
    assert.match(log, /exit 143\n== preempted: requeueing/);
    assert.match(log, /\(restart 1\) on .*--resume/);

    await assertSameAsStraight(runs);
  });

  it("a node that dies mid-run: Slurm requeues the task, which resumes from the last checkpoint, to an uninterrupted run's metrics", async function () {
    const host = spawnSync("hostname", ["-s"], { encoding: "utf8" }).stdout.trim();
    const nodes = spawnSync("sinfo", ["--noheader", "--format=%n"], { encoding: "utf8" }).stdout.trim().split("\n");
    if (nodes.length !== 1 || nodes[0] !== host) {
      console.log(`      (skipped: takes the node down, so only on a one-node cluster of this host; sinfo lists ${nodes.join(", ")})`);
      this.skip();
    }
    const runs = join(dir, "node-down");
    const notes: string[] = [];
    const study = slurmRunner({ resources: { cpusPerTask: 1 }, pollMs: 1000, log: { write: (t: string) => notes.push(t) } })
      .run([{ id: "base", specFile: spec, flags: { epochs: 6 } }], runs, { jobs: 1, resumeUnfinished: true });
    study.catch(() => undefined); // awaited below; not an unhandled rejection if a wait fails first
    await waitFor("the first epoch's checkpoint", () => existsSync(join(runs, "base", "checkpoint.json")));
    try {
      const down = spawnSync("scontrol", ["update", `nodename=${host}`, "state=down", "reason=reccompile-test"], { encoding: "utf8" });
      assert.equal(down.status, 0, down.stderr);
    } finally {
      await new Promise((r) => setTimeout(r, 2000));
      // ReturnToService=2 may have brought it back already; then "resume" is refused, harmlessly.
      spawnSync("scontrol", ["update", `nodename=${host}`, "state=resume"]);
    }
    const [r] = await study;
    assert.equal(r!.status, "done", r!.error);
    const log = readFileSync(join(runs, "base.log"), "utf8");
    assert.match(log, /\(restart 1\) on .*--resume/);
    // The resumed attempt starts after the first epoch: at most the epoch in progress was lost.
    assert.doesNotMatch(log.slice(log.indexOf("(restart 1)")), /epoch 1\/6 loss/);
    await assertSameAsStraight(runs);
  });

  it("a failed task is reported with its log and exit reason; a follow-up job does not resubmit it; --retries resubmits it, continuing its run folder", async () => {
    // A stand-in for `reccompile run` that fails its first attempt at each run and succeeds at the next.
    const fake = join(dir, "flaky.mjs");
    writeFileSync(fake, `
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
const argv = process.argv.slice(2);
const out = argv[argv.indexOf("--out") + 1];
console.log("flaky: " + argv.join(" "));
if (!existsSync(join(out, "status.json"))) {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "status.json"), JSON.stringify({ state: "failed", message: "flaky: first attempt" }));
  console.error("flaky: failing the first attempt");
  process.exit(1);
}
writeFileSync(join(out, "ranks.json"), JSON.stringify({ valid: [1], test: [1] }));
writeFileSync(join(out, "metrics.json"), JSON.stringify({ valid: { "hr@10": 1 }, test: { "hr@10": 1 } }));
`);
    const job = { id: "base", specFile: spec, flags: { epochs: 1 } };
    const notes: string[] = [];
    const log = { write: (t: string) => notes.push(t) };
    const [failed] = await slurmRunner({ resources: {}, entry: fake, pollMs: 500, log }).run([job], join(dir, "fail"), { jobs: 1 });
    assert.equal(failed!.status, "failed");
    assert.match(failed!.error!, /^task \d+_0 FAILED, reason NonZeroExitCode, exit code 1; run: failed \(flaky: first attempt\) \(log: \S+\/fail\/base\.log\)\n/);
    assert.match(failed!.error!, /\nflaky: failing the first attempt(\n|$)/);
    // A follow-up job (noResubmit) reports the ended, unfinished run instead of submitting it again.
    const [stopped] = await slurmRunner({ resources: {}, entry: fake, pollMs: 500, detach: true, log }).run([job], join(dir, "fail"), { jobs: 1, noResubmit: true });
    assert.equal(stopped!.status, "failed");
    assert.match(stopped!.error!, /^task \d+_0 ended without finishing the run; a follow-up job does not submit it again \(log: \S+\/fail\/base\.log\)\n/);
    assert.ok(!existsSync(join(dir, "fail", "submit-2.sbatch")));

    const [retried] = await slurmRunner({ resources: {}, entry: fake, pollMs: 500, retries: 1, log }).run([job], join(dir, "retry"), { jobs: 1 });
    assert.equal(retried!.status, "done", retried!.error);
    assert.match(notes.join(""), /base: failed \(FAILED, reason NonZeroExitCode, exit code 1\); resubmitting, retry 1 of 1/);
    assert.ok(existsSync(join(dir, "retry", "submit-2.sbatch")));
    assert.match(readFileSync(join(dir, "retry", "base.log"), "utf8"), /flaky: run \S+ --json --out \S+ --epochs 1 --resume\n/);
  });

  it("Ctrl-C cancels the study's jobs (scancel), says so, and leaves nothing in squeue", async () => {
    const out = join(dir, "ctrl-c");
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "cli", "reccompile.ts"), "ablate", spec, "--out", out, "--run", "--epochs", "20", "--executor", "slurm"],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? -1)));
    await waitFor("the submission", () => /submitted Slurm job \d+/.test(stderr));
    const job = /submitted Slurm job (\d+)/.exec(stderr)![1]!;
    await waitFor("a running task", () => existsSync(join(out, "runs", "base", "status.json")) || existsSync(join(out, "runs", "no-layernorm", "status.json")));
    child.kill("SIGINT");
    const code = await exited;
    assert.equal(code, 1, stderr);
    assert.match(stderr, new RegExp(`cancelled Slurm job ${job} \\(scancel\\); squeue lists none of its tasks`));
    assert.deepEqual(inQueue(job), []);
    // Nor does a task that was stopping requeue itself afterwards.
    await new Promise((r) => setTimeout(r, 5000));
    assert.deepEqual(inQueue(job), []);
  });

  it("tune --detach goes on by itself: follow-up jobs collect each rung and submit the next until best.rec is written, with the local executor's leaderboard", async () => {
    const tuneSpec = join(dir, "tiny-tune.rec");
    copyFileSync(join(root, "test", "app", "study", "fixtures", "tiny-tune.rec"), tuneSpec);
    const out = join(dir, "tune-slurm");
    const detached = cli(["tune", tuneSpec, "--out", out, "--executor", "slurm", "--slurm-cpus-per-task", "1", "--detach"]);
    cliOk(detached);
    assert.match(detached.stdout, /4 runs of rung 1 queued or running; submitted follow-up Slurm job \d+: when job \d+ has ended it runs this command again/);
    await waitFor("the study to reach its end by itself (best.rec)", () => existsSync(join(out, "best.rec")), 480_000);
    const follow = join(out, "runs");
    // One follow-up per rung: rungs 1 and 2 each submitted the next rung and the next follow-up; rung 3's wrote the report.
    const outputs = readdirSync(follow).filter((f) => /^follow-up-\d+\.out$/.test(f)).sort();
    assert.equal(outputs.length, 3, outputs.join(", "));
    const texts = outputs.map((f) => readFileSync(join(follow, f), "utf8"));
    assert.ok(texts.some((t) => /2 runs of rung 2 queued or running; submitted follow-up Slurm job/.test(t)), texts.join("\n---\n"));
    assert.ok(texts.some((t) => /^best: t\d+ .*wrote \S+best\.rec$/m.test(t)), texts.join("\n---\n"));
    await waitFor("the last follow-up to leave the queue", () => jobsUnder(follow).length === 0);

    const local = cli(["tune", tuneSpec, "--out", join(dir, "tune-local"), "--jobs", "2"], { ...process.env, REC_THREADS: "1" });
    assert.equal(local.code, 0, local.stderr);
    assert.deepEqual(tableRows(join(out, "tune.md")), tableRows(join(dir, "tune-local", "tune.md")));
  });

  it("slurm-local.sh --fresh sets the queue aside and stops its running task; --restore brings it back, requeues that task and gives it the cores before the job queued behind it", async function () {
    if (process.getuid?.() !== 0) this.skip(); // the script restarts the daemons: root only (as in CI)
    const script = join(root, "scripts", "slurm-local.sh");
    const starts = join(dir, "fresh-restore.starts");
    const behindStarts = join(dir, "fresh-restore-behind.starts");
    const started = (f = starts): number => (existsSync(f) ? readFileSync(f, "utf8").split("\n").filter(Boolean).length : 0);
    const submit = (cpusPerTask: number, file: string, sleep: string): string => {
      const sub = spawnSync("sbatch", ["--parsable", "--requeue", "--ntasks=1", `--cpus-per-task=${cpusPerTask}`, `--output=${join(dir, "fresh-restore-%j.out")}`,
        `--wrap=echo started >> ${file}; sleep ${sleep}`], { encoding: "utf8" });
      assert.equal(sub.status, 0, sub.stderr);
      return sub.stdout.trim().split(";")[0]!;
    };
    // The task takes every core, so a one-core job queued after it waits behind it.
    const job = submit(cpus().length, starts, "599.25");
    const behind = submit(1, behindStarts, "599.5");
    try {
      await waitFor("the task to start", () => started() === 1);
      const fresh = spawnSync("bash", [script, "--fresh"], { encoding: "utf8", timeout: 120_000 });
      assert.equal(fresh.status, 0, `${fresh.stdout}${fresh.stderr}`);
      const saved = /set aside in (\S+)/.exec(fresh.stdout)?.[1];
      assert.ok(saved && existsSync(join(saved, "slurmctld")), fresh.stdout);
      assert.match(fresh.stdout, /stopped \d+ processes of running tasks/);
      assert.deepEqual([...inQueue(job), ...inQueue(behind)], [], "an empty queue");
      assert.equal(spawnSync("pgrep", ["-f", "sleep 599.25"]).status, 1, "the task's processes are gone");

      const restore = spawnSync("bash", [script, "--restore", saved], { encoding: "utf8", timeout: 240_000 });
      assert.equal(restore.status, 0, `${restore.stdout}${restore.stderr}`);
      assert.match(restore.stdout, new RegExp(`requeued the tasks that had been stopped: ${job}\\b`));
      assert.match(restore.stdout, new RegExp(`held the jobs queued behind them until they ran again: ${behind}\\b`));
      assert.ok(!existsSync(saved), "the restored folder is moved back, not copied");
      // The empty queue that --fresh started, set aside in turn: this test's to remove.
      const emptied = /set aside in (\S+)/.exec(restore.stdout)?.[1];
      if (emptied) rmSync(emptied, { recursive: true, force: true });
      await waitFor("the requeued task to start again", () => started() === 2, 180_000);
      // Without the hold, the job behind would have taken a core in the seconds the requeued task waited, and the task would wait for it.
      assert.equal(started(behindStarts), 0, "the job queued behind it did not start first");
      const reason = spawnSync("squeue", ["--noheader", "--jobs", behind, "--format=%T %r"], { encoding: "utf8" }).stdout.trim();
      assert.match(reason, /^PENDING /, reason);
      assert.doesNotMatch(reason, /JobHeld/, `released again: pending for the cores, not held (${reason})`);
    } finally {
      spawnSync("scancel", [job, behind]); // their scripts are not under `dir`: the hooks' cancel would miss them
    }
    await waitFor("the jobs to leave the queue", () => inQueue(job).length === 0 && inQueue(behind).length === 0);
  });
});
