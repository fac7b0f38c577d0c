/**
 * The real binary, end to end: run on the built-in data, eval and recommend on the run folder,
 * resume after Ctrl-C, and every user error exit (code 1, a message, no stack trace, no run folder
 * that looks complete).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, cli, ensureBuilt } from "../check/cli.js";

const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);

/** A small Mamba spec so the end-to-end runs stay quick. */
const SMALL = `model Small {
  embedding items(dim: 16)
  dropout(0.1)
  mamba(d_state: 8, d_conv: 4, expand: 2)
  layernorm(eps: 1e-12)
  output tied
}
data { max_len: 30 }
train { optimizer: adam(lr: 0.003) batch: 512 epochs: 2 early_stopping(metric: ndcg@10, patience: 5) seed: 7 }
eval { metrics: [hr@10, ndcg@10, mrr@10] }
`;

describe("reccompile run / eval / recommend (CLI)", function () {
  this.timeout(180_000);
  let dir: string;
  let spec: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "rec-cli-"));
    spec = join(dir, "small.rec");
    writeFileSync(spec, SMALL);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs a spec on the built-in data and writes a complete run folder; --json ends stdout", () => {
    const out = join(dir, "run1");
    const r = cli("run", spec, "--out", out, "--json", "--backend", "wasm");
    assert.equal(r.code, 0, r.stderr);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    for (const k of ["model", "dataset", "users", "items", "epochs", "seconds", "tokens_per_s", "peak_rss_mb", "valid", "test"]) assert.ok(k in last, k);
    assert.equal(last.model, "Small");
    assert.equal(last.dataset, "synthetic");
    assert.equal(last.epochs, 2);
    const test = last.test as Record<string, number>;
    for (const k of ["hr@10", "ndcg@10", "mrr@10"]) assert.ok(test[k]! >= 0 && test[k]! <= 1);
    for (const f of ["status.json", "spec.rec", "model.ts", "model.mjs", "environment.json", "data.json", "id_maps.json", "checkpoint.json", "weights.json", "history.json", "ranks.json", "report.html", "metrics.json"]) {
      assert.ok(existsSync(join(out, f)), `missing ${f}`);
    }
    assert.equal(JSON.parse(readFileSync(join(out, "status.json"), "utf8")).state, "complete");
    assert.match(readFileSync(join(out, "report.html"), "utf8"), /<svg/);
    // Each epoch's learning rate is recorded, and shown in the report's table.
    const history = JSON.parse(readFileSync(join(out, "history.json"), "utf8")) as { lr: number; seconds: number; train_seconds: number; threads?: number }[];
    assert.deepEqual(history.map((e) => e.lr), [0.003, 0.003]);
    // Each epoch's time, and the part of it its training steps took (validation excluded).
    for (const e of history) {
      assert.ok(e.train_seconds > 0 && e.train_seconds < e.seconds, JSON.stringify(e));
    }
    // Each epoch's kernel thread count, with native kernels (REC_THREADS when set); none without.
    const kernels = (JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")) as { kernels: string }).kernels;
    for (const e of history) {
      if (kernels !== "native") assert.equal(e.threads, undefined, JSON.stringify(e));
      else if (process.env["REC_THREADS"] !== undefined) assert.equal(e.threads, Number(process.env["REC_THREADS"]), JSON.stringify(e));
      else assert.ok(Number.isInteger(e.threads) && e.threads! >= 1, JSON.stringify(e));
    }
    assert.match(readFileSync(join(out, "report.html"), "utf8"), /<th>lr<\/th>.*<td>0\.003<\/td>/s);
    assert.match(readFileSync(join(out, "model.ts"), "utf8"), /rt\.mamba\(ctx/);

    // The seen-items diagnostic at K = 10 (the metrics' only K): in the --json line and metrics.json
    // per split, in history.json per epoch, in the summary and the report. The synthetic data has
    // repeats, so seen items do reach the top 10.
    type Seen = Record<string, { slots: number; users: number }>;
    const metricsJson = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")) as { seen_in_top: { valid: Seen; test: Seen } };
    assert.deepEqual(last.seen_in_top, metricsJson.seen_in_top);
    for (const split of ["valid", "test"] as const) {
      const f = metricsJson.seen_in_top[split];
      assert.deepEqual(Object.keys(f), ["10"]);
      assert.ok(f["10"]!.slots > 0 && f["10"]!.slots <= f["10"]!.users && f["10"]!.users <= 1, JSON.stringify(f));
    }
    const epochs = JSON.parse(readFileSync(join(out, "history.json"), "utf8")) as { seen_in_top: Seen }[];
    for (const e of epochs) assert.ok(e.seen_in_top["10"]!.slots >= 0 && e.seen_in_top["10"]!.users <= 1, JSON.stringify(e));
    const pctOf = (x: number): string => `${(100 * x).toFixed(1)}%`;
    const { valid: v10, test: t10 } = { valid: metricsJson.seen_in_top.valid["10"]!, test: metricsJson.seen_in_top.test["10"]! };
    assert.ok(r.stdout.includes(`seen items in the top 10: valid ${pctOf(v10.slots)} of slots, ${pctOf(v10.users)} of users; test ${pctOf(t10.slots)} of slots, ${pctOf(t10.users)} of users\n`), r.stdout);
    assert.ok(readFileSync(join(out, "report.html"), "utf8").includes(`<tr><td>seen in top 10: slots</td><td>${pctOf(v10.slots)}</td><td>${pctOf(t10.slots)}</td></tr>`));

    const e = cli("eval", out, "--json");
    assert.equal(e.code, 0, e.stderr);
    const rescored = JSON.parse(e.stdout.trim().split("\n").at(-1)!) as { test: Record<string, number>; seen_in_top: { valid: Seen; test: Seen } };
    for (const k of ["hr@10", "ndcg@10", "mrr@10"]) assert.ok(Math.abs(rescored.test[k]! - test[k]!) < 1e-9, `${k}: ${rescored.test[k]} vs ${test[k]}`);
    for (const split of ["valid", "test"] as const) {
      for (const what of ["slots", "users"] as const) assert.ok(Math.abs(rescored.seen_in_top[split]["10"]![what] - metricsJson.seen_in_top[split]["10"]![what]) < 1e-9);
    }
    assert.match(e.stdout, /^seen items in the top 10: valid [\d.]+% of slots, [\d.]+% of users; test [\d.]+% of slots, [\d.]+% of users; recorded test [\d.]+% of slots, [\d.]+% of users$/m);

    // Shorter inputs: the header and the JSON say so, and the figures change.
    const short = cli("eval", out, "--max-len", "3", "--json");
    assert.equal(short.code, 0, short.stderr);
    assert.match(short.stdout, /inputs of the most recent 3 items \(trained with 30\)/);
    const shortJson = JSON.parse(short.stdout.trim().split("\n").at(-1)!) as { max_len: number; test: Record<string, number> };
    assert.equal(shortJson.max_len, 3);
    assert.notEqual(shortJson.test["ndcg@10"], test["ndcg@10"]);
    const zero = cli("eval", out, "--max-len", "0");
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /--max-len/);
    noStack(zero.stderr);

    // Seen items removed from the ranking: no user's rank gets worse, the header says so, and
    // `--seen keep` (the spec's own setting) changes nothing.
    const excl = cli("eval", out, "--seen", "exclude", "--json");
    assert.equal(excl.code, 0, excl.stderr);
    assert.match(excl.stdout, /seen items removed from the ranking \(the run's spec keeps them\)/);
    const exclJson = JSON.parse(excl.stdout.trim().split("\n").at(-1)!) as { exclude_seen: boolean; test: Record<string, number>; seen_in_top: { test: Seen } };
    assert.equal(exclJson.exclude_seen, true);
    // With the seen items removed, only a repeated target can be one: at most one per top 10.
    const seenExcl = exclJson.seen_in_top.test["10"]!;
    assert.ok(Math.abs(seenExcl.slots - seenExcl.users / 10) < 1e-12 && seenExcl.users <= exclJson.test["hr@10"]! + 1e-12, JSON.stringify(seenExcl));
    assert.match(excl.stdout, /a seen item in the top K is a target the user had seen before/);
    for (const k of ["hr@10", "ndcg@10", "mrr@10"]) assert.ok(exclJson.test[k]! >= test[k]!, `${k}: ${exclJson.test[k]} < ${test[k]}`);
    assert.ok(exclJson.test["mrr@10"]! > test["mrr@10"]!, "excluding the seen items changed nothing");
    const keep = cli("eval", out, "--seen", "keep", "--json");
    assert.equal(keep.code, 0, keep.stderr);
    assert.doesNotMatch(keep.stdout.split("\n")[0]!, /seen items/);
    assert.deepEqual((JSON.parse(keep.stdout.trim().split("\n").at(-1)!) as { test: unknown }).test, rescored.test);
    const badSeen = cli("eval", out, "--seen", "maybe");
    assert.equal(badSeen.code, 1);
    assert.match(badSeen.stderr, /--seen must be keep or exclude, got 'maybe'/);
    noStack(badSeen.stderr);

    const rec = cli("recommend", out, "--history", "3,7,11", "--k", "5");
    assert.equal(rec.code, 0, rec.stderr);
    assert.equal(rec.stdout.trim().split("\n").length, 5);
    const bad = cli("recommend", out, "--history", "3,99999");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /item '99999'/);
    noStack(bad.stderr);
    // --user takes a user of the run's data (a model without a user table ignores it); an unknown one is a user error.
    const withUser = cli("recommend", out, "--history", "3,7,11", "--k", "5", "--user", "1");
    assert.equal(withUser.code, 0, withUser.stderr);
    assert.equal(withUser.stdout, rec.stdout);
    const badUser = cli("recommend", out, "--history", "3,7,11", "--user", "nobody");
    assert.equal(badUser.code, 1);
    assert.match(badUser.stderr, /user 'nobody' in --user is not a user of the run's data/);
    noStack(badUser.stderr);

    const again = cli("run", spec, "--out", out);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /finished run/);

    // A run folder from before the diagnostic: eval shows its recorded figures as "–".
    const older = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")) as Record<string, unknown>;
    delete older.seen_in_top;
    writeFileSync(join(out, "metrics.json"), JSON.stringify(older));
    const old = cli("eval", out);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /^seen items in the top 10: valid [\d.]+% of slots, [\d.]+% of users; test [\d.]+% of slots, [\d.]+% of users; recorded test –$/m);
  });

  it("--resume trains a finished run further when --epochs allows, keeping its first metrics.json", () => {
    const out = join(dir, "extend");
    assert.equal(cli("run", spec, "--out", out, "--backend", "wasm").code, 0);
    const first = readFileSync(join(out, "metrics.json"), "utf8");
    const same = cli("run", spec, "--out", out, "--resume");
    assert.equal(same.code, 1);
    assert.match(same.stderr, /finished run of 2 epochs; --resume trains it further only with more --epochs \(now 2\)/);
    noStack(same.stderr);
    assert.equal(readFileSync(join(out, "metrics.json"), "utf8"), first, "a refused resume changed metrics.json");
    // A folder written before `weight_average` existed lacks its line; the recorded spec is read
    // with today's defaults, so that is no change.
    const recorded = readFileSync(join(out, "spec.rec"), "utf8");
    const older = recorded.replace(/^ {2}weight_average: none\n/m, "");
    assert.notEqual(older, recorded);
    writeFileSync(join(out, "spec.rec"), older);
    const more = cli("run", spec, "--out", out, "--resume", "--epochs", "3", "--json");
    assert.equal(more.code, 0, more.stderr);
    assert.equal((JSON.parse(more.stdout.trim().split("\n").at(-1)!) as { epochs: number }).epochs, 3);
    assert.equal(readFileSync(join(out, "metrics.previous.json"), "utf8"), first);
    // The epochs before the resume keep their seen-items figures (through the checkpoint).
    const history = JSON.parse(readFileSync(join(out, "history.json"), "utf8")) as { seen_in_top?: unknown }[];
    assert.equal(history.length, 3);
    assert.ok(history.every((e) => e.seen_in_top !== undefined), JSON.stringify(history));
    assert.match(readFileSync(join(out, "spec.rec"), "utf8"), /^ {2}epochs: 3$/m);
  });

  it("the popularity spec runs without training", () => {
    const r = cli("run", "specs/pop.rec", "--out", join(dir, "pop"), "--json");
    assert.equal(r.code, 0, r.stderr);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { epochs: number; test: Record<string, number> };
    assert.equal(last.epochs, 0);
    assert.ok(last.test["hr@10"]! > 0);
  });

  it("Ctrl-C stops with exit 1, leaves an incomplete folder, and --resume finishes it", async () => {
    const out = join(dir, "interrupted");
    const slow = join(dir, "slow.rec");
    writeFileSync(slow, SMALL.replace("epochs: 2", "epochs: 40").replace("patience: 5", "patience: 40"));
    const child = spawn(process.execPath, [BIN, "run", slow, "--out", out, "--backend", "wasm"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const code = await new Promise<number>((resolve) => {
      let sent = false;
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!sent && /epoch 2\/40/.test(stderr)) {
          sent = true;
          child.kill("SIGINT");
        }
      });
      child.on("exit", (c) => resolve(c ?? -1));
    });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /interrupted/);
    assert.ok(!existsSync(join(out, "metrics.json")));
    assert.equal(JSON.parse(readFileSync(join(out, "status.json"), "utf8")).state, "interrupted");
    assert.match(stderr, /continue with `reccompile run .*slow\.rec --out .* --resume`/);
    const otherData = cli("run", slow, "--out", out, "--resume", "--data", spec);
    assert.equal(otherData.code, 1);
    assert.match(otherData.stderr, /was trained on the built-in synthetic data/);
    const otherSpec = cli("run", slow, "--out", out, "--resume", "--seed", "8");
    assert.equal(otherSpec.code, 1);
    assert.match(otherSpec.stderr, /differ from those .* was started with/);
    // Only the epochs and the patience may change on resume.
    const resumed = cli("run", slow, "--out", out, "--resume", "--epochs", "3", "--patience", "30", "--json");
    assert.equal(resumed.code, 0, resumed.stderr);
    const result = JSON.parse(resumed.stdout.trim().split("\n").at(-1)!) as { epochs: number; seconds: number };
    assert.equal(result.epochs, 3);
    // The run's time covers the epochs trained before the interruption too.
    const history = JSON.parse(readFileSync(join(out, "history.json"), "utf8")) as { seconds: number }[];
    const trained = history.reduce((sum, e) => sum + e.seconds, 0);
    assert.ok(result.seconds >= trained, `seconds ${result.seconds} < the epochs' ${trained}`);
  });

  const userErrors: [string, () => string[], RegExp][] = [
    ["unwritable --out", () => ["run", spec, "--out", join(spec, "sub")], /cannot write the run folder/],
    ["missing data file", () => ["run", spec, "--data", join(dir, "nope.txt"), "--out", join(dir, "missing-data")], /data file not found/],
    ["unknown format", () => ["run", spec, "--data", spec, "--format", "parquet", "--out", join(dir, "unknown-format")], /unknown --format 'parquet'/],
    ["flag contradicting the spec", () => ["run", "specs/sasrec.rec", "--max-len", "500", "--out", join(dir, "contradiction")], /--max-len 500 contradicts the spec: specs\/sasrec\.rec:\d+:\d+/],
    ["--patience without early stopping", () => {
      const f = join(dir, "nostop.rec");
      writeFileSync(f, SMALL.replace(" early_stopping(metric: ndcg@10, patience: 5)", ""));
      return ["run", f, "--patience", "3", "--out", join(dir, "nostop")];
    }, /--patience 3 contradicts the spec: .*nostop\.rec has no early_stopping/],
    ["unknown flag", () => ["run", spec, "--epoch", "3", "--out", join(dir, "typo")], /unknown flag '--epoch'/],
    ["bad integer", () => ["run", spec, "--epochs", "two", "--out", join(dir, "two")], /--epochs must be an integer/],
    ["bad data file", () => {
      const f = join(dir, "bad.txt");
      writeFileSync(f, "1 2\n1 3\n1 4 5\n");
      return ["run", spec, "--data", f, "--format", "pairs", "--out", join(dir, "bad-data")];
    }, /bad\.txt:3/],
    ["resume without a run", () => ["run", spec, "--out", join(dir, "none"), "--resume"], /no run folder/],
    ["eval of a missing folder", () => ["eval", join(dir, "none")], /no run folder/],
    ["eval of a folder that is not a run", () => {
      mkdirSync(join(dir, "plain"), { recursive: true });
      return ["eval", join(dir, "plain")];
    }, /plain is not a run folder \(no spec\.rec\)/],
    ["unknown command", () => ["frobnicate"], /unknown command 'frobnicate'/],
  ];
  /** Entries of the default run folder, so a test can tell that a failed run left nothing there. */
  const defaultRuns = (): string[] => (existsSync("runs") ? readdirSync("runs").sort() : []);
  for (const [name, args, message] of userErrors) {
    it(`exits 1 with a message for: ${name}`, () => {
      const before = defaultRuns();
      const r = cli(...args());
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, message);
      noStack(r.stderr);
      assert.deepEqual(defaultRuns(), before, "a failed run left a folder under runs/");
    });
  }
});
