/**
 * Damaged run files are the user's to sort out, not internal errors: a truncated checkpoint under
 * `run --resume`, a weights file with a tensor cut short, or with a wrong shape, under `eval`,
 * each exit 1 with the file named and no stack trace, and nothing of the run folder changes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, ensureBuilt } from "../check/cli.js";

const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);

const TINY = `model Tiny {
  embedding items(dim: 8)
  mamba(d_state: 4, d_conv: 2, expand: 2)
  layernorm(eps: 1e-12)
  output tied
}
data { max_len: 20 }
train { batch: 512 epochs: 1 seed: 3 }
`;

describe("damaged run files (CLI)", function () {
  this.timeout(180_000);
  let dir = "";
  let finished = "";
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "rec-damaged-"));
    writeFileSync(join(dir, "tiny.rec"), TINY);
    finished = join(dir, "finished");
    const r = cli("run", join(dir, "tiny.rec"), "--out", finished, "--backend", "wasm");
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const copy = (name: string): string => {
    const to = join(dir, name);
    cpSync(finished, to, { recursive: true });
    return to;
  };

  it("a truncated checkpoint: run --resume --epochs 2 exits 1 naming it, and changes nothing", () => {
    const run = copy("truncated");
    const ck = join(run, "checkpoint.json");
    const text = readFileSync(ck, "utf8");
    writeFileSync(ck, text.slice(0, Math.floor(text.length / 2)));
    const before = readFileSync(join(run, "metrics.json"), "utf8");
    const r = cli("run", join(dir, "tiny.rec"), "--out", run, "--resume", "--epochs", "2", "--backend", "wasm");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /checkpoint\.json: the checkpoint is not readable JSON/);
    noStack(r.stderr);
    assert.equal(readFileSync(join(run, "metrics.json"), "utf8"), before);
  });

  it("data changed since the run: train-further refused (counts alike or not), the finished run untouched", () => {
    const rows = (shift: number): string => Array.from({ length: 60 }, (_, u) => Array.from({ length: 8 }, (_, k) => `u${u} i${(u * 3 + k * (1 + shift)) % 25}`).join("\n")).join("\n") + "\n";
    const data = join(dir, "pairs.txt");
    writeFileSync(data, rows(0));
    const run = join(dir, "on-file");
    assert.equal(cli("run", join(dir, "tiny.rec"), "--data", data, "--out", run, "--backend", "wasm").code, 0);
    const metrics = readFileSync(join(run, "metrics.json"), "utf8");
    const dataJson = readFileSync(join(run, "data.json"), "utf8");
    for (const [change, message] of [
      [rows(1), /the data changed since .* \(the same counts, but other interactions\)/],
      [rows(0).split("\n").slice(0, 400).join("\n") + "\n", /the data changed since .* \(60 users, 25 items, 480 interactions then, 50 users, \d+ items, 400 interactions now\)/],
    ] as const) {
      writeFileSync(data, change);
      const r = cli("run", join(dir, "tiny.rec"), "--data", data, "--out", run, "--resume", "--epochs", "2", "--backend", "wasm");
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
      noStack(r.stderr);
      assert.equal(readFileSync(join(run, "metrics.json"), "utf8"), metrics);
      assert.equal(readFileSync(join(run, "data.json"), "utf8"), dataJson);
    }
  });

  for (const [what, damage] of [
    ["a tensor cut short", (w: Record<string, { shape: number[]; data: number[] }>) => { const k = Object.keys(w)[1]!; w[k]!.data = w[k]!.data.slice(0, 3); }],
    ["a wrong shape", (w: Record<string, { shape: number[]; data: number[] }>) => { const k = Object.keys(w)[1]!; w[k]!.shape = [...w[k]!.shape, 2]; }],
  ] as const) {
    it(`weights.json with ${what}: eval exits 1 naming the file`, () => {
      const run = copy(`weights-${what.replace(/ /g, "-")}`);
      const file = join(run, "weights.json");
      const w = JSON.parse(readFileSync(file, "utf8")) as Record<string, { shape: number[]; data: number[] }>;
      damage(w);
      writeFileSync(file, JSON.stringify(w));
      const r = cli("eval", run);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /weights\.json: the saved weights do not fit the run's model/);
      noStack(r.stderr);
    });
  }
});
