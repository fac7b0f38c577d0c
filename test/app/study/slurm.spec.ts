/**
 * The Slurm executor without a cluster: the sbatch script (its lines that matter, and its behaviour
 * under bash with stand-ins for srun and scontrol), the parsing of squeue and scontrol, and the
 * executor flags' user errors. The cluster tests are in slurm_cluster.spec.ts.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { studyRunner } from "../../../src/app/study/executor.js";
import { fingerprint, runArgs } from "../../../src/app/study/runner.js";
import {
  cancelMarker, exitReason, expandIndices, FOLLOW_UP_ENV, hasEnded, parseScontrolJob, parseSqueue, renderFollowUpScript, renderSbatchScript, shellQuote, splitExtra, type ScriptInput,
} from "../../../src/app/study/slurm_script.js";
import { UserError } from "../../../src/util/errors.js";
import { packageRoot } from "../../../src/util/paths.js";

const input = (over: Partial<ScriptInput> = {}): ScriptInput => ({
  jobName: "reccompile-study",
  runsDir: "/shared/study/runs",
  workDir: "/shared/project",
  command: ["/usr/bin/node", "/opt/reccompile/dist/cli/reccompile.js"],
  tasks: [
    { id: "base", args: ["run", "specs/m.rec", "--json", "--out", "/shared/study/runs/base", "--epochs", "8"] },
    { id: "no-ffn", args: ["run", "/shared/study/m--no-ffn.rec", "--json", "--out", "/shared/study/runs/no-ffn", "--epochs", "8"] },
  ],
  resources: {},
  origin: "reccompile ablate specs/m.rec --run --executor slurm",
  ...over,
});

const lines = (s: string): string[] => s.split("\n");

describe("study: the Slurm executor's sbatch script", () => {
  it("is one job array, one task per run, requeueable, warned before the time limit, logging beside the runs", () => {
    const s = renderSbatchScript(input());
    const l = lines(s);
    assert.equal(l[0], "#!/bin/bash");
    for (const d of ["--array=0-1", "--requeue", "--signal=TERM@120", "--cpus-per-task=1", "--ntasks=1", "--chdir=/shared/project",
      "--output=/shared/study/runs/slurm-%A_%a.out", "--open-mode=append", "--job-name=reccompile-study"]) {
      assert.ok(l.includes(`#SBATCH ${d}`), d);
    }
    assert.ok(!s.includes("--partition") && !s.includes("--time") && !s.includes("--mem") && !s.includes("--gpus"));
    assert.ok(l.includes("  0) id=base; args=(run specs/m.rec --json --out /shared/study/runs/base --epochs 8) ;;"));
    assert.ok(l.includes("  1) id=no-ffn; args=(run /shared/study/m--no-ffn.rec --json --out /shared/study/runs/no-ffn --epochs 8) ;;"));
    assert.ok(l.includes('export REC_THREADS="${SLURM_CPUS_PER_TASK:-1}"'));
    assert.match(s, /\nsrun --ntasks=1 --cpus-per-task="\$\{SLURM_CPUS_PER_TASK:-1\}" \/usr\/bin\/node \/opt\/reccompile\/dist\/cli\/reccompile\.js "\$\{args\[@\]\}" "\$\{resume\[@\]\}" >> "\$log" 2>&1 &\n/);
    assert.match(s, /scontrol requeue "\$\{SLURM_ARRAY_JOB_ID\}_\$\{SLURM_ARRAY_TASK_ID\}"/);
    assert.match(s, new RegExp(`\\$runs/${cancelMarker("")}\\$\\{SLURM_ARRAY_JOB_ID\\}`));
    assert.match(s, /^# Written by: reccompile ablate specs\/m\.rec --run --executor slurm$/m);
  });

  it("carries the --slurm-* resources, the raw extra flags one option a line, and the thread count", () => {
    const s = renderSbatchScript(input({ resources: { partition: "gpu", time: "2:00:00", cpusPerTask: 8, mem: "16G", gpus: "1", extra: "--qos high --account=proj 'a b'", warnSeconds: 300 } }));
    const l = lines(s);
    for (const d of ["--partition=gpu", "--time=2:00:00", "--cpus-per-task=8", "--mem=16G", "--gpus=1", "--qos high", "--account=proj a b", "--signal=TERM@300"]) {
      assert.ok(l.includes(`#SBATCH ${d}`), d);
    }
    assert.ok(l.includes('export REC_THREADS="${SLURM_CPUS_PER_TASK:-8}"'));
  });

  it("a follow-up: one core after the study's jobs end (afterany), the study's partition, time and extra flags but no GPU or memory, its command run again marked as a follow-up", () => {
    const s = renderFollowUpScript({
      jobName: "reccompile-tune-runs-follow-up", runsDir: "/shared/tune/runs", workDir: "/shared/project", after: ["41", "43"],
      command: ["/usr/bin/node", "/shared/tune/runs/.code/ab12/dist/cli/reccompile.js", "tune", "specs/my spec.rec", "--executor", "slurm", "--detach"],
      resources: { partition: "gpu", time: "1:00:00", cpusPerTask: 8, mem: "16G", gpus: "1", extra: "--account=proj" }, origin: "reccompile tune specs/my spec.rec",
    });
    const l = lines(s);
    for (const d of ["--dependency=afterany:41:43", "--chdir=/shared/project", "--output=/shared/tune/runs/follow-up-%j.out", "--ntasks=1", "--cpus-per-task=1",
      "--partition=gpu", "--time=1:00:00", "--account=proj", "--job-name=reccompile-tune-runs-follow-up"]) {
      assert.ok(l.includes(`#SBATCH ${d}`), d);
    }
    assert.ok(!s.includes("--gpus") && !s.includes("--mem") && !s.includes("--array") && !s.includes("--requeue"));
    assert.ok(l.includes(`export ${FOLLOW_UP_ENV}=1`));
    assert.ok(l.includes("exec /usr/bin/node /shared/tune/runs/.code/ab12/dist/cli/reccompile.js tune 'specs/my spec.rec' --executor slurm --detach"));
  });

  it("quotes arguments for bash", () => {
    assert.equal(shellQuote("specs/a-b_c.rec"), "specs/a-b_c.rec");
    assert.equal(shellQuote("my spec's.rec"), "'my spec'\\''s.rec'");
    assert.equal(shellQuote("$HOME"), "'$HOME'");
    assert.deepEqual(splitExtra("--exclusive -C haswell --comment \"two words\""), ["--exclusive", "-C haswell", "--comment two words"]);
  });

  describe("under bash, with stand-ins for srun and scontrol", () => {
    let dir = "";
    let runs = "";
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "sbatch-script-"));
      runs = join(dir, "runs");
      mkdirSync(join(dir, "bin"), { recursive: true });
      mkdirSync(runs);
      // srun: drops its own options and runs the command; scontrol: records its arguments.
      writeFileSync(join(dir, "bin", "srun"), '#!/bin/bash\nwhile [[ "$1" == --* ]]; do shift; done\nexec "$@"\n');
      writeFileSync(join(dir, "bin", "scontrol"), `#!/bin/bash\necho "$*" >> ${dir}/scontrol.txt\n`);
      // The run: records its arguments and REC_THREADS, then exits with $RUN_EXIT (143: stopped by SIGTERM).
      writeFileSync(join(dir, "bin", "fake-run"), `#!/bin/bash\necho "args: $* threads: $REC_THREADS"\nmkdir -p ${runs}/base\necho '{}' > ${runs}/base/status.json\n[ "$RUN_EXIT" = 0 ] && echo '{}' > ${runs}/base/metrics.json\nexit $RUN_EXIT\n`);
      for (const f of ["srun", "scontrol", "fake-run"]) chmodSync(join(dir, "bin", f), 0o755);
      writeFileSync(join(dir, "job.sh"), renderSbatchScript(input({ runsDir: runs, workDir: dir, command: [join(dir, "bin", "fake-run")], tasks: [{ id: "base", args: ["run", "m.rec", "--out", join(runs, "base")] }], resources: { cpusPerTask: 3 } })));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const task = (exit: number, env: Record<string, string> = {}): number => spawnSync("bash", [join(dir, "job.sh")], {
      cwd: dir, encoding: "utf8",
      env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env["PATH"]}`, SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_JOB_ID: "41", SLURM_CPUS_PER_TASK: "3", RUN_EXIT: String(exit), ...env },
    }).status ?? -1;
    const log = (): string => readFileSync(join(runs, "base.log"), "utf8");
    const scontrol = (): string => (existsSync(join(dir, "scontrol.txt")) ? readFileSync(join(dir, "scontrol.txt"), "utf8") : "");

    it("a run stopped by SIGTERM (exit 143) requeues its task; the requeued task resumes; a finished run exits at once", () => {
      assert.equal(task(143), 0);
      assert.match(log(), /args: run m\.rec --out \S+ threads: 3\n/);
      assert.equal(scontrol(), "requeue 41_0\n");
      assert.equal(task(0), 0);
      assert.match(log(), /args: run m\.rec --out \S+ --resume threads: 3\n/);
      assert.equal(task(0), 0);
      assert.match(log(), /base: finished earlier\n$/);
      assert.equal(scontrol(), "requeue 41_0\n");
    });

    it("removes a lock that an earlier attempt left in the run folder (a node that died), and says so", () => {
      mkdirSync(join(runs, "base"));
      writeFileSync(join(runs, "base", ".lock"), '{"host":"node7","pid":4242}');
      assert.equal(task(0), 0);
      assert.ok(!existsSync(join(runs, "base", ".lock")));
      assert.match(log(), /== removing the run folder's lock left by an earlier attempt: \{"host":"node7","pid":4242\}\n/);
    });

    it("a failed run's task fails with its exit code, not requeued; a cancelled study's task does not requeue itself", () => {
      assert.equal(task(1), 1);
      assert.equal(scontrol(), "");
      writeFileSync(join(runs, cancelMarker("41")), "");
      assert.equal(task(143), 143);
      assert.equal(scontrol(), "");
    });
  });
});

describe("study: reading squeue and scontrol", () => {
  it("expands array indices as squeue prints them", () => {
    assert.deepEqual(expandIndices("3"), [3]);
    assert.deepEqual(expandIndices("[0-3,7]"), [0, 1, 2, 3, 7]);
    assert.deepEqual(expandIndices("[4-6%2]"), [4, 5, 6]);
    assert.deepEqual(expandIndices("[0-6:3]"), [0, 3, 6]);
  });

  it("parses squeue lines into tasks, one per array index; an end state is an end", () => {
    const tasks = parseSqueue("12|0|RUNNING|None\n12|[1-2]|PENDING|Resources\n12|3|COMPLETED|None\n13|N/A|RUNNING|None\n\n");
    assert.deepEqual(tasks.map((t) => `${t.jobId}_${t.index} ${t.state} ${t.reason}`), ["12_0 RUNNING None", "12_1 PENDING Resources", "12_2 PENDING Resources", "12_3 COMPLETED None"]);
    for (const s of ["COMPLETED", "FAILED", "CANCELLED", "CANCELLED+", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY"]) assert.ok(hasEnded(s), s);
    for (const s of ["PENDING", "RUNNING", "COMPLETING", "REQUEUED", "REQUEUE_HOLD", "CONFIGURING", "SUSPENDED"]) assert.ok(!hasEnded(s), s);
  });

  it("reads how a task ended from scontrol show job", () => {
    const text = `JobId=44 ArrayJobId=41 ArrayTaskId=3 JobName=reccompile-study
   UserId=root(0) GroupId=root(0) MCS_label=N/A
   JobState=FAILED Reason=NonZeroExitCode Dependency=(null)
   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=1:0
   StdOut=/shared/study/runs/slurm-41_3.out
`;
    const f = parseScontrolJob(text);
    assert.equal(f["JobState"], "FAILED");
    assert.equal(f["ArrayTaskId"], "3");
    assert.equal(exitReason(f), "FAILED, reason NonZeroExitCode, exit code 1");
    assert.equal(exitReason(parseScontrolJob("JobState=CANCELLED Reason=None ExitCode=0:15")), "CANCELLED, signal 15");
    assert.equal(exitReason(parseScontrolJob("slurm_load_jobs error: Invalid job id specified")), "");
  });
});

describe("study: the run flags of every executor", () => {
  it("pass --backend to each run; fingerprints of runs without it are those recorded before it was a flag", () => {
    const dir = mkdtempSync(join(tmpdir(), "fingerprint-"));
    try {
      const specFile = join(dir, "m.rec");
      writeFileSync(specFile, "// m\n");
      const job = { id: "x", specFile, flags: { epochs: 2 } };
      assert.deepEqual(runArgs({ ...job, flags: { epochs: 2, backend: "webgpu" } }, "o"), ["run", specFile, "--json", "--out", "o", "--epochs", "2", "--backend", "webgpu"]);
      const before = createHash("sha256").update(readFileSync(specFile)).update(JSON.stringify([null, null, 2, null])).digest("hex");
      assert.equal(fingerprint(job), before);
      assert.notEqual(fingerprint({ ...job, flags: { epochs: 2, backend: "webgpu" } }), before);
      // max_len (npm run reproduce -- video-games: 50) passes through and changes the fingerprint; absent, it leaves it as it was.
      assert.deepEqual(runArgs({ ...job, flags: { epochs: 2, maxLen: 50 } }, "o"), ["run", specFile, "--json", "--out", "o", "--epochs", "2", "--max-len", "50"]);
      assert.notEqual(fingerprint({ ...job, flags: { epochs: 2, maxLen: 50 } }), before);
      assert.notEqual(fingerprint({ ...job, flags: { epochs: 2, maxLen: 50 } }), fingerprint({ ...job, flags: { epochs: 2, maxLen: 40 } }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("study: choosing the executor", () => {
  const choice = { executor: "local" as const, slurm: {}, detach: false, origin: "test" };

  it("Slurm flags, --detach and --retries are mistakes with the local executor", () => {
    assert.throws(() => studyRunner("reccompile ablate", { ...choice, slurm: { time: "10" } }), (e: unknown) => e instanceof UserError && /--slurm-time only applies with --executor slurm/.test(e.message));
    assert.throws(() => studyRunner("reccompile ablate", { ...choice, slurm: { mem: "1G", gpus: "1" } }), /--slurm-mem, --slurm-gpus only apply with --executor slurm/);
    assert.throws(() => studyRunner("reccompile ablate", { ...choice, detach: true }), /--detach only applies with --executor slurm/);
    assert.throws(() => studyRunner("reccompile ablate", { ...choice, retries: 2 }), /--retries only applies with --executor slurm/);
    assert.ok(studyRunner("reccompile ablate", choice));
  });

  it("--executor slurm needs sbatch on PATH (exit 1 from the CLI, no stack trace)", () => {
    const root = packageRoot();
    const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "cli", "reccompile.ts"), "ablate", "test/app/study/fixtures/tiny.rec", "--out", join(tmpdir(), "never-written"), "--run", "--executor", "slurm"],
      { cwd: root, encoding: "utf8", env: { ...process.env, PATH: "/nonexistent" } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--executor slurm needs sbatch on PATH/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const t = spawnSync(process.execPath, ["--import", "tsx", join(root, "cli", "reccompile.ts"), "ablate", "test/app/study/fixtures/tiny.rec", "--run", "--slurm-time", "10"], { cwd: root, encoding: "utf8" });
    assert.equal(t.status, 1, t.stderr);
    assert.match(t.stderr, /--slurm-time only applies with --executor slurm/);
    const d = spawnSync(process.execPath, ["--import", "tsx", join(root, "cli", "reccompile.ts"), "ablate", "test/app/study/fixtures/tiny.rec", "--detach"], { cwd: root, encoding: "utf8" });
    assert.equal(d.status, 1, d.stderr);
    assert.match(d.stderr, /--detach only applies with --run/);
  });
});
