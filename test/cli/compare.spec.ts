import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { compareTable, curve, loadRuns } from "../../src/app/compare.js";
import { cli, ensureBuilt } from "../check/cli.js";

type Seen = Record<string, { slots: number; users: number }>;

/**
 * A run folder with a history of `ndcg` values (epochs 1..n), losses falling from 7; with `seen`,
 * the seen-items figures a run now records (validation's per epoch, and the finished run's).
 */
const makeRun = (root: string, name: string, ndcg: readonly (number | null)[], extra: { status?: string; test?: Record<string, number>; ranks?: { valid: number[]; test: number[] }; seen?: { valid: Seen; test: Seen } } = {}): string => {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const history = ndcg.map((v, i) => ({
    epoch: i + 1, loss: 7 - i / 10, valid: v === null ? null : { "hr@10": 2 * v, "ndcg@10": v },
    ...(extra.seen && v !== null ? { seen_in_top: { "10": { slots: v / 10, users: v } } } : {}), seconds: 1,
  }));
  writeFileSync(join(dir, "history.json"), JSON.stringify(history));
  writeFileSync(join(dir, "status.json"), JSON.stringify({ state: extra.status ?? "running", time: "2026-11-28T00:00:00Z" }));
  // A running run holds its folder's lock (this process stands in for it).
  if ((extra.status ?? "running") === "running") writeFileSync(join(dir, ".lock"), JSON.stringify({ host: hostname(), pid: process.pid, command: "reccompile run", since: "2026-11-28T00:00:00Z" }));
  if (extra.test) writeFileSync(join(dir, "metrics.json"), JSON.stringify({ best_epoch: 2, test: extra.test, ...(extra.seen ? { seen_in_top: extra.seen } : {}) }));
  if (extra.ranks) writeFileSync(join(dir, "ranks.json"), JSON.stringify(extra.ranks));
  return dir;
};

describe("reccompile compare", function () {
  this.timeout(60_000);
  let root = "";
  before(() => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), "rec-compare-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("tracks each run's best so far, skipping epochs without validation", () => {
    const [run] = loadRuns([makeRun(root, "a", [0.1, 0.3, null, 0.2])]);
    const c = curve(run!, "ndcg@10");
    assert.deepEqual(c.best, { value: 0.3, epoch: 2 });
    assert.equal(c.epochs, 4);
    assert.deepEqual([...c.points.values()].map((p) => [p.value, p.best]), [[0.1, 0.1], [0.3, 0.3], [null, 0.3], [0.2, 0.3]]);
    assert.deepEqual(curve(run!, "hr@10").best, { value: 0.6, epoch: 2 });
  });

  it("lines runs up by epoch: every N-th, the first, and each run's last", () => {
    const runs = loadRuns([makeRun(root, "ref", [0.1, 0.2, 0.3, 0.35, 0.3, 0.4, 0.39], { status: "complete", test: { "ndcg@10": 0.25 } }), makeRun(root, "cand", [0.15, 0.25, 0.2])]);
    const lines = compareTable(runs, { metric: "ndcg@10", every: 5 });
    const epochs = lines.filter((l) => /^\d+\s/.test(l)).map((l) => Number(l.split(/\s+/)[0]));
    assert.deepEqual(epochs, [1, 3, 5, 7]);
    assert.match(lines[1]!, /ref\s+cand$/);
    const row3 = lines.find((l) => l.startsWith("3 "))!.trim().split(/\s+/);
    assert.deepEqual(row3, ["3", "6.8000", "0.3000", "0.3000", "6.8000", "0.2000", "0.2500"]);
    assert.deepEqual(lines.find((l) => l.startsWith("best"))!.trim().split(/\s+/), ["best", "0.4000", "@6", "0.2500", "@2"]);
    assert.deepEqual(lines.find((l) => l.startsWith("state"))!.trim().split(/\s+/), ["state", "7", "epochs", "complete", "3", "epochs", "running"]);
    assert.ok(lines.some((l) => /^\s+ref\s+ndcg@10 0\.2500$/.test(l)), lines.join("\n"));
  });

  it("prints the table, and --json the curves", () => {
    const a = makeRun(root, "x/one", [0.1, 0.2]);
    const b = makeRun(root, "y/one", [0.3]);
    const r = cli("compare", a, b, "--every", "1");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(a) && r.stdout.includes(b), "clashing folder names are shown as paths");
    const j = cli("compare", a, "--json", "--metric", "hr@10");
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout) as { metric: string; runs: { best: { value: number; epoch: number }; curve: unknown[] }[] };
    assert.equal(out.metric, "hr@10");
    assert.deepEqual(out.runs[0]!.best, { value: 0.4, epoch: 2 });
    assert.equal(out.runs[0]!.curve.length, 2);
  });

  it("compares finished runs per user against the first one, with paired tests", () => {
    // 40 users. The candidate ranks every test target one place higher where the reference had it
    // in the top 10 but not first; on validation both rank the same.
    const refTest = Array.from({ length: 40 }, (_, u) => 1 + (u % 15));
    const candTest = refTest.map((r) => (r > 1 && r <= 10 ? r - 1 : r));
    const valid = Array.from({ length: 40 }, (_, u) => 1 + (u % 7));
    const done = { status: "complete", test: { "ndcg@10": 0.2 } };
    const ref = makeRun(root, "p-ref", [0.1, 0.2], { ...done, ranks: { valid, test: refTest } });
    const cand = makeRun(root, "p-cand", [0.1, 0.3], { ...done, ranks: { valid, test: candTest } });
    const other = makeRun(root, "p-other", [0.1], { ...done, ranks: { valid: valid.slice(1), test: refTest.slice(1) } });
    const running = makeRun(root, "p-running", [0.2]);
    const lines = compareTable(loadRuns([running, ref, cand, other]), { metric: "ndcg@10", every: 1 });
    const at = lines.findIndex((l) => l.startsWith("ndcg@10 per user against p-ref"));
    assert.ok(at > 0, lines.join("\n"));
    const [v, t, skipped] = lines.slice(at + 1);
    assert.match(v!, /^\s+p-cand\s+valid\s+(\d\.\d{4}) vs \1\s+\+0\.0000 \(\+0\.0%\)\s+t p=1\.0000\s+Wilcoxon p=1\.0000\s+\(40 users\)$/);
    const ndcg = (ranks: number[]) => ranks.reduce((s, r) => s + (r <= 10 ? 1 / Math.log2(r + 1) : 0), 0) / ranks.length;
    const [want, base] = [ndcg(candTest), ndcg(refTest)];
    assert.ok(t!.includes(`${want.toFixed(4)} vs ${base.toFixed(4)}  +${(want - base).toFixed(4)}`), t);
    // 27 of 40 users gain, none lose. scipy.stats.ttest_rel: p = 0.001366; wilcoxon(correction=True,
    // method="approx"): p = 5.8e-6.
    assert.match(t!, /t p=0\.0014\s+Wilcoxon p<1e-4/, t);
    assert.match(skipped!, /p-other: not over the same users as p-ref, not compared/);
    const j = cli("compare", ref, cand, "--json");
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout) as { paired: { reference: string; rows: { label: string; split: string; delta: number; pT: number | null }[] } };
    assert.equal(out.paired.reference, "p-ref");
    assert.deepEqual(out.paired.rows.map((r) => [r.label, r.split]), [["p-cand", "valid"], ["p-cand", "test"]]);
    assert.equal(out.paired.rows[0]!.pT, 1);
    assert.ok(Math.abs(out.paired.rows[1]!.delta - (want - base)) < 1e-12);
  });

  it("shows finished runs' seen items in the top K on test, \"–\" for runs from before they were measured; --json carries them", () => {
    const seen = { valid: { "10": { slots: 0.05, users: 0.3 }, "20": { slots: 0.04, users: 0.5 } }, test: { "10": { slots: 0.1234, users: 0.4567 }, "20": { slots: 0.08, users: 0.6 } } };
    const done = { status: "complete", test: { "ndcg@10": 0.2 } };
    const now = makeRun(root, "s-now", [0.1, 0.2], { ...done, seen });
    const old = makeRun(root, "s-old", [0.1, 0.3], done);
    const running = makeRun(root, "s-running", [0.2], { seen });
    const lines = compareTable(loadRuns([now, old, running]), { metric: "ndcg@10", every: 1 });
    const at = lines.indexOf("seen items in the top K on test (finished runs; their share of the top-K slots, and of the users with one):");
    assert.ok(at > 0, lines.join("\n"));
    assert.deepEqual(lines.slice(at + 1, at + 3), [
      "  s-now  top 10: 12.3% of slots, 45.7% of users; top 20: 8.0% of slots, 60.0% of users",
      "  s-old  –",
    ]);
    // Old folders only: the section says "–" for each.
    const onlyOld = compareTable(loadRuns([old]), { metric: "ndcg@10", every: 1 });
    assert.equal(onlyOld.at(-1), "  s-old  –");
    const j = cli("compare", now, old, running, "--json");
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout) as { runs: { label: string; seen_in_top: unknown; curve: { epoch: number; seen_in_top?: Seen }[] }[] };
    assert.deepEqual(out.runs.map((r) => r.seen_in_top), [seen, null, null]);
    assert.deepEqual(out.runs[0]!.curve.map((p) => p.seen_in_top), [{ "10": { slots: 0.01, users: 0.1 } }, { "10": { slots: 0.02, users: 0.2 } }]);
    assert.deepEqual(out.runs[1]!.curve.map((p) => p.seen_in_top), [undefined, undefined]);
    const text = cli("compare", now, old);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ {2}s-old {2}–$/m);
  });

  it("a missing folder, a broken history, an unknown metric or a bad flag is a user error naming it", () => {
    const ok = makeRun(root, "ok", [0.1]);
    const broken = join(root, "broken");
    mkdirSync(broken);
    writeFileSync(join(broken, "history.json"), "[{\"epoch\": 1, \"loss\": \"x\"");
    const wrong = join(root, "wrong");
    mkdirSync(wrong);
    writeFileSync(join(wrong, "history.json"), JSON.stringify([{ epoch: 1, loss: "high", valid: null, seconds: 1 }]));
    const wrongSeen = join(root, "wrong-seen");
    mkdirSync(wrongSeen);
    writeFileSync(join(wrongSeen, "history.json"), JSON.stringify([{ epoch: 1, loss: 2, valid: null, seconds: 1, seen_in_top: { "10": { slots: "x", users: 0 } } }]));
    const cases: [string[], RegExp][] = [
      [[join(root, "nope")], /no run folder at .*nope/],
      [[root], /is not a run folder, or has not finished an epoch yet \(no history\.json\)/],
      [[broken], /broken[/\\]history\.json: cannot read a training history \(not JSON/],
      [[wrong], /wrong[/\\]history\.json: not a training history \(at 0\.loss\)/],
      [[wrongSeen], /wrong-seen[/\\]history\.json: not a training history \(at 0\.seen_in_top\.10\.slots\)/],
      [[ok, "--metric", "ndcg@5"], /has no validation 'ndcg@5' \(it has hr@10, ndcg@10\)/],
      [[ok, "--every", "0"], /--every must be between 1 and/],
      [[], /expected one or more run folders/],
    ];
    for (const [args, message] of cases) {
      const r = cli("compare", ...args);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    }
  });
});
