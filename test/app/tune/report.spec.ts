/**
 * The tuning report's rendering (src/app/tune/report.ts) on hand-made studies: the base placed in
 * the leaderboard among the last rung's trials, and what the report says when no trial beats it.
 */
import { strict as assert } from "node:assert";
import { renderCsv, renderMarkdown, renderSvg, type TrialRow, type TuneReport } from "../../../src/app/tune/report.js";

const trial = (id: string, lr: number, curve: number[], rung: number, outcome: string): TrialRow => {
  const value = Math.max(...curve);
  return { id, point: [{ param: "lr", value: lr }], curve, value, bestEpoch: curve.indexOf(value) + 1, rung, outcome, promoted: rung > 0 };
};

/** Three trials over rungs of 1 and 3 epochs: t2 and t1 reached the last rung, t3 stopped at the first. */
const study = (baseCurve: number[]): TuneReport => {
  const trials = [trial("t2", 0.002, [0.1, 0.2, 0.3], 1, "winner"), trial("t1", 0.001, [0.1, 0.15, 0.25], 1, "finished the last rung"), trial("t3", 0.003, [0.05], 0, "stopped at rung 1 (1 epoch)")];
  const baseValue = Math.max(...baseCurve);
  const baseWins = baseValue >= 0.3;
  return {
    baseFile: "m.rec", search: "lr log_uniform(0.001, 0.01)", algorithm: "asha(min_epochs: 1, max_epochs: 3, reduction: 2)", metric: "ndcg@10", budget: "Data x",
    params: ["lr"], trials, rungs: [{ epochs: 1, trials: ["t1", "t2", "t3"], promoted: ["t1", "t2"], endedEarly: [] }, { epochs: 3, trials: ["t1", "t2"], promoted: [], endedEarly: [] }],
    winner: { id: "t2", value: 0.3, file: "best.rec" }, baseEpochs: "trained for 3 epochs",
    base: { values: ["0.001"], curve: baseCurve, value: baseValue, bestEpoch: baseCurve.indexOf(baseValue) + 1 }, baseWins,
    test: null, rejected: [],
  };
};

const leaderboard = (md: string): string[] => md.split("\n").filter((l) => /^\| \d+ \| /.test(l)).map((l) => l.split(" | ")[1]!.replace(/\*/g, ""));

describe("tune report", () => {
  it("places the base among the last rung's trials by its validation value", () => {
    assert.deepEqual(leaderboard(renderMarkdown(study([0.1, 0.22, 0.27]))), ["t2", "base", "t1", "t3"]);
    assert.deepEqual(leaderboard(renderMarkdown(study([0.1, 0.2]))), ["t2", "t1", "base", "t3"], "below every last-rung trial, above those stopped earlier");
    assert.deepEqual(leaderboard(renderMarkdown({ ...study([0.1]), base: { values: ["0.001"], curve: [], value: NaN, bestEpoch: null } })), ["t2", "t1", "t3", "base"], "not run yet: last");
  });

  it("a winner that beats the base is best.rec, in bold; the base row gives its own values", () => {
    const md = renderMarkdown(study([0.1, 0.22, 0.27]));
    assert.match(md, /\| 1 \| \*\*t2\*\* \| 0\.002 \| 3 \| 0\.3000 \| 3 \| winner \|/);
    assert.match(md, /\| 2 \| base \| 0\.001 \| 3 \| 0\.2700 \| 3 \| the base, unchanged \(the test comparison's reference\) \|/);
    assert.match(md, /`best\.rec` is t2 \(lr = 0\.002\), validation ndcg@10 0\.3000 against the base's 0\.2700\./);
  });

  it("when no trial beats the base it says so, and best.rec is the base", () => {
    const r = study([0.1, 0.31, 0.3]);
    assert.ok(r.baseWins);
    const md = renderMarkdown(r);
    assert.deepEqual(leaderboard(md), ["base", "t2", "t1", "t3"]);
    assert.match(md, /\| 1 \| \*\*base\*\* \| 0\.001 \| 3 \| 0\.3100 \| 2 \| the base, unchanged: no trial beat it, so best\.rec is the base \|/);
    assert.doesNotMatch(md, /\*\*t2\*\*/);
    assert.match(md, /No trial beat the base: its validation ndcg@10 0\.3100 \(trained for 3 epochs\) against the best trial's 0\.3000 \(t2: lr = 0\.002\)\. `best\.rec` is therefore the base, unchanged\./);
    const csv = renderCsv(r).trim().split("\n");
    assert.equal(csv.length, 1 + 4);
    assert.equal(csv[1], "1,base,0.001,3,0.31,2,,\"the base, unchanged: no trial beat it, so best.rec is the base\"");
    const svg = renderSvg(r);
    assert.match(svg, /<polyline [^>]*stroke="#000" stroke-width="3" stroke-dasharray="6,3"><title>base: 0\.3100/);
    assert.match(svg, /black dashed: the base \(better than every trial\)/);
  });
});
