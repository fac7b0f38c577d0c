/**
 * A run whose disk fills up: on tmpfs filesystems of several sizes, so that the space runs out while
 * the folder is set up, during checkpoints, and at the final writes. Each run ends with exit 0, or
 * exit 1 naming the file and the space, never a stack trace; every file under its real name is
 * whole; and the folder, moved to a disk with room, resumes to the metrics of a run that had room.
 * Needs root to mount the filesystems (CI runs as root); skips, saying why, elsewhere.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, ensureBuilt } from "../check/cli.js";

const SPEC = `model Full {
  embedding items(dim: 16)
  mamba(d_state: 8, d_conv: 4, expand: 2)
  layernorm(eps: 1e-12)
  output tied
}
data { max_len: 30 }
train { optimizer: adam(lr: 0.003) batch: 512 epochs: 3 seed: 5 }
eval { metrics: [hr@10, ndcg@10] }
`;

const metricsOf = (dir: string): string => {
  const m = JSON.parse(readFileSync(join(dir, "metrics.json"), "utf8")) as { valid: unknown; test: unknown };
  return JSON.stringify({ valid: m.valid, test: m.test });
};

describe("a full disk under a run (CLI, tmpfs)", function () {
  this.timeout(600_000);
  let dir = "";
  let spec = "";
  let reference = "";
  const mounts: string[] = [];
  before(function () {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "rec-full-disk-"));
    const probe = join(dir, "probe");
    mkdirSync(probe);
    const m = process.getuid?.() === 0 ? spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { encoding: "utf8" }) : null;
    if (m === null || m.status !== 0) {
      console.log(`    skipped: cannot mount a tmpfs here (${m === null ? "not root" : m.stderr.trim()})`);
      this.skip();
    }
    spawnSync("umount", [probe]);
    spec = join(dir, "full.rec");
    writeFileSync(spec, SPEC);
    const r = cli("run", spec, "--out", join(dir, "reference"));
    assert.equal(r.code, 0, r.stderr);
    reference = metricsOf(join(dir, "reference"));
  });
  after(() => {
    for (const m of mounts) spawnSync("umount", [m]);
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  for (const kib of [8, 24, 64, 900, 1600]) {
    it(`${kib} KiB: exit 0 or a clean exit 1, no file cut short, and the folder resumes to the reference metrics`, () => {
      const mount = join(dir, `fs-${kib}`);
      mkdirSync(mount);
      assert.equal(spawnSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k`, "tmpfs", mount]).status, 0);
      mounts.push(mount);
      const out = join(mount, "run");
      const r = cli("run", spec, "--out", out);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `stack trace:\n${r.stderr}`);
      if (r.code !== 0) {
        console.log(`      ${kib} KiB: ${r.stderr.trim().split("\n").at(-1)!.replace(/\/\S*\//, "")}`);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /cannot write .*: no space left on the device \([\d,]+ bytes needed, [\d,]+ free\)/);
      }
      if (!existsSync(out)) return;
      for (const f of readdirSync(out)) {
        assert.ok(!f.endsWith(".tmp"), `temporary file left: ${f}`);
        if (f.endsWith(".json")) assert.doesNotThrow(() => JSON.parse(readFileSync(join(out, f), "utf8")), `${f} is cut short`);
      }
      if (r.code === 0) {
        assert.equal(metricsOf(out), reference);
        return;
      }
      // Moved to a disk with room, the folder continues from its last good checkpoint.
      const moved = join(dir, `moved-${kib}`);
      cpSync(out, moved, { recursive: true });
      const resumed = cli("run", spec, "--out", moved, "--resume");
      if (resumed.code === 1 && /holds no run to resume/.test(resumed.stderr)) return; // full before anything was recorded
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(metricsOf(moved), reference);
    });
  }
});
