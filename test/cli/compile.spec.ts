/** `reccompile <file.rec>...` through the real binary: emits generated code, or diagnostics and exit 1. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, ensureBuilt } from "../check/cli.js";

describe("reccompile <file.rec> (CLI)", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "rec-compile-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("emits <out-dir>/<name>.ts for each spec, identical to the committed generated/ (up to the import path)", () => {
    const r = cli("specs/mamba4rec.rec", "specs/pop.rec", "specs/blocks.rec", "--out-dir", dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /specs\/blocks\.rec: block definitions only, nothing to emit/);
    for (const name of ["mamba4rec", "pop"]) {
      const emitted = readFileSync(join(dir, `${name}.ts`), "utf8");
      const committed = readFileSync(join("generated", `${name}.ts`), "utf8");
      const strip = (s: string): string => s.replace(/^import \* as rt from ".*";$/m, "");
      assert.equal(strip(emitted), strip(committed));
      assert.match(emitted, /^import \* as rt from "[./].*src\/api\.js";$/m);
    }
  });

  it("exits 1 with located diagnostics and writes nothing for a bad spec", () => {
    const bad = join(dir, "bad.rec");
    writeFileSync(bad, "model Bad {\n  embedding items(dim: 64)\n  mamba(d_stat: 32)\n  output tied\n}\n");
    const r = cli(bad, "--out-dir", dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.rec:3:\d+: error REC\d{4}/);
    assert.match(r.stderr, /d_state/);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
    assert.ok(!existsSync(join(dir, "bad.ts")));
  });
});
