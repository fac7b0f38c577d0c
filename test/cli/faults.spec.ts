/**
 * A run folder under the faults a cluster produces: a second process in the same folder is
 * refused while the first runs; `kill -9` at random moments (inside checkpoint writes too) leaves
 * a folder that reads as interrupted and resumes to exactly the metrics of a run never killed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../src/util/rng.js";
import { BIN, cli, ensureBuilt } from "../check/cli.js";

const SPEC = `model Faults {
  embedding items(dim: 16)
  dropout(0.1)
  mamba(d_state: 8, d_conv: 4, expand: 2)
  layernorm(eps: 1e-12)
  output tied
}
data { max_len: 30 }
train { optimizer: adam(lr: 0.003) batch: 256 epochs: 4 seed: 11 }
eval { metrics: [hr@10, ndcg@10] }
`;

const metricsOf = (dir: string): string => {
  const m = JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8")) as { valid: unknown; test: unknown; epochs: number };
  return JSON.stringify({ valid: m.valid, test: m.test, epochs: m.epochs });
};

const waitFor = async (what: string, ok: () => boolean, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("run folders under faults (CLI)", function () {
  this.timeout(600_000);
  let dir = "";
  let spec = "";
  let reference = "";
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "rec-faults-"));
    spec = join(dir, "faults.rec");
    writeFileSync(spec, SPEC);
    const ref = join(dir, "reference");
    const r = cli("run", spec, "--out", ref);
    assert.equal(r.code, 0, r.stderr);
    reference = metricsOf(ref);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a second process in a running folder is refused, naming the first; the first finishes", async () => {
    const out = join(dir, "busy");
    const first = spawn(process.execPath, [BIN, "run", spec, "--out", out], { stdio: "ignore" });
    const exited = new Promise<number | null>((r) => first.once("exit", r));
    await waitFor("the first run's lock", () => existsSync(join(out, ".lock")));
    const second = cli("run", spec, "--out", out, "--resume");
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`is in use by reccompile run \\(pid ${first.pid} `));
    assert.equal(cli("eval", out).code, 1, "eval waits for no one: the run is not finished");
    assert.equal(await exited, 0);
    assert.equal(metricsOf(out), reference);
    assert.ok(!existsSync(join(out, ".lock")), "released at exit");
  });

  it("kill -9 at random moments, then --resume: the reference metrics every time, no temporary file left", async () => {
    const rng = new Rng(2026);
    // CI runs a few; REC_FAULT_TRIALS runs more (docs/reliability.md has the counts of a long run).
    const trials = Number(process.env["REC_FAULT_TRIALS"] ?? 4);
    for (let trial = 0; trial < trials; trial++) {
      const out = join(dir, `killed-${trial}`);
      const child = spawn(process.execPath, [BIN, "run", spec, "--out", out], { stdio: "ignore" });
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      // Half the trials kill at a random time; the others just as a checkpoint is being written.
      if (trial % 2 === 0) {
        await waitFor("the run to start", () => existsSync(join(out, "status.json")));
        await new Promise((r) => setTimeout(r, 200 + rng.int(2500)));
      } else {
        await waitFor("a checkpoint write", () => existsSync(out) && readdirSync(out).some((f) => f.startsWith(".checkpoint.json.")), 120_000)
          .catch(() => { /* the run may finish first on a fast machine: then it is killed after the end, which must hold too */ });
      }
      child.kill("SIGKILL");
      await exited;
      if (!existsSync(join(out, "metrics.json"))) {
        const state = cli("compare", out, "--json");
        if (state.code === 0) assert.match(state.stdout, /interrupted/, `trial ${trial}: a killed run reads as interrupted`);
        const r = cli("run", spec, "--out", out, "--resume");
        assert.equal(r.code, 0, `trial ${trial}: ${r.stderr}`);
        if (r.stderr.includes("taking it over")) assert.match(r.stderr, /lock was left by reccompile run/);
      }
      assert.equal(metricsOf(out), reference, `trial ${trial}`);
      assert.deepEqual(readdirSync(out).filter((f) => f.endsWith(".tmp") || f === ".lock"), [], `trial ${trial}: leftovers`);
    }
  });
});
