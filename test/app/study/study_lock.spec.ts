/**
 * The study folder lock: a second controller is refused at once, a follow-up waits for the holder to
 * finish, the holder's heartbeat keeps its lock fresh, and another host's lock is taken over only
 * once its heartbeat has stopped. `tune`, `ablate` and `reproduce` take it (the CLI case below).
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { FolderBusy, LOCK_FILE } from "../../../src/app/run_lock.js";
import { acquireStudyLock, withStudyLock } from "../../../src/app/study/study_lock.js";
import { packageRoot } from "../../../src/util/paths.js";

const holderFile = (dir: string, host: string, pid: number, command = "reccompile tune"): string => {
  const file = join(dir, LOCK_FILE);
  writeFileSync(file, JSON.stringify({ host, pid, command, since: "2026-12-04T00:00:00.000Z" }));
  return file;
};

const age = (file: string, ms: number): void => {
  const t = new Date(Date.now() - ms);
  utimesSync(file, t, t);
};

const sleeper = (): ChildProcess => spawn("sleep", ["60"]);
const stop = async (p: ChildProcess): Promise<void> => {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill("SIGKILL");
  await new Promise((r) => p.once("exit", r));
};

describe("study folder lock", () => {
  let dir = "";
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "rec-study-lock-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is taken (creating the folder) and released; withStudyLock releases it when its work throws", async () => {
    const study = join(dir, "a", "study");
    const lock = await acquireStudyLock(study, "reccompile tune");
    assert.equal(JSON.parse(readFileSync(lock.file, "utf8")).pid, process.pid);
    lock.release();
    assert.ok(!existsSync(join(study, LOCK_FILE)));
    await assert.rejects(withStudyLock(study, "reccompile tune", {}, async () => { throw new Error("boom"); }), /boom/);
    assert.ok(!existsSync(join(study, LOCK_FILE)), "released after a throw");
  });

  it("refuses a second controller at once, naming the holder", async () => {
    const p = sleeper();
    try {
      holderFile(dir, hostname(), p.pid!);
      const t0 = Date.now();
      await assert.rejects(acquireStudyLock(dir, "reccompile tune"), (e: unknown) =>
        e instanceof FolderBusy && new RegExp(`in use by reccompile tune \\(pid ${p.pid} on ${hostname()}.*wait for it to finish, or stop it`).test(e.message));
      assert.ok(Date.now() - t0 < 1_000, "no waiting without waitMs");
    } finally {
      await stop(p);
    }
  });

  it("a follow-up waits for the holder to finish, then takes the lock; it gives up after waitMs", async () => {
    // A real holder: a process that takes the lock, holds it 1.5 s, and exits normally (releasing it).
    const src = new URL("../../../src/app/study/study_lock.ts", import.meta.url).href;
    const script = `import { acquireStudyLock } from ${JSON.stringify(src)};\nawait acquireStudyLock(${JSON.stringify(dir)}, "reccompile tune (by hand)");\nprocess.stdout.write("held\\n");\nsetTimeout(() => {}, 1500);`;
    const holder = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((res) => holder.stdout!.once("data", () => res()));
      // Too short a wait: refused after it.
      await assert.rejects(acquireStudyLock(dir, "reccompile tune (follow-up)", { waitMs: 300, pollMs: 100 }), FolderBusy);
      const notices: string[] = [];
      const t0 = Date.now();
      const lock = await acquireStudyLock(dir, "reccompile tune (follow-up)", { waitMs: 20_000, pollMs: 100, notice: (l) => notices.push(l) });
      assert.ok(Date.now() - t0 > 200, "it waited");
      // The lock came free as the holder exited (its exit handler released it), not before.
      const code = holder.exitCode ?? await new Promise<number | null>((r) => holder.once("exit", r));
      assert.equal(code, 0, "the holder finished normally");
      assert.match(notices[0]!, /in use by reccompile tune \(by hand\) \(pid \d+ .*; waiting up to 20 s for it to finish$/);
      assert.match(notices.at(-1)!, /^took the study folder's lock after waiting \d+ s$/);
      assert.equal(notices.length, 2, "one line to say it waits, one when it has the lock");
      assert.equal(JSON.parse(readFileSync(lock.file, "utf8")).command, "reccompile tune (follow-up)");
      lock.release();
    } finally {
      await stop(holder);
    }
  });

  it("the holder's heartbeat keeps its lock fresh", async () => {
    const lock = await acquireStudyLock(dir, "reccompile tune", { heartbeatMs: 50 });
    try {
      age(lock.file, 3_600_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(Date.now() - statSync(lock.file).mtimeMs < 5_000, "touched since it was aged");
    } finally {
      lock.release();
    }
  });

  it("another host's lock: refused while its heartbeat is recent, taken over once it has stopped", async () => {
    const file = holderFile(dir, "login-node-7", 4242);
    age(file, 30_000);
    await assert.rejects(acquireStudyLock(dir, "reccompile tune", { staleAfterMs: 60_000 }), (e: unknown) =>
      e instanceof FolderBusy && /in use by reccompile tune \(pid 4242 on login-node-7.*taken over once it has gone 60 s without a heartbeat \(the last was 30 s ago\), or delete .*\.lock/.test(e.message));
    age(file, 120_000);
    const notices: string[] = [];
    const lock = await acquireStudyLock(dir, "reccompile tune", { staleAfterMs: 60_000, notice: (l) => notices.push(l) });
    assert.match(notices.join("\n"), /lock was left by reccompile tune \(pid 4242 on login-node-7.*whose heartbeat stopped 120 s ago; taking it over/);
    assert.equal(JSON.parse(readFileSync(lock.file, "utf8")).host, hostname());
    lock.release();
  });

  it("on this host the pid decides: a live holder without a recent heartbeat is still refused, a dead one is taken over", async () => {
    const p = sleeper();
    try {
      const file = holderFile(dir, hostname(), p.pid!);
      age(file, 3_600_000);
      await assert.rejects(acquireStudyLock(dir, "reccompile tune", { staleAfterMs: 60_000 }), FolderBusy);
    } finally {
      await stop(p);
    }
    const notices: string[] = [];
    (await acquireStudyLock(dir, "reccompile tune", { notice: (l) => notices.push(l) })).release();
    assert.match(notices.join("\n"), /no longer running; taking it over/);
  });

  it("reccompile tune refuses a study another controller holds: exit 1, the holder named, nothing written", async () => {
    const root = packageRoot();
    const spec = join(dir, "tiny.rec");
    writeFileSync(spec, readFileSync(join(root, "test", "app", "study", "fixtures", "tiny-tune.rec"), "utf8"));
    const study = join(dir, "study");
    const p = sleeper();
    try {
      rmSync(study, { recursive: true, force: true });
      spawnSync("mkdir", ["-p", study]);
      holderFile(study, hostname(), p.pid!, "reccompile tune (follow-up job 346)");
      const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "cli", "reccompile.ts"), "tune", spec, "--out", study], { cwd: root, encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 1, r.stderr + r.stdout);
      assert.match(r.stderr, new RegExp(`in use by reccompile tune \\(follow-up job 346\\) \\(pid ${p.pid} on ${hostname()}.*wait for it to finish, or stop it`));
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.deepEqual(readdirSync(study), [LOCK_FILE], "no trial spec, no runs");
    } finally {
      await stop(p);
    }
  });
});
