import assert from "node:assert/strict";
import { evaluate, rankOf, defaultChunkUsers, seenInTopFigures, topItems } from "../../src/eval/evaluate.js";
import { metricValue, parseMetric, perCase, summarize } from "../../src/eval/metrics.js";
import type { EvalCase } from "../../src/data/types.js";
import type { Metric } from "../../src/ir/spec.js";
import type { Scorer } from "../../src/eval/types.js";
import { Rng } from "../../src/util/rng.js";

const M = (name: Metric["name"], k: number): Metric => ({ name, k });
const ALL10 = [M("hr", 10), M("ndcg", 10), M("mrr", 10), M("recall", 10)];

/** A scorer returning fixed rows (one per case, in order of the calls). */
/** The case each input array was made for (by `cases`), so that a fixed scorer finds its row whatever order the evaluator asks in. */
const caseOfInput = new WeakMap<Int32Array, number>();

/** Scores row i of `rows` for case i's input (an input `cases` did not make: the rows in call order). */
const fixedScorer = (rows: number[][]): Scorer => {
  let next = 0;
  return async (inputs) => {
    const w = rows[0]!.length;
    const out = new Float32Array(inputs.length * w);
    for (let r = 0; r < inputs.length; r++) out.set(rows[caseOfInput.get(inputs[r]!) ?? next++]!, r * w);
    return out;
  };
};

/** Cases whose history is their input (histories shorter than max_len). */
const cases = (targets: number[], inputs: number[][] = []): EvalCase[] =>
  targets.map((t, u) => {
    const input = Int32Array.from(inputs[u] ?? [1]);
    caseOfInput.set(input, u);
    return { user: u, input, target: t, history: input };
  });

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe("eval/metrics", () => {
  it("hand-computed values at ranks 1, 2, 3, 10, 11", () => {
    // rank 1: everything is 1
    for (const m of ALL10) assert.equal(metricValue(m, 1), 1);
    close(metricValue(M("ndcg", 10), 2), 1 / Math.log2(3)); // 0.6309297535714575
    close(metricValue(M("ndcg", 10), 2), 0.6309297535714575);
    close(metricValue(M("mrr", 10), 2), 0.5);
    close(metricValue(M("ndcg", 10), 3), 0.5); // 1/log2(4)
    close(metricValue(M("mrr", 10), 3), 1 / 3);
    close(metricValue(M("ndcg", 10), 10), 1 / Math.log2(11));
    close(metricValue(M("ndcg", 10), 7), 1 / 3); // 1/log2(8)
    assert.equal(metricValue(M("hr", 10), 10), 1);
    assert.equal(metricValue(M("recall", 10), 10), 1);
    for (const m of ALL10) assert.equal(metricValue(m, 11), 0);
    assert.equal(metricValue(M("hr", 1), 2), 0);
  });

  it("summarize averages over cases; perCase keeps each", () => {
    const ranks = Int32Array.from([1, 3, 7, 20]);
    const s = summarize([M("hr", 10), M("ndcg", 10), M("mrr", 10), M("hr", 5)], ranks);
    close(s["hr@10"]!, 0.75);
    close(s["ndcg@10"]!, (1 + 0.5 + 1 / 3 + 0) / 4);
    close(s["mrr@10"]!, (1 + 1 / 3 + 1 / 7) / 4);
    close(s["hr@5"]!, 0.5);
    assert.deepEqual(Array.from(perCase(M("mrr", 5), ranks)), [1, 1 / 3, 0, 0]);
  });

  it("parses metric names", () => {
    assert.deepEqual(parseMetric("NDCG@20"), { name: "ndcg", k: 20 });
    assert.equal(parseMetric("hr@0"), null);
    assert.equal(parseMetric("map@10"), null);
  });
});

describe("eval/evaluate: ranks", () => {
  // numItems = 5; column 0 is padding (its score must never matter).
  it("rank = 1 + number of other items scoring >= target", () => {
    const row = new Float32Array([99, 0.1, 0.5, 0.3, 0.9, 0.2]);
    assert.equal(rankOf(row, 0, 5, 4, []), 1); // 0.9 is the best
    assert.equal(rankOf(row, 0, 5, 2, []), 2); // 0.5: only 0.9 above
    assert.equal(rankOf(row, 0, 5, 1, []), 5); // 0.1: worst
    assert.equal(rankOf(row, 0, 5, 3, []), 3);
  });

  it("ties count against the target", () => {
    const row = new Float32Array([0, 0.5, 0.5, 0.2, 0.5, 0.1]);
    // target 2 ties with 1 and 4: both count -> rank 3
    assert.equal(rankOf(row, 0, 5, 2, []), 3);
    assert.equal(rankOf(row, 0, 5, 1, []), 3);
    // a constant model: rank = numItems for every target
    const flat = new Float32Array(6).fill(1);
    for (let t = 1; t <= 5; t++) assert.equal(rankOf(flat, 0, 5, t, []), 5);
  });

  it("padding column is ignored even when it scores highest", () => {
    const row = new Float32Array([Infinity, 0.1, 0.2, 0.3, 0.4, 0.5]);
    assert.equal(rankOf(row, 0, 5, 5, []), 1);
  });

  it("NaN scores are the worst", () => {
    const row = new Float32Array([0, NaN, 0.2, NaN, 0.4, -Infinity]);
    assert.equal(rankOf(row, 0, 5, 2, []), 2); // only 0.4 above; NaNs never outrank
    assert.equal(rankOf(row, 0, 5, 5, []), 3); // -Inf: 0.2 and 0.4 above, NaN not
    assert.equal(rankOf(row, 0, 5, 1, []), 5); // NaN target: every other item outranks it
    assert.equal(rankOf(row, 0, 5, 1, [2, 4]), 3); // ... every other *ranked* item
  });

  it("evaluate asks for the shortest inputs first, in chunks, and gives each case its own rank and counts", async () => {
    // Inputs of lengths 3, 1, 2, 1, 3, 2; a scorer that ranks item 1 first for inputs of odd length.
    const cs = cases([1, 1, 2, 1, 2, 1], [[1, 2, 3], [4], [1, 2], [5], [2, 3, 4], [3, 4]]);
    const asked: number[][] = [];
    const scorer: Scorer = async (inputs) => {
      asked.push(inputs.map((x) => x.length));
      const out = new Float32Array(inputs.length * 6);
      inputs.forEach((x, r) => out.set(x.length % 2 ? [0, 0.9, 0.5, 0.4, 0.3, 0.2] : [0, 0.5, 0.9, 0.4, 0.3, 0.2], r * 6));
      return out;
    };
    const r = await evaluate(scorer, cs, { numItems: 5, metrics: [M("hr", 1), M("hr", 2)], excludeSeen: false, chunkUsers: 4 });
    assert.deepEqual(asked, [[1, 1, 2, 2], [3, 3]], "cases 1, 3, 2, 5, then 0, 4");
    // Odd length: target 1 is first, 2 second; even: 2 first, 1 second.
    assert.deepEqual(Array.from(r.ranks), [1, 1, 1, 1, 2, 2]);
    assert.deepEqual(r.seenInTop.map((x) => Array.from(x.counts)), [[1, 0, 1, 0, 0, 0], [2, 0, 2, 0, 1, 0]], "each case's seen count at its own index");
  });

  it("evaluate: hand-computed fixture with ties and exclude_seen", async () => {
    // 3 users over 5 items
    const rows = [
      [0, 0.9, 0.8, 0.7, 0.6, 0.5], // target 3 -> rank 3
      [0, 0.5, 0.5, 0.5, 0.5, 0.5], // target 1, all tied -> rank 5
      [0, 0.1, 0.9, 0.9, 0.3, 0.2], // target 3, tie with 2 -> rank 2
    ];
    const cs = cases([3, 1, 3], [[1, 2], [4], [2, 3]]);
    const metrics = [M("hr", 1), M("hr", 2), M("hr", 3), M("ndcg", 3), M("mrr", 3), M("recall", 2)];
    const r = await evaluate(fixedScorer(rows), cs, { numItems: 5, metrics, excludeSeen: false, chunkUsers: 2 });
    assert.deepEqual(Array.from(r.ranks), [3, 5, 2]);
    assert.equal(r.users, 3);
    close(r.metrics["hr@1"]!, 0);
    close(r.metrics["hr@2"]!, 1 / 3);
    close(r.metrics["recall@2"]!, 1 / 3);
    close(r.metrics["hr@3"]!, 2 / 3);
    close(r.metrics["ndcg@3"]!, (0.5 + 0 + 1 / Math.log2(3)) / 3);
    close(r.metrics["mrr@3"]!, (1 / 3 + 0 + 1 / 2) / 3);
    // exclude_seen: user 0 history {1,2} removed -> rank 1; user 1 history {4} -> rank 4;
    // user 2 history {2,3}: 3 is the target (kept), 2 removed -> rank 1.
    const x = await evaluate(fixedScorer(rows), cs, { numItems: 5, metrics, excludeSeen: true });
    assert.deepEqual(Array.from(x.ranks), [1, 4, 1]);
  });

  it("exclude_seen counts a repeated history item once and honours `seen`", async () => {
    const rows = [[0, 0.9, 0.8, 0.7, 0.6, 0.5]];
    const cs = cases([4], [[1, 1, 1, 0]]);
    const r = await evaluate(fixedScorer(rows), cs, { numItems: 5, metrics: [M("hr", 1)], excludeSeen: true });
    assert.deepEqual(Array.from(r.ranks), [3]);
    const s = await evaluate(fixedScorer(rows), cs, {
      numItems: 5,
      metrics: [M("hr", 1)],
      excludeSeen: true,
      seen: () => Int32Array.from([1, 2, 3, 2]),
    });
    assert.deepEqual(Array.from(s.ranks), [1]);
  });

  it("exclude_seen removes the whole history, also the items older than the model's input", async () => {
    // The input (max_len 1) holds only item 4; items 1 and 2 were seen before it.
    const rows = [[0, 0.9, 0.8, 0.7, 0.6, 0.5]];
    const cs: EvalCase[] = [{ user: 0, input: Int32Array.from([4]), target: 3, history: Int32Array.from([1, 2, 4]) }];
    const x = await evaluate(fixedScorer(rows), cs, { numItems: 5, metrics: [M("hr", 1)], excludeSeen: true });
    assert.deepEqual(Array.from(x.ranks), [1]);
    const kept = await evaluate(fixedScorer(rows), cs, { numItems: 5, metrics: [M("hr", 1)], excludeSeen: false });
    assert.deepEqual(Array.from(kept.ranks), [3]);
  });

  it("rejects a scorer returning the wrong shape and bad targets", async () => {
    const bad: Scorer = async (inputs) => new Float32Array(inputs.length * 5);
    await assert.rejects(evaluate(bad, cases([1]), { numItems: 5, metrics: [], excludeSeen: false }), /numItems \+ 1/);
    const ok: Scorer = async (inputs) => new Float32Array(inputs.length * 6);
    await assert.rejects(evaluate(ok, cases([6]), { numItems: 5, metrics: [], excludeSeen: false }), /outside 1..5/);
  });

  it("chunking bounds the scorer's batch and does not change results", async () => {
    assert.equal(defaultChunkUsers(3416), 256);
    assert.ok(defaultChunkUsers(200_000) * 200_001 <= 1 << 24);
    const rng = new Rng(7);
    const n = 50;
    const rows = Array.from({ length: 37 }, () => Array.from({ length: n + 1 }, () => rng.int(10)));
    const cs = cases(
      rows.map(() => 1 + rng.int(n)),
      rows.map(() => [1 + rng.int(n), 1 + rng.int(n)]),
    );
    const sizes: number[] = [];
    const wrap = (s: Scorer): Scorer => async (inp) => (sizes.push(inp.length), s(inp));
    const a = await evaluate(wrap(fixedScorer(rows)), cs, { numItems: n, metrics: ALL10, excludeSeen: true, chunkUsers: 8 });
    assert.deepEqual(sizes, [8, 8, 8, 8, 5]);
    const b = await evaluate(fixedScorer(rows), cs, { numItems: n, metrics: ALL10, excludeSeen: true, chunkUsers: 1000 });
    assert.deepEqual(a.ranks, b.ranks);
    assert.deepEqual(a.metrics, b.metrics);
  });
});

describe("eval/evaluate: properties (seeded)", () => {
  const Ks = [1, 2, 3, 5, 10, 20, 50];
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: HR@K non-decreasing in K; MRR@K <= NDCG@K <= HR@K; brute-force rank agrees`, async () => {
      const rng = new Rng(seed);
      const n = 20 + rng.int(80);
      const users = 30 + rng.int(50);
      // Few distinct score values so that ties are common.
      const levels = 1 + rng.int(12);
      const rows = Array.from({ length: users }, () => Array.from({ length: n + 1 }, () => (rng.uniform() < 0.05 ? NaN : rng.int(levels))));
      const cs = cases(
        rows.map(() => 1 + rng.int(n)),
        rows.map(() => Array.from({ length: rng.int(6) }, () => 1 + rng.int(n))),
      );
      const excludeSeen = seed % 2 === 0;
      const metrics = Ks.flatMap((k) => [M("hr", k), M("ndcg", k), M("mrr", k), M("recall", k)]);
      const r = await evaluate(fixedScorer(rows), cs, { numItems: n, metrics, excludeSeen, chunkUsers: 7 });
      for (let i = 1; i < Ks.length; i++) assert.ok(r.metrics[`hr@${Ks[i]}`]! >= r.metrics[`hr@${Ks[i - 1]}`]!);
      for (const k of Ks) {
        assert.ok(r.metrics[`mrr@${k}`]! <= r.metrics[`ndcg@${k}`]! + 1e-12);
        assert.ok(r.metrics[`ndcg@${k}`]! <= r.metrics[`hr@${k}`]! + 1e-12);
        assert.equal(r.metrics[`recall@${k}`], r.metrics[`hr@${k}`]);
      }
      // Brute force: sort the ranked items by score (NaN last), the target after its ties.
      cs.forEach((c, u) => {
        const row = rows[u]!;
        const seen = new Set(excludeSeen ? Array.from(c.history) : []);
        seen.delete(c.target);
        const key = (v: number): number => (Number.isNaN(v) ? -Infinity : v);
        const nanT = Number.isNaN(row[c.target]!);
        let rank = 1;
        for (let i = 1; i <= n; i++) {
          if (i === c.target || seen.has(i)) continue;
          const v = row[i]!;
          if (nanT || (!Number.isNaN(v) && key(v) >= key(row[c.target]!))) rank++;
        }
        assert.equal(r.ranks[u], rank, `user ${u}`);
        assert.ok(rank >= 1 && rank <= n);
      });
    });
  }

  it("a constant-score model gets HR@10 = 0 (never 1), any constant, with or without exclude_seen", async () => {
    for (const value of [0, 1, -3.5, Infinity, NaN]) {
      for (const excludeSeen of [false, true]) {
        const n = 100;
        const constant: Scorer = async (inputs) => new Float32Array(inputs.length * (n + 1)).fill(value);
        const cs = cases(Array.from({ length: 50 }, (_, u) => 1 + ((u * 7) % n)), Array.from({ length: 50 }, () => [1, 2, 3]));
        const r = await evaluate(constant, cs, { numItems: n, metrics: [M("hr", 10), M("ndcg", 10), M("mrr", 10)], excludeSeen });
        assert.equal(r.metrics["hr@10"], 0, `value ${value}`);
        assert.equal(r.metrics["ndcg@10"], 0);
        for (const rank of r.ranks) assert.ok(rank >= n - 3, `rank ${rank}`);
      }
    }
  });
});

/** The plain reference: the row's ranked items fully sorted (higher score first, ties by lower id, NaN last), the first k. */
const referenceTop = (row: readonly number[], n: number, k: number, skip: (item: number) => boolean = () => false): number[] => {
  const items = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !skip(i));
  items.sort((a, b) => {
    const [sa, sb] = [row[a]!, row[b]!];
    if (Number.isNaN(sa) !== Number.isNaN(sb)) return Number.isNaN(sa) ? 1 : -1;
    return Number.isNaN(sa) || sa === sb ? a - b : sb - sa;
  });
  return items.slice(0, k);
};

describe("eval/evaluate: seen items in the top K", () => {
  it("topItems: best first, equal scores by the lower id, NaN last, skipped items left out", () => {
    const row = Float32Array.from([Infinity, 0.5, NaN, 0.9, 0.5, -Infinity, NaN, 0.5]);
    const out = new Int32Array(7);
    assert.equal(topItems(row, 0, 7, 7, out), 7);
    assert.deepEqual(Array.from(out), [3, 1, 4, 7, 5, 2, 6]);
    assert.equal(topItems(row, 0, 7, 3, out), 3);
    assert.deepEqual(Array.from(out.subarray(0, 3)), [3, 1, 4]);
    assert.equal(topItems(row, 0, 7, 4, out, (i) => i === 1 || i === 3), 4);
    assert.deepEqual(Array.from(out.subarray(0, 4)), [4, 7, 5, 2]);
    // Fewer ranked items than k: all of them; k = 0: none.
    assert.equal(topItems(row, 0, 7, 7, out, (i) => i > 2), 2);
    assert.deepEqual(Array.from(out.subarray(0, 2)), [1, 2]);
    assert.equal(topItems(row, 0, 7, 0, out), 0);
    assert.throws(() => topItems(row, 0, 7, 8, out), /fewer than k/);
  });

  for (const seed of [11, 12, 13, 14, 15, 16]) {
    it(`seed ${seed}: topItems and the figures agree with a full sort per row (ties, NaN, ±Infinity)`, async () => {
      const rng = new Rng(seed);
      const n = 5 + rng.int(120);
      const users = 20 + rng.int(40);
      const levels = 1 + rng.int(8);
      const value = (): number => {
        const u = rng.uniform();
        return u < 0.08 ? NaN : u < 0.1 ? Infinity : u < 0.12 ? -Infinity : rng.int(levels);
      };
      const rows = Array.from({ length: users }, () => Array.from({ length: n + 1 }, value));
      const cs = cases(
        rows.map(() => 1 + rng.int(n)),
        rows.map(() => Array.from({ length: rng.int(12) }, () => 1 + rng.int(n))),
      );
      // Some targets repeat a history item, as on data with repeats.
      cs.forEach((c, u) => { if (u % 3 === 0 && c.history.length > 0) (c as { target: number }).target = c.history[0]!; });
      const excludeSeen = seed % 2 === 0;
      const Ks = [1, 3, 10, 20].filter((k) => k <= n + 5);
      const metrics = Ks.flatMap((k) => [M("hr", k), M("ndcg", k)]);
      const r = await evaluate(fixedScorer(rows), cs, { numItems: n, metrics, excludeSeen, chunkUsers: 9 });
      assert.deepEqual(r.seenInTop.map((s) => s.k), Ks);
      const out = new Int32Array(n + 5);
      Ks.forEach((k, j) => {
        let seenSlots = 0;
        let seenUsers = 0;
        cs.forEach((c, u) => {
          const seen = new Set(c.history);
          const skip = excludeSeen ? (i: number) => seen.has(i) && i !== c.target : () => false;
          const want = referenceTop(rows[u]!, n, k, skip);
          const got = topItems(Float32Array.from(rows[u]!), 0, n, k, out, skip);
          assert.deepEqual(Array.from(out.subarray(0, got)), want, `user ${u}, k ${k}`);
          const count = want.filter((i) => seen.has(i)).length;
          assert.equal(r.seenInTop[j]!.counts[u], count, `user ${u}, k ${k}`);
          seenSlots += count;
          if (count > 0) seenUsers++;
        });
        close(r.seenInTop[j]!.slots, seenSlots / (k * cs.length));
        close(r.seenInTop[j]!.users, seenUsers / cs.length);
      });
    });
  }

  // 5 items; top 2 and top 3.
  const rows = [
    [0, 0.9, 0.8, 0.7, 0.6, 0.5], // history {1, 2}: top 1 2 | 3 -> 2 seen in both
    [0, 0.5, 0.5, 0.5, 0.5, 0.5], // history {4}, all tied: top 1 2 | 3 by id -> none
    [0, 0.1, 0.9, 0.9, 0.3, NaN], // history {2, 5}: top 2 3 | 4 (5's NaN last) -> 1
    [0, 0.2, 0.1, 0.9, 0.8, 0.7], // history {3, 1}, target 3 (a repeat): top 3 4 | 5 -> 1
  ];
  const handCases = (): EvalCase[] => cases([3, 1, 3, 3], [[1, 2, 1], [4], [2, 5], [3, 1]]);
  const metrics = [M("hr", 3), M("ndcg", 2), M("mrr", 3)];

  it("a hand-worked example: the share of slots and of users at each K of the metrics", async () => {
    const r = await evaluate(fixedScorer(rows), handCases(), { numItems: 5, metrics, excludeSeen: false });
    assert.deepEqual(r.seenInTop.map((s) => [s.k, Array.from(s.counts)]), [[2, [2, 0, 1, 1]], [3, [2, 0, 1, 1]]]);
    close(r.seenInTop[0]!.slots, 4 / 8);
    close(r.seenInTop[0]!.users, 3 / 4);
    close(r.seenInTop[1]!.slots, 4 / 12);
    close(r.seenInTop[1]!.users, 3 / 4);
    assert.deepEqual(seenInTopFigures(r.seenInTop), { "2": { slots: 0.5, users: 0.75 }, "3": { slots: 4 / 12, users: 0.75 } });
    // `seen` replaces the histories: {5} is in no top 3.
    const s = await evaluate(fixedScorer(rows), handCases(), { numItems: 5, metrics, excludeSeen: false, seen: () => Int32Array.from([5]) });
    assert.deepEqual(s.seenInTop.map((x) => Array.from(x.counts)), [[0, 0, 0, 0], [0, 0, 0, 1]]);
  });

  it("with excludeSeen only a target that repeats a history item can be a seen item in the top K", async () => {
    // Removed: 1 2 | 4 | 2 5 | 1. Top lists: 3 4 5 | 1 2 3 | 3 4 1 | 3 4 5; only case 3's target 3 is seen.
    const r = await evaluate(fixedScorer(rows), handCases(), { numItems: 5, metrics, excludeSeen: true });
    assert.deepEqual(Array.from(r.ranks), [1, 4, 1, 1]);
    assert.deepEqual(r.seenInTop.map((s) => Array.from(s.counts)), [[0, 0, 0, 1], [0, 0, 0, 1]]);
    close(r.seenInTop[0]!.slots, 1 / 8);
    close(r.seenInTop[1]!.slots, 1 / 12);
    close(r.seenInTop[1]!.users, 1 / 4);
  });

  it("no cases gives 0, no metrics no figures", async () => {
    const r = await evaluate(fixedScorer(rows), [], { numItems: 5, metrics, excludeSeen: false });
    assert.deepEqual(r.seenInTop.map((s) => [s.k, s.slots, s.users]), [[2, 0, 0], [3, 0, 0]]);
    const none = await evaluate(fixedScorer(rows), handCases(), { numItems: 5, metrics: [], excludeSeen: false });
    assert.deepEqual(none.seenInTop, []);
  });
});
