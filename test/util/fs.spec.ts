/**
 * writeFileAtomic on a real full disk: a small tmpfs mounted for the test (root only; the test
 * skips, saying why, where mounting is not allowed). CI runs as root, so it runs there.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../src/util/errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../../src/util/fs.js";

describe("writeFileAtomic", () => {
  it("replaces a file's content and leaves no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "rec-fs-"));
    const f = join(dir, "a.json");
    writeJsonAtomic(f, { v: 1 });
    writeJsonAtomic(f, { v: 2 });
    assert.deepEqual(JSON.parse(readFileSync(f, "utf8")), { v: 2 });
    assert.deepEqual(readdirSync(dir), ["a.json"]);
    rmSync(dir, { recursive: true });
  });

  describe("on a full disk (a 256 KiB tmpfs)", function () {
    let dir = "";
    before(function () {
      dir = mkdtempSync(join(tmpdir(), "rec-full-"));
      const r = process.getuid?.() === 0 ? spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", dir], { encoding: "utf8" }) : null;
      if (r === null || r.status !== 0) {
        console.log(`    skipped: cannot mount a tmpfs here (${r === null ? "not root" : r.stderr.trim()})`);
        rmSync(dir, { recursive: true, force: true });
        this.skip();
      }
    });
    after(() => {
      if (dir === "") return;
      spawnSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    });

    for (const size of [300 << 10, 200 << 10]) {
      it(`a ${size >> 10} KiB write that does not fit: a UserError naming the file, the old content kept, no temporary file`, () => {
        const f = join(dir, "checkpoint.json");
        writeFileAtomic(f, "old\n");
        // 200 KiB would fit the empty disk, not beside 100 KiB of other files: the write fails part way through.
        if (size === 200 << 10) writeFileAtomic(join(dir, "ballast"), Buffer.alloc(100 << 10));
        assert.throws(() => writeFileAtomic(f, Buffer.alloc(size, 120)), (e: unknown) => {
          assert.ok(e instanceof UserError, String(e));
          assert.match(e.message, /cannot write .*checkpoint\.json: no space left on the device \([\d,]+ bytes needed, [\d,]+ free\)/);
          return true;
        });
        assert.equal(readFileSync(f, "utf8"), "old\n");
        assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
        rmSync(join(dir, "ballast"), { force: true });
      });
    }
  });
});
