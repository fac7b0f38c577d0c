/** The seen-items figures in report.html and in the run summary: shown when recorded, "–" or nothing when not. */
import assert from "node:assert/strict";
import { renderReport, type ReportInput } from "../../src/app/report_html.js";
import type { RunResult } from "../../src/app/run_model.js";
import { printSummary } from "../../cli/summary.js";

const seen = { valid: { "10": { slots: 0.0512, users: 0.3 } }, test: { "10": { slots: 0.1234, users: 0.4567 } } };

const input = (extra: Partial<ReportInput> = {}): ReportInput => ({
  title: "T on synthetic",
  specText: "model T {}",
  facts: [],
  history: [1, 2, 3].map((epoch) => ({ epoch, loss: 5 - epoch, seconds: 1, valid: { "hr@10": 0.1 * epoch, "ndcg@10": 0.05 * epoch } })),
  valid: { "hr@10": 0.3, "ndcg@10": 0.15 },
  test: { "hr@10": 0.28, "ndcg@10": 0.14 },
  bestEpoch: 3,
  ...extra,
});

describe("report.html and the run summary: seen items in the top K", () => {
  it("the metrics table has the share of slots and of users per K, valid and test", () => {
    const html = renderReport(input({ seenInTop: seen }));
    assert.ok(html.includes("<tr><td>seen in top 10: slots</td><td>5.1%</td><td>12.3%</td></tr>"), html);
    assert.ok(html.includes("<tr><td>seen in top 10: users</td><td>30.0%</td><td>45.7%</td></tr>"));
  });

  it("a run without the figures shows \"–\" at the metrics' K, and no per-epoch column", () => {
    const html = renderReport(input());
    assert.ok(html.includes("<tr><td>seen in top 10: slots</td><td>–</td><td>–</td></tr>"), html);
    assert.doesNotMatch(html, /valid seen in top/);
  });

  it("per-epoch figures give a chart and a column of validation's share of slots", () => {
    const history = input().history.map((e) => ({ ...e, seenInTop: { "10": { slots: 0.01 * e.epoch, users: 0.1 * e.epoch } } }));
    const html = renderReport(input({ history, seenInTop: seen }));
    assert.ok(html.includes(`aria-label="validation: seen items' share of the top 10"`));
    assert.match(html, /<th>valid seen in top 10<\/th><\/tr><\/thead>/);
    assert.match(html, /<tr><td>2<\/td><td>3\.0000<\/td><td>1\.0<\/td><td>0\.2000<\/td><td>0\.1000<\/td><td>2\.0%<\/td><\/tr>/);
  });

  it("the summary prints a line per K, and none for a result without the figures", () => {
    const result: RunResult = {
      model: "T", dataset: "synthetic", users: 10, items: 20, epochs: 3, best_epoch: 3, seconds: 1, tokens_per_s: 100, peak_rss_mb: 100,
      backend: "cpu", kernels: "ts", seed: 1, valid: { "hr@10": 0.3 }, test: { "hr@10": 0.28 }, seen_in_top: seen,
    };
    let out = "";
    printSummary({ write: (s: string) => (out += s) }, result, "runs/t");
    assert.match(out, /^hr@10 +0\.3000 +0\.2800\nseen items in the top 10: valid 5\.1% of slots, 30\.0% of users; test 12\.3% of slots, 45\.7% of users\nrun folder: runs\/t\n$/m);
    const { seen_in_top: _, ...older } = result;
    out = "";
    printSummary({ write: (s: string) => (out += s) }, older, "runs/t");
    assert.doesNotMatch(out, /seen items/);
  });
});
