/**
 * `reccompile tune` end to end through the CLI (from source, as `reccompile` runs) on the built-in
 * synthetic data: a tiny spec, four trials by successive halving over 1, 2 and 3 epochs, two runs at
 * a time. Checks the files written, that running it again retrains nothing, that a study stopped in
 * its last rung continues there, and that best.rec checks.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkFile } from "../../src/check/index.js";
import { packageRoot } from "../../src/util/paths.js";

const root = packageRoot();

const cli = (args: readonly string[]): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "cli", "reccompile.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

/** Four trials by successive halving over 1, 2 and 3 epochs (also the Slurm cluster test's study). */
const TINY = readFileSync(join(root, "test", "app", "study", "fixtures", "tiny-tune.rec"), "utf8");

describe("reccompile tune (CLI)", function () {
  this.timeout(600_000);
  let dir = "";
  let spec = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tune-cli-"));
    spec = join(dir, "tiny.rec");
    writeFileSync(spec, TINY);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("--dry-run lists the trials with their diffs and the rungs, and writes nothing", () => {
    const r = cli(["tune", spec, "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^4 trials of \S+tiny\.rec \(asha\(min_epochs: 1, max_epochs: 3, reduction: 2\), chosen by validation ndcg@10\): rungs 4 × 1 epoch, 2 × 2 epochs, 1 × 3 epochs, and the base at 3: at most 10 epochs; nothing written/);
    assert.match(r.stdout, /\nt01: lr = [\d.]+, dim = (8|16)\n {2}~ /);
    assert.match(r.stdout, /~ train\.optimizer\.lr 0\.001 -> /);
    assert.equal(cli(["tune", spec, "--dry-run"]).stdout, r.stdout, "the same seed gives the same trials");
    assert.ok(!existsSync(join(dir, "tune")));
  });

  it("trains the rungs, writes the study and best.rec; again, it retrains nothing; stopped in its last rung, it continues there", () => {
    const out = join(dir, "study");
    const r = cli(["tune", spec, "--out", out, "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    // One progress line per finished run, with the budget left; one line per promotion.
    assert.equal(r.stdout.match(/^\[rung \d\/3, \d\/\d\] (t0\d|base) \(.*\): done in [\d.]+s; valid ndcg@10 [\d.]+ \(epoch \d\); about \d+ of 10 epochs left at most$/gm)?.length, 4 + 2 + 2);
    assert.match(r.stdout, /^rung 1\/3 \(1 epoch\): t0\d, t0\d continue to 2 epochs; stopped: t0\d, t0\d; /m);
    assert.match(r.stdout, /^rung 2\/3 \(2 epochs\): t0\d continues to 3 epochs; stopped: t0\d; /m);
    // The winner is the best trial of the last rung, unless the base does at least as well on validation.
    const baseWon = /^best: the base \(no trial beat it: validation ndcg@10 [\d.]+ against the best trial t0\d's [\d.]+\); wrote it unchanged to /m.test(r.stdout);
    if (!baseWon) assert.match(r.stdout, /^best: (t0\d) \(lr = [\d.]+, dim = \d+\), validation ndcg@10 [\d.]+; wrote /m);
    const winner = baseWon ? "base" : /^best: (t0\d)/m.exec(r.stdout)![1]!;
    const bestTrial = /^on test, not used for selection, (t0\d) against the base: /m.exec(r.stdout)![1]!;
    if (!baseWon) assert.equal(bestTrial, winner);

    const files = readdirSync(out).sort();
    assert.deepEqual(files, ["best.rec", "runs", "tiny--t01.rec", "tiny--t02.rec", "tiny--t03.rec", "tiny--t04.rec", "tune.csv", "tune.json", "tune.md", "tune.svg"]);
    assert.match(readFileSync(join(out, "tiny--t02.rec"), "utf8"), /^\/\/ Tuning trial t02 of \S+tiny\.rec: lr = [\d.]+, dim = \d+\n/);
    for (const id of ["t01", "t02", "t03", "t04", "base"]) assert.ok(existsSync(join(out, "runs", id, "metrics.json")), id);
    // Every run ran the code frozen into the study when it started (one copy), not the working tree.
    const copies = readdirSync(join(out, "runs", ".code"));
    assert.equal(copies.length, 1);
    for (const id of ["t01", "base"]) assert.match(readFileSync(join(out, "runs", id, "model.mjs"), "utf8"), new RegExp(`from "file://[^"]*/runs/\\.code/${copies[0]}/src/api\\.js"`));
    // The best trial trained 3 epochs (resumed twice); the history says so.
    assert.equal((JSON.parse(readFileSync(join(out, "runs", bestTrial, "history.json"), "utf8")) as unknown[]).length, 3);
    const md = readFileSync(join(out, "tune.md"), "utf8");
    // The leaderboard ranks the base among the last rung's trials; the winner is first, in bold.
    assert.match(md, baseWon
      ? /\| 1 \| \*\*base\*\* \| [\d.]+ \| \d+ \| 3 \| [\d.]+ \| \d \| the base, unchanged: no trial beat it, so best\.rec is the base \|/
      : new RegExp(`\\| 1 \\| \\*\\*${winner}\\*\\* \\| [\\d.]+ \\| \\d+ \\| 3 \\| [\\d.]+ \\| \\d \\| winner \\|`));
    assert.match(md, /\| \d \| (\*\*)?base(\*\*)? \| 0\.001 \| 8 \| 3 \| [\d.]+ \| \d \| the base, unchanged/);
    assert.match(md, /\| 1 \(1 epoch\) \| 4 \| t0\d, t0\d \| t0\d, t0\d \|/);
    assert.match(md, /### On test, against the base \(trained for 3 epochs\): not used for selection/);
    assert.match(md, /\| ndcg@10 \| [\d.]+ \| [\d.]+ \| [+−][\d.]+ \([+−][\d.]+%\) \| (<1e-4|[\d.]+) \| (<1e-4|[\d.]+) \| 1000 \|/);
    assert.equal(readFileSync(join(out, "tune.csv"), "utf8").trim().split("\n").length, 1 + 4 + 1, "a line per trial and one for the base");
    assert.match(readFileSync(join(out, "tune.svg"), "utf8"), /^<svg [^>]*>[\s\S]*<polyline [\s\S]*<\/svg>\n$/);
    const best = readFileSync(join(out, "best.rec"), "utf8");
    if (baseWon) {
      assert.match(best, /^\/\/ \S+tiny\.rec, unchanged: `reccompile tune` found no better trial \(4 trials, asha/);
      assert.match(best, /\n\/\/ Validation ndcg@10: the base [\d.]+ \(trained for 3 epochs\), the best trial t0\d [\d.]+\.\n/);
    } else {
      assert.match(best, new RegExp(`^// Tuned from \\S+tiny\\.rec by \`reccompile tune\`: trial ${winner} of 4, asha`));
      assert.match(best, /\n\/\/ Sets lr = [\d.]+, dim = \d+; validation ndcg@10 [\d.]+ /);
      assert.equal(best.split("// Changes against the base")[1], readFileSync(join(out, `tiny--${winner}.rec`), "utf8").split("// Changes against the base")[1]?.replace(/\/\/ Generated by[^\n]*\n/, ""));
    }
    assert.match(best, /\n\/\/ Study folder: \S+study /);
    assert.doesNotMatch(best, /\ntune \{/);
    assert.equal(checkFile(join(out, "best.rec"))._tag, "Right");

    // Again: every rung is skipped, nothing is trained, the same winner.
    const mtime = statSync(join(out, "runs", bestTrial, "metrics.json")).mtimeMs;
    const again = cli(["tune", spec, "--out", out, "--jobs", "2", "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.match(/: finished earlier, skipped$/gm)?.length, 3);
    assert.doesNotMatch(again.stdout, /done in/);
    assert.equal(statSync(join(out, "runs", bestTrial, "metrics.json")).mtimeMs, mtime);
    const json = JSON.parse(again.stdout.trim().split("\n").pop()!) as { best: { id: string }; trials: unknown[]; test: unknown[] };
    assert.equal(json.best.id, winner);
    assert.equal(json.trials.length, 4, "the trials, not the base");

    // Stopped in the last rung, before the base ran: only the base trains; the winner's run is kept.
    const state = JSON.parse(readFileSync(join(out, "tune.json"), "utf8")) as { rungs: unknown[] };
    writeFileSync(join(out, "tune.json"), JSON.stringify({ ...state, rungs: state.rungs.slice(0, 2) }));
    rmSync(join(out, "runs", "base"), { recursive: true });
    rmSync(join(out, "runs", "base.json"));
    const resumed = cli(["tune", spec, "--out", out, "--jobs", "2"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout.match(/: finished earlier, skipped$/gm)?.length, 2);
    assert.match(resumed.stdout, new RegExp(`\\[rung 3/3, \\d/2\\] ${bestTrial} \\(.*\\): finished earlier;`));
    assert.match(resumed.stdout, /\[rung 3\/3, \d\/2\] base \(the base\): done in /);
    assert.equal(statSync(join(out, "runs", bestTrial, "metrics.json")).mtimeMs, mtime);
    assert.match(resumed.stdout, new RegExp(`^best: ${baseWon ? "the base" : winner} `, "m"));
  });

  it("when no trial beats the base, best.rec is the base unchanged, and the report and the output say so", () => {
    // Learning rates a hundred times below the base's cannot catch up with it in one epoch.
    const slow = join(dir, "slow.rec");
    writeFileSync(slow, TINY.replace("epochs: 3", "epochs: 1").replace(/tune \{[\s\S]*\}\n$/, `tune {
  lr: log_uniform(0.00001, 0.00002)
  trials: 2
  algorithm: random
  metric: ndcg@10
  seed: 1
}
`));
    const out = join(dir, "slow-study");
    const r = cli(["tune", slow, "--out", out, "--jobs", "2", "--json"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^best: the base \(no trial beat it: validation ndcg@10 [\d.]+ against the best trial t0\d's [\d.]+\); wrote it unchanged to \S+best\.rec$/m);
    const json = JSON.parse(r.stdout.trim().split("\n").pop()!) as { best: { id: string; point: string } };
    assert.deepEqual([json.best.id, json.best.point], ["base", "the base, unchanged"]);
    const md = readFileSync(join(out, "tune.md"), "utf8");
    assert.match(md, /\| 1 \| \*\*base\*\* \| 0\.001 \| 1 \| [\d.]+ \| 1 \| the base, unchanged: no trial beat it, so best\.rec is the base \|/);
    assert.match(md, /No trial beat the base: /);
    const best = readFileSync(join(out, "best.rec"), "utf8");
    assert.match(best, /^\/\/ \S+slow\.rec, unchanged: `reccompile tune` found no better trial \(2 trials, random\)\.\n/);
    assert.equal(checkFile(join(out, "best.rec"))._tag, "Right");
    // The spec below the header is the base's, without its tune section.
    const body = best.split("\n").filter((l) => !l.startsWith("//")).join("\n");
    assert.match(body, /model Tiny \{/);
    assert.match(body, /lr: 0\.001\b/);
    assert.doesNotMatch(body, /tune \{/);
  });

  it("user mistakes exit 1 without a stack trace", () => {
    const plain = join(dir, "plain.rec");
    writeFileSync(plain, TINY.replace(/tune \{[\s\S]*\}\n$/, ""));
    for (const [args, message] of [
      [["tune", plain, "--dry-run"], /has no tune \{ … \} section/],
      [["tune", spec, "--dry-run", "--jobs", "2"], /--jobs does not apply with --dry-run/],
      [["tune", spec, "--dry-run", "--trials", "0"], /--trials must be between 1/],
      [["tune", spec, "--slurm-mem", "4G"], /--slurm-mem only applies with --executor slurm/],
    ] as const) {
      const r = cli(args);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
