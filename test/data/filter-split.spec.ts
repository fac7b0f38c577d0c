import assert from "node:assert/strict";
import { applyFilters, kCore, minSeqLen } from "../../src/data/filter.js";
import { leaveOneOut } from "../../src/data/split.js";
import type { Dataset } from "../../src/data/types.js";
import { UserError } from "../../src/util/errors.js";
import { Rng } from "../../src/util/rng.js";

const make = (seqs: number[][], numItems: number): Dataset => ({
  name: "t",
  numItems,
  sequences: seqs.map((s) => Int32Array.from(s)),
  userIds: seqs.map((_, u) => `u${u}`),
  itemIds: ["", ...Array.from({ length: numItems }, (_, i) => `i${i + 1}`)],
  warnings: [],
});
const arrays = (ds: Dataset): number[][] => ds.sequences.map((s) => Array.from(s));

/** The obvious k-core, for comparison: remove any user or item below k, one at a time, until none. */
const naiveKCore = (seqs: number[][], k: number): { users: number[]; items: Set<number> } => {
  let users = seqs.map((_, u) => u);
  const items = new Set(seqs.flat());
  for (;;) {
    const cur = users.map((u) => seqs[u]!.filter((i) => items.has(i)));
    const badUser = users.findIndex((_, j) => cur[j]!.length < k);
    if (badUser >= 0) {
      users = users.filter((_, j) => j !== badUser);
      continue;
    }
    const counts = new Map<number, number>();
    for (const s of cur) for (const i of s) counts.set(i, (counts.get(i) ?? 0) + 1);
    const badItem = [...items].find((i) => (counts.get(i) ?? 0) < k);
    if (badItem === undefined) return { users, items };
    items.delete(badItem);
  }
};

describe("data/filter", () => {
  it("k-core needs several rounds to reach its fixed point; ids re-compacted in order", () => {
    // items 1, 2, 6 never occur; k = 2: D goes, then item 4, then C, then item 3.
    const ds = make([[5, 7, 3], [5, 7], [3, 4], [4]], 7);
    const out = kCore(ds, 2);
    assert.deepEqual(arrays(out), [[1, 2], [1, 2]]);
    assert.deepEqual(out.userIds, ["u0", "u1"]);
    assert.deepEqual(out.itemIds, ["", "i5", "i7"]);
    assert.equal(out.numItems, 2);
    assert.match(out.warnings.join(), /k-core\(2\): removed 2 users, 5 items and 4 interactions \(\d+ rounds\)/);
    assert.equal(kCore(out, 2), out); // already a fixed point: unchanged
    assert.equal(kCore(ds, 0), ds);
  });

  it("k-core agrees with a naive one-at-a-time version on seeded random data", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rng = new Rng(seed);
      const numItems = 30;
      const seqs = Array.from({ length: 40 }, () => Array.from({ length: 1 + rng.int(8) }, () => 1 + Math.floor(numItems * rng.uniform() ** 2)));
      const k = 2 + rng.int(3);
      const out = kCore(make(seqs, numItems), k);
      const want = naiveKCore(seqs, k);
      assert.deepEqual(out.userIds, want.users.map((u) => `u${u}`), `seed ${seed}`);
      const kept = [...want.items].sort((a, b) => a - b);
      assert.deepEqual(out.itemIds.slice(1), kept.map((i) => `i${i}`));
      const expectSeqs = want.users.map((u) => seqs[u]!.filter((i) => want.items.has(i)).map((i) => kept.indexOf(i) + 1));
      assert.deepEqual(arrays(out), expectSeqs);
      // every survivor meets k
      const counts = new Map<number, number>();
      for (const s of out.sequences) {
        assert.ok(s.length >= k);
        for (const i of s) counts.set(i, (counts.get(i) ?? 0) + 1);
      }
      for (const c of counts.values()) assert.ok(c >= k);
    }
  });

  it("minimum sequence length drops users with a counted warning and compacts items", () => {
    const ds = make([[1, 2, 3], [4, 1], [2, 3, 1, 2]], 4);
    const out = minSeqLen(ds, 3);
    assert.deepEqual(arrays(out), [[1, 2, 3], [2, 3, 1, 2]]);
    assert.deepEqual(out.userIds, ["u0", "u2"]);
    assert.equal(out.numItems, 3);
    assert.deepEqual(out.warnings, ["1 user with fewer than 3 interactions dropped (and 1 item seen only by them)"]);
    assert.equal(minSeqLen(out, 3), out);
    const both = applyFilters(ds, { kCore: 2, minSeqLen: 3 });
    assert.ok(both.sequences.every((s) => s.length >= 3));
  });
});

describe("data/split: leave-one-out", () => {
  it("test = last, valid = second to last, train = the rest; test input includes the valid item", () => {
    const ds = make([[1, 2, 3, 4, 5], [3, 1, 2]], 5);
    const sp = leaveOneOut(ds, 200);
    assert.equal(sp.numItems, 5);
    assert.deepEqual(sp.train.map((s) => Array.from(s)), [[1, 2, 3], [3]]);
    assert.deepEqual(sp.valid.map((c) => [c.user, Array.from(c.input), c.target]), [[0, [1, 2, 3], 4], [1, [3], 1]]);
    assert.deepEqual(sp.test.map((c) => [c.user, Array.from(c.input), c.target]), [[0, [1, 2, 3, 4], 5], [1, [3, 1], 2]]);
  });

  it("inputs keep the most recent max_len items; histories keep all of them (for exclude_seen)", () => {
    const sp = leaveOneOut(make([[1, 2, 3, 4, 5, 6, 7]], 7), 3);
    assert.deepEqual(Array.from(sp.valid[0]!.input), [3, 4, 5]);
    assert.equal(sp.valid[0]!.target, 6);
    assert.deepEqual(Array.from(sp.test[0]!.input), [4, 5, 6]);
    assert.equal(sp.test[0]!.target, 7);
    // training keeps the whole prefix: truncation to max_len is the trainer's business
    assert.deepEqual(Array.from(sp.train[0]!), [1, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(sp.valid[0]!.history), [1, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(sp.test[0]!.history), [1, 2, 3, 4, 5, 6]);
  });

  it("users with fewer than 3 interactions are a UserError that says how to fix it", () => {
    const ds = make([[1, 2, 3], [1, 2], [2]], 3);
    assert.throws(
      () => leaveOneOut(ds, 10),
      (e: unknown) => e instanceof UserError && /2 users have fewer than 3 interactions \(first: user "u1" with 2\).*min_seq_len/.test(e.message),
    );
    assert.throws(() => leaveOneOut(make([[1, 2, 3]], 3), 0), /max_len must be a positive integer/);
    assert.equal(leaveOneOut(minSeqLen(ds, 3), 10).test.length, 1);
  });
});
