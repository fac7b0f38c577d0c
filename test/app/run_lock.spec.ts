/** The run folder lock: one holder at a time, a dead holder's lock taken over, another host's refused with the way out. */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { acquireRunLock, LOCK_FILE, liveState } from "../../src/app/run_lock.js";
import { UserError } from "../../src/util/errors.js";

const holderFile = (dir: string, host: string, pid: number): void =>
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ host, pid, command: "reccompile run", since: "2026-12-03T00:00:00.000Z" }));

describe("run folder lock", () => {
  let dir = "";
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "rec-lock-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is taken and released, and a release leaves no file", () => {
    const lock = acquireRunLock(dir, "reccompile run");
    assert.equal(JSON.parse(readFileSync(lock.file, "utf8")).pid, process.pid);
    lock.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
  });

  it("refuses while a live process holds it, naming the holder", async () => {
    const sleeper = spawn("sleep", ["30"]);
    try {
      holderFile(dir, hostname(), sleeper.pid!);
      assert.throws(() => acquireRunLock(dir, "reccompile eval"), (e: unknown) =>
        e instanceof UserError && new RegExp(`in use by reccompile run \\(pid ${sleeper.pid} on ${hostname()}.*wait for it to finish, or stop it`).test(e.message));
      assert.equal(liveState(dir, "running"), "running");
    } finally {
      sleeper.kill("SIGKILL");
      await new Promise((r) => sleeper.once("exit", r));
    }
    // Its holder is gone now: the state says so, and the lock is taken over with a notice.
    assert.match(liveState(dir, "running"), /^interrupted/);
    const notices: string[] = [];
    const lock = acquireRunLock(dir, "reccompile run", (l) => notices.push(l));
    assert.match(notices.join("\n"), new RegExp(`left by reccompile run \\(pid ${sleeper.pid}.*no longer running; taking it over`));
    assert.equal(JSON.parse(readFileSync(lock.file, "utf8")).pid, process.pid);
    lock.release();
  });

  it("refuses another host's lock, saying how to clear it", () => {
    holderFile(dir, "some-other-node", 4242);
    assert.throws(() => acquireRunLock(dir, "reccompile run"), (e: unknown) =>
      e instanceof UserError && /in use by reccompile run \(pid 4242 on some-other-node.*delete .*\.lock and run this again/.test(e.message));
    assert.equal(liveState(dir, "running"), "running");
  });

  it("an empty lock: refused while fresh (being written), taken over once seconds old (its writer was killed)", () => {
    const file = join(dir, LOCK_FILE);
    writeFileSync(file, "");
    assert.throws(() => acquireRunLock(dir, "reccompile run"), (e: unknown) => e instanceof UserError && /another process is taking its lock/.test(e.message));
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const notices: string[] = [];
    const lock = acquireRunLock(dir, "reccompile run", (l) => notices.push(l));
    assert.match(notices.join("\n"), /is empty and 60 s old, left by a process killed as it took it/);
    lock.release();
  });

  it("is released when the process exits, and a status left 'running' without a lock reads as interrupted", () => {
    const script = `import { acquireRunLock } from ${JSON.stringify(new URL("../../src/app/run_lock.ts", import.meta.url).href)};\nacquireRunLock(${JSON.stringify(dir)}, "child");\nprocess.exitCode = 3;`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    assert.equal(r.status, 3, r.stderr);
    assert.ok(!existsSync(join(dir, LOCK_FILE)), "the exit released it");
    assert.match(liveState(dir, "running"), /^interrupted/);
    assert.equal(liveState(dir, "complete"), "complete");
  });
});
