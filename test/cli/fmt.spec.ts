import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, ensureBuilt } from "../check/cli.js";

describe("reccompile fmt", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { ensureBuilt(); dir = mkdtempSync(join(tmpdir(), "recfmt-")); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("--check passes on the shipped specs", () => {
    const r = cli("fmt", "--check", "specs/mamba4rec.rec", "specs/sasrec.rec", "specs/gru4rec.rec", "specs/pop.rec", "specs/blocks.rec");
    assert.equal(r.code, 0, r.stderr);
  });

  it("--check lists an unformatted file and exits 1; --write fixes it atomically", () => {
    const f = join(dir, "messy.rec");
    writeFileSync(f, "model M {embedding items(dim: 8)   // table\noutput tied}\n");
    const c = cli("fmt", "--check", f);
    assert.equal(c.code, 1);
    assert.match(c.stderr, new RegExp(`  ${f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
    const w = cli("fmt", "--write", f);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(readFileSync(f, "utf8"), "model M {\n  embedding items(dim: 8)  // table\n  output tied\n}\n");
    assert.deepEqual(readdirSync(dir), ["messy.rec"]);
    assert.equal(cli("fmt", "--check", f).code, 0);
  });

  it("prints to stdout by default and refuses syntax errors", () => {
    assert.match(cli("fmt", "specs/pop.rec").stdout, /^\/\/ Popularity baseline/);
    const f = join(dir, "broken.rec");
    writeFileSync(f, "model M {\n");
    const r = cli("fmt", f);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error REC1003/);
  });
});
