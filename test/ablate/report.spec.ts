import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { perCase, parseMetric } from "../../src/eval/metrics.js";
import { pairedTTest } from "../../src/eval/significance.js";
import { buildReport, readRun, renderCsv, renderMarkdown, renderSvg, type ReportInput } from "../../src/ablate/report.js";
import { diffSpecs } from "../../src/ir/diff.js";

const mean = (m: string, ranks: readonly number[]): number => {
  const v = perCase(parseMetric(m)!, Int32Array.from(ranks));
  return v.reduce((s, x) => s + x, 0) / v.length;
};

/** A fake run folder whose metrics.json agrees with its ranks.json. */
const fakeRun = (dir: string, test: number[], valid: number[]): void => {
  mkdirSync(dir, { recursive: true });
  const ms = ["hr@10", "ndcg@10", "mrr@10"];
  const summary = (r: number[]): Record<string, number> => Object.fromEntries(ms.map((m) => [m, mean(m, r)]));
  writeFileSync(join(dir, "metrics.json"), JSON.stringify({ model: "M", dataset: "fake", users: test.length, items: 50, epochs: 1, seconds: 1, tokens_per_s: 1, peak_rss_mb: 1, valid: summary(valid), test: summary(test) }));
  writeFileSync(join(dir, "ranks.json"), JSON.stringify({ valid, test }));
};

describe("ablate: report from run folders", () => {
  let dir = "";
  const baseTest = [1, 2, 3, 1, 5, 12, 2, 1, 30, 4, 1, 2];
  const worseTest = [3, 9, 15, 2, 11, 40, 8, 3, 30, 12, 4, 9];
  const sameTest = [...baseTest];
  let input: ReportInput;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ablate-report-"));
    fakeRun(join(dir, "base"), baseTest, baseTest.map((r) => r + 1));
    fakeRun(join(dir, "no-ffn"), worseTest, worseTest);
    fakeRun(join(dir, "same"), sameTest, baseTest.map((r) => r + 1));
    input = {
      baseFile: "specs/m.rec",
      base: readRun(join(dir, "base"))!,
      budget: "data built-in synthetic, epochs 1, seed 2020",
      variants: [
        { id: "no-ffn", description: "remove the FFN", run: readRun(join(dir, "no-ffn")) },
        { id: "same", description: "a no-op | with a pipe", run: readRun(join(dir, "same")) },
        { id: "broken", description: "never finished", run: readRun(join(dir, "broken")), error: "exit 2" },
      ],
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("readRun gives null for an unfinished folder", () => {
    assert.equal(readRun(join(dir, "broken")), null);
  });

  it("computes deltas and paired t-test p-values over users from ranks.json", () => {
    const r = buildReport(input);
    assert.deepEqual(r.metrics, ["hr@10", "ndcg@10", "mrr@10"]);
    assert.deepEqual(r.missing, [{ id: "broken", reason: "exit 2" }]);
    const row = r.rows.find((x) => x.id === "no-ffn" && x.split === "test")!;
    for (const c of row.cells) {
      const m = parseMetric(c.metric)!;
      const a = perCase(m, Int32Array.from(worseTest));
      const b = perCase(m, Int32Array.from(baseTest));
      assert.ok(Math.abs(c.delta - (mean(c.metric, worseTest) - mean(c.metric, baseTest))) < 1e-12, c.metric);
      assert.ok(Math.abs(c.relDelta - c.delta / c.base) < 1e-12);
      assert.equal(c.pT, pairedTTest(a, b).p);
      assert.equal(c.n, baseTest.length);
    }
    const ndcg = row.cells.find((c) => c.metric === "ndcg@10")!;
    assert.ok(ndcg.delta < 0 && ndcg.pT < 0.05, `${ndcg.delta} ${ndcg.pT}`);
    const hr = row.cells.find((c) => c.metric === "hr@10")!;
    assert.ok(Math.abs(hr.delta - (7 / 12 - 10 / 12)) < 1e-12);
    const same = r.rows.find((x) => x.id === "same" && x.split === "test")!;
    for (const c of same.cells) { assert.equal(c.delta, 0); assert.equal(c.pT, 1); }
  });

  it("renders the Markdown table, the CSV and the SVG", () => {
    const r = buildReport(input);
    const md = renderMarkdown(r, input);
    assert.match(md, /^# Ablation of specs\/m\.rec/);
    assert.match(md, /Budget per variant: data built-in synthetic, epochs 1, seed 2020\./);
    assert.match(md, /\| variant \| hr@10 \| ndcg@10 \| mrr@10 \|/);
    assert.match(md, /\| \*\*base\*\* \| 0\.8333 \| 0\.6009 \| 0\.5236 \|/);
    assert.match(md, /\| no-ffn \| 0\.5833 \(−0\.2500, −30\.0%, p=0\.0819\) \| 0\.2483 \(−0\.3526, −58\.7%, p<1e-4\*\) \|/);
    assert.match(md, /\| same \| 0\.8333 \(\+0\.0000, \+0\.0%, p=1\.0000\) \|/);
    assert.match(md, /a no-op \\\| with a pipe/);
    assert.match(md, /## Not finished\n\n- `broken`: exit 2/);

    const csv = renderCsv(r).trimEnd().split("\n");
    assert.equal(csv[0], "variant,description,split,metric,value,base,delta,rel_delta,p_ttest,p_wilcoxon,n_users");
    assert.equal(csv.length, 1 + 2 * 2 * 3);
    const hrLine = csv.find((l) => l.startsWith("no-ffn,remove the FFN,test,hr@10,"))!.split(",");
    assert.ok(Math.abs(Number(hrLine[6]) - (7 / 12 - 10 / 12)) < 1e-12);
    assert.ok(Number(hrLine[8]) > 0 && Number(hrLine[8]) < 1);
    assert.equal(hrLine[10], "12");

    const svg = renderSvg(r, input);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(!/href|<script|@import|url\(/.test(svg), "self-contained");
    // 3 metrics x (base + 2 finished variants) bars, plus the background.
    assert.equal((svg.match(/<rect /g) ?? []).length, 1 + 3 * 3);
    assert.match(svg, /no-ffn: 0\.5833 \(−0\.2500, p=0\.0819\)/);
  });
});

describe("ablate: IR diff", () => {
  it("is empty for equal specs and ignores spans", async () => {
    const { checkText } = await import("../../src/check/index.js");
    const a = checkText("a.rec", "model M {\n  embedding items(dim: 8)\n  layernorm\n  output tied\n}\n");
    const b = checkText("b.rec", "\n\nmodel M { embedding items(dim: 8)  layernorm(eps: 1e-12)  output tied }\n");
    assert.ok(a._tag === "Right" && b._tag === "Right");
    assert.deepEqual(diffSpecs(a.right.spec, b.right.spec), []);
    const c = checkText("c.rec", "model M { embedding items(dim: 8)  layernorm(eps: 1e-5)  dropout(0.1)  output tied }\ntrain { seed: 1 }\n");
    assert.ok(c._tag === "Right");
    assert.deepEqual(diffSpecs(a.right.spec, c.right.spec), ["~ layers[0].eps 1e-12 -> 0.00001", "+ layers[1] dropout(0.1)", "~ train.seed 2020 -> 1"]);
  });
});
