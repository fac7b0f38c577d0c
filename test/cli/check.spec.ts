import { strict as assert } from "node:assert";
import { invalidCases } from "../check/golden.js";
import { cli, ensureBuilt } from "../check/cli.js";

describe("reccompile check", function () {
  this.timeout(120_000);
  before(ensureBuilt);

  it("accepts the shipped specs (exit 0, one-line summary)", () => {
    const r = cli("check", "specs/mamba4rec.rec", "specs/sasrec.rec", "specs/gru4rec.rec", "specs/pop.rec", "specs/blocks.rec");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "checked 5 files: 0 errors, 0 warnings\n");
  });

  it("exits 1 with file:line:col and no stack trace", () => {
    const r = cli("check", "test/check/fixtures/invalid/unknown_param.rec");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^test\/check\/fixtures\/invalid\/unknown_param\.rec:3:9: error REC2008: 'mamba' has no parameter 'd_stat'$/m);
    assert.match(r.stderr, /hint: did you mean 'd_state'\?/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("reports every invalid fixture, located, in one run", () => {
    const cases = invalidCases();
    const r = cli("check", ...cases);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    for (const c of cases) {
      const own = new RegExp(`^${c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+: error REC\\d{4}: `, "m");
      const viaImport = /import/.test(c);
      assert.ok(own.test(r.stderr) || (viaImport && /fixtures\/lib\/\S+\.rec:\d+:\d+: error REC\d{4}/.test(r.stderr)), c);
    }
    assert.match(r.stderr, new RegExp(`checked ${cases.length} files: \\d+ errors, \\d+ warnings, ${cases.length} files failed\\n$`));
  });

  it("a missing file and a directory are user errors", () => {
    const r = cli("check", "no/such.rec", "specs");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no\/such\.rec:1:1: error REC1008: no\/such\.rec no such file/);
    assert.match(r.stderr, /specs:1:1: error REC1008: specs is a directory/);
  });

  it("warnings alone exit 0", () => {
    const r = cli("check", "test/check/fixtures/warnings/zero_dropout.rec");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning REC2102/);
  });
});
