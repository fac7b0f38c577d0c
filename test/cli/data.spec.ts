/** `reccompile data`: the data as a run would see it, and its errors. */
import { strict as assert } from "node:assert";
import { cli, ensureBuilt } from "../check/cli.js";
import { tempFixtures } from "../data/helpers.js";

interface DataJson {
  dataset: string;
  format: string | null;
  read: { users: number; items: number; interactions: number; repeats: number };
  kept: { users: number; items: number; interactions: number; repeats: number; usersWithRepeats: number };
  warnings: string[];
  split: { trainTargets: number; valid: number; test: number; testInputsCut: number; validTargetsSeen: number; testTargetsSeen: number };
  epoch: { rows: number; positions: number; trainTargets: number; steps: number; batch: number } | null;
}

const lastJson = (stdout: string): DataJson => JSON.parse(stdout.trim().split("\n").pop()!) as DataJson;

describe("reccompile data", function () {
  this.timeout(60_000);
  const fx = tempFixtures();
  before(ensureBuilt);
  after(() => fx.cleanup());

  it("describes the built-in data under the language's defaults", () => {
    const r = cli("data", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^synthetic: the built-in synthetic data; settings from the language's defaults/);
    assert.match(r.stdout, /^after filters +1,000 +500 +39,674$/m);
    assert.match(r.stdout, /^repeat targets: 434 of 1,000 validation targets \(43\.4%\) and 411 of 1,000 test targets \(41\.1%\) are already/m);
    const j = lastJson(r.stdout);
    assert.equal(j.format, null);
    assert.equal(j.kept.users, 1000);
    assert.equal(j.split.trainTargets, j.kept.interactions - 3 * j.kept.users);
    assert.equal(j.epoch!.trainTargets, j.split.trainTargets);
  });

  it("a file under a spec: what the filters remove, the split, and one epoch's windows", () => {
    // Six users of items a-f in turn (8 each), and one item z that user 1 alone rates once: k_core(5) drops z.
    const users = Array.from({ length: 6 }, (_, u) => Array.from({ length: 8 }, (_, k) => `${u + 1} ${"abcdef"[(u + k) % 6]}`));
    users[0]!.splice(3, 0, "1 z");
    const file = fx.write("small.txt", users.flat().join("\n") + "\n");
    const r = cli("data", file, "--spec", "specs/mamba4rec.rec", "--max-len", "3", "--batch", "4", "--json");
    assert.equal(r.code, 0, r.stderr);
    const j = lastJson(r.stdout);
    assert.equal(j.format, "pairs");
    assert.deepEqual([j.read.users, j.read.items, j.read.interactions], [6, 7, 49]);
    assert.deepEqual([j.kept.users, j.kept.items, j.kept.interactions], [6, 6, 48]);
    assert.equal(j.kept.repeats, 2 * 6); // a-f in turn: the 7th and 8th items repeat the 1st and 2nd
    assert.equal(j.kept.usersWithRepeats, 6);
    assert.match(r.stdout, /filters: k_core\(5\), min_seq_len 3: k-core\(5\): removed 0 users, 1 item/);
    // 6 items to train on per user: 5 targets, in windows of 3 ending at 5 and 2 (2 rows per user)
    // ... and the validation and test targets (the 7th and 8th items) repeat the 1st and 2nd.
    assert.deepEqual(j.split, { trainTargets: 30, valid: 6, test: 6, testInputsCut: 6, validTargetsSeen: 6, testTargetsSeen: 6 });
    assert.match(r.stdout, /^repeat targets: 6 of 6 validation targets \(100\.0%\) and 6 of 6 test targets \(100\.0%\) are already in their user's history: only for those/m);
    assert.equal(j.epoch!.rows, 12);
    assert.equal(j.epoch!.positions, 30);
    assert.equal(j.epoch!.batch, 4);
    assert.match(r.stdout, /repeats: 12 interactions \(25\.0%\) return to an item the user had before, by 6 users/);
    assert.match(r.stdout, /training epoch \(targets all_positions, min_context 0, batch 4\): 12 windows, 30 input positions/);
  });

  it("a popularity spec has no training epoch", () => {
    const r = cli("data", "--spec", "specs/pop.rec", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /training epoch: none/);
    assert.equal(lastJson(r.stdout).epoch, null);
  });

  it("a spec's time_order float32 is applied and said", () => {
    const spec = fx.write("order.rec", "model P {\n  popularity\n}\n\ndata {\n  time_order: float32\n}\n");
    const file = fx.write("ratings.dat", ["1", "2", "3"].flatMap((u) => ["10", "11", "12"].map((i, k) => `${u}::${i}::4::${881250900 + 20 * k}`)).join("\n") + "\n");
    const r = cli("data", file, "--spec", spec, "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^order: time_order float32: where the format has timestamps/m);
    // Each user's ratings at 881250900, 920 and 940 round to 881250880, 944 and 944: the last two tie.
    assert.match(r.stdout, /^time ties \(as read\): 33\.3% of the interactions share their timestamp rounded to float32 with the user's previous one; for 3 of 3 users the last item ties/m);
    assert.equal((JSON.parse(r.stdout.trim().split("\n").pop()!) as { data: { timeOrder: string } }).data.timeOrder, "float32");
  });

  it("bad input is a located user error", () => {
    const cases: [string[], RegExp][] = [
      [["data", "/no/such/file.txt"], /^data file not found: \/no\/such\/file\.txt/],
      [["data", "--format", "pairs"], /--format needs a data file/],
      [["data", "a.txt", "b.txt"], /expected at most one data file, got 2/],
      [["data", "x.txt", "--format", "parquet"], /unknown --format 'parquet'/],
      [["data", "--max-len", "0"], /--max-len must be between 1 and/],
      [["data", "--spec", "specs/pop.rec", "--batch", "64"], /--batch has no effect: specs\/pop\.rec's model is not trained/],
      [["data", "--spec", "specs/sasrec.rec", "--max-len", "300"], /--max-len 300 contradicts the spec: specs\/sasrec\.rec:\d+:\d+/],
      [["data", "--spec", "test/check/fixtures/invalid/heads_divide.rec"], /heads_divide\.rec:\d+:\d+: error REC/],
    ];
    for (const [argv, message] of cases) {
      const r = cli(...argv);
      assert.equal(r.code, 1, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
    }
  });
});
