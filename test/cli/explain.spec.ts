import { strict as assert } from "node:assert";
import { cli, ensureBuilt } from "../check/cli.js";

describe("reccompile explain", function () {
  this.timeout(60_000);
  before(ensureBuilt);

  it("--json reports 290,944 parameters for Mamba4Rec on 3,416 items", () => {
    const r = cli("explain", "specs/mamba4rec.rec", "--items", "3416", "--json");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { parameters: number; layers: unknown[]; spec: { train: { batch: number } } };
    assert.equal(out.parameters, 290_944);
    assert.equal(out.spec.train.batch, 2048);
  });

  it("prints a readable table with the resolved spec", () => {
    const r = cli("explain", "specs/mamba4rec.rec", "--items", "3416");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /total parameters: 290,944/);
    assert.match(r.stdout, /mamba\s+d_state 32, d_conv 4, expand 2, d_inner 128, dt_rank 4, dt_init zero\s+\[batch, 200, 64\]\s+38,784/);
    assert.match(r.stdout, /optimizer: adam\(lr: 0\.001, beta1: 0\.9/);
  });

  it("--users sizes a user table (Caser: RecBole's 667,008 parameters on ML-1M's 3,416 items and 6,040 users)", () => {
    const r = cli("explain", "specs/caser.rec", "--items", "3416", "--users", "6040", "--json");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { parameters: number; users: number };
    assert.equal(out.parameters, 667_008);
    assert.equal(out.users, 6040);
    const fewer = JSON.parse(cli("explain", "specs/caser.rec", "--items", "3416", "--users", "100", "--json").stdout) as { parameters: number };
    assert.equal(out.parameters - fewer.parameters, (6040 - 100) * 64);
    assert.doesNotMatch(cli("explain", "specs/mamba4rec.rec").stdout, /users/, "a model without a user table says nothing of users");
  });

  it("a bad spec or flag is a user error", () => {
    assert.equal(cli("explain", "test/check/fixtures/invalid/heads_divide.rec").code, 1);
    const r = cli("explain", "specs/pop.rec", "--items", "x");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--items must be an integer/);
  });
});
