import assert from "node:assert/strict";
import { mergeResults, timedWith } from "../../../src/app/study/carry.js";

type Row = { status: string; hr: number; carried_from?: string; rerun?: Row };
type Pair = { model: string; reference: string; metric: string; p: number; carried_from?: string; reference_from?: string };

const ORDER = ["pop", "sasrec", "mamba", "tuned"];
const PAIRS = [["tuned", "mamba"], ["sasrec", "mamba"]] as const;
const previous = {
  date: "2026-11-20T05:57:22.481Z",
  models: {
    pop: { status: "finished", hr: 0.01 },
    sasrec: { status: "finished", hr: 0.25, carried_from: "2026-11-10" },
    mamba: { status: "finished", hr: 0.27 },
    tuned: { status: "unfinished", hr: 0.2 },
    dropped: { status: "finished", hr: 0.5 },
  } as Record<string, Row>,
  paired: [
    { model: "sasrec", reference: "mamba", metric: "hr@10", p: 0.01 },
    { model: "sasrec", reference: "mamba", metric: "ndcg@10", p: 0.02 },
    { model: "tuned", reference: "mamba", metric: "hr@10", p: 0.5 },
  ] as Pair[],
};

describe("study/carry: results that outlive their run folders", () => {
  it("a fresh row replaces the recorded one; a model without a folder keeps its finished row, dated", () => {
    const fresh: Record<string, Row> = { mamba: { status: "finished", hr: 0.28 } };
    const { models } = mergeResults(ORDER, fresh, [], previous, PAIRS);
    assert.deepEqual(Object.keys(models), ["pop", "sasrec", "mamba"]);
    assert.deepEqual(models.mamba, { status: "finished", hr: 0.28 });
    assert.deepEqual(models.pop, { status: "finished", hr: 0.01, carried_from: "2026-11-20" });
    // carried again: keeps the date it was first carried from
    assert.equal(models.sasrec!.carried_from, "2026-11-10");
    // an unfinished row is not carried (its checkpoint left with its folder); a model no longer
    // among the jobs is dropped
    assert.ok(!("tuned" in models) && !("dropped" in models));
  });

  it("paired tests are carried while their model is, in the pairs' order; against a retrained reference, marked with the reference run's date", () => {
    const none = mergeResults(ORDER, {}, [], previous, PAIRS);
    assert.deepEqual(none.paired.map((p) => [p.model, p.metric, p.carried_from]), [
      ["sasrec", "hr@10", "2026-11-20"],
      ["sasrec", "ndcg@10", "2026-11-20"],
    ]);
    // mamba trained again: the old sasrec-vs-mamba tests still compare sasrec's run with mamba's run of 2026-11-20
    const retrained = mergeResults(ORDER, { mamba: { status: "finished", hr: 0.28 } }, [], previous, PAIRS);
    assert.deepEqual(retrained.paired.map((p) => [p.model, p.metric, p.carried_from, p.reference_from]), [
      ["sasrec", "hr@10", "2026-11-20", "2026-11-20"],
      ["sasrec", "ndcg@10", "2026-11-20", "2026-11-20"],
    ]);
    // sasrec trained again: its old tests no longer stand for it
    assert.deepEqual(mergeResults(ORDER, { sasrec: { status: "finished", hr: 0.26 } }, [], previous, PAIRS).paired, []);
    // a reference with no row at all takes its tests with it
    assert.deepEqual(mergeResults(["sasrec"], {}, [], previous, PAIRS).paired, []);
    // fresh pairs come first in PAIRS order and replace recorded ones
    const freshPair: Pair = { model: "tuned", reference: "mamba", metric: "hr@10", p: 0.001 };
    const both = mergeResults(ORDER, { tuned: { status: "finished", hr: 0.3 }, mamba: { status: "finished", hr: 0.28 } }, [freshPair], previous, PAIRS);
    assert.deepEqual(both.paired.map((p) => [p.model, p.metric, p.reference_from]), [["tuned", "hr@10", undefined], ["sasrec", "hr@10", "2026-11-20"], ["sasrec", "ndcg@10", "2026-11-20"]]);
    assert.equal(both.paired[0], freshPair);
  });

  it("a model trained again keeps its finished row until the new run finishes, with the run's progress; its tests stay", () => {
    const running: Row = { status: "unfinished", hr: 0.2 };
    const during = mergeResults(ORDER, { sasrec: running }, [], previous, PAIRS);
    assert.deepEqual(during.models.sasrec, { status: "finished", hr: 0.25, carried_from: "2026-11-10", rerun: running });
    assert.deepEqual(during.paired.map((p) => [p.model, p.metric]), [["sasrec", "hr@10"], ["sasrec", "ndcg@10"]]);
    // the next report, once the run's folder is gone again: the stale rerun is not carried with the row
    const later = mergeResults(ORDER, {}, [], { ...previous, models: { ...previous.models, sasrec: during.models.sasrec! } }, PAIRS);
    assert.deepEqual(later.models.sasrec, { status: "finished", hr: 0.25, carried_from: "2026-11-10" });
    // finished: the fresh row replaces it
    assert.deepEqual(mergeResults(ORDER, { sasrec: { status: "finished", hr: 0.26 } }, [], previous, PAIRS).models.sasrec, { status: "finished", hr: 0.26 });
    // nothing finished to keep (the recorded row was unfinished too): the fresh unfinished row
    assert.deepEqual(mergeResults(ORDER, { tuned: running }, [], previous, PAIRS).models.tuned, running);
  });

  it("without a previous file, only the fresh rows", () => {
    const fresh: Record<string, Row> = { tuned: { status: "unfinished", hr: 0.2 } };
    assert.deepEqual(mergeResults(ORDER, fresh, [], null, PAIRS), { models: fresh, paired: [] });
  });

  it("efficiency: only rows timed where the reference was (fresh with fresh, carried from the same date with it)", () => {
    const rows: Record<string, Row> = {
      gru: { status: "finished", hr: 0.26, carried_from: "2026-11-28" },
      sasrec: { status: "finished", hr: 0.25 },
      mamba: { status: "finished", hr: 0.27 },
      narm: { status: "finished", hr: 0.24, carried_from: "2026-11-10" },
    };
    assert.deepEqual(timedWith(rows, ["gru", "narm", "sasrec", "mamba"], "sasrec"), { same: ["sasrec", "mamba"], elsewhere: ["gru", "narm"] });
    const carried = { ...rows, sasrec: { status: "finished", hr: 0.25, carried_from: "2026-11-28" } };
    assert.deepEqual(timedWith(carried, ["gru", "narm", "sasrec", "mamba"], "sasrec"), { same: ["gru", "sasrec"], elsewhere: ["narm", "mamba"] });
  });
});
