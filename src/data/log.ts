/**
 * The raw interactions a reader collects, in file order, and their conversion to a Dataset:
 * external ids interned in order of first appearance, each user's interactions sorted by
 * timestamp stably (ties keep file order) when the format has timestamps.
 */
import type { Dataset } from "./types.js";

class GrowInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

class GrowFloat64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Interns strings to 0-based indices in order of first appearance. */
export class Interner {
  private readonly map = new Map<string, number>();
  readonly names: string[] = [];
  id(name: string): number {
    let v = this.map.get(name);
    if (v === undefined) {
      v = this.names.length;
      this.map.set(name, v);
      this.names.push(name);
    }
    return v;
  }
  get size(): number {
    return this.names.length;
  }
}

/**
 * Interactions that repeat an earlier one of the same user exactly: with timestamps, the same item at
 * the same time; without, the same item as the interaction before (a re-read of the same row).
 * `seq[k]` is the item of interaction `idx[k]`, in the order of the sort keys `keys` (the exact
 * times, or their float32 roundings): equal times share a key, so only runs of equal keys (ties,
 * usually none) need searching.
 */
const duplicateCount = (seq: Int32Array, idx: Int32Array, keys: Float64Array | undefined, exact: Float64Array | undefined): number => {
  let n = 0;
  if (keys === undefined || exact === undefined) {
    for (let k = 1; k < seq.length; k++) if (seq[k] === seq[k - 1]) n++;
    return n;
  }
  for (let g0 = 0; g0 < seq.length;) {
    let g1 = g0 + 1;
    while (g1 < seq.length && keys[idx[g1]!] === keys[idx[g0]!]) g1++;
    if (g1 - g0 > 1) {
      const seen = new Set<string>();
      for (let k = g0; k < g1; k++) {
        const key = `${seq[k]}@${exact[idx[k]!]}`;
        if (seen.has(key)) n++;
        else seen.add(key);
      }
    }
    g0 = g1;
  }
  return n;
};

export class InteractionLog {
  readonly users = new Interner();
  readonly items = new Interner();
  private readonly u = new GrowInt32();
  private readonly i = new GrowInt32();
  private readonly t: GrowFloat64 | null;
  /** Counted findings that do not stop reading; become Dataset.warnings. */
  readonly warnings: string[] = [];

  constructor(readonly hasTimestamps: boolean) {
    this.t = hasTimestamps ? new GrowFloat64() : null;
  }

  add(user: string, item: string, timestamp = 0): void {
    this.u.push(this.users.id(user));
    this.i.push(this.items.id(item));
    this.t?.push(timestamp);
  }

  get length(): number {
    return this.u.length;
  }

  /**
   * Groups by user (user order = first appearance), sorts by time stably, and numbers items 1..N.
   * `float32` sorts on the timestamps rounded to float32 (Math.fround, round-to-nearest-even like
   * torch.FloatTensor), which is how RecBole orders a user's interactions; `format` names the file's
   * format in the warning given when it has no timestamps to order by.
   */
  toDataset(name: string, timeOrder: "exact" | "float32" = "exact", format = "this"): Dataset {
    const n = this.u.length;
    const users = this.u.view();
    const items = this.i.view();
    const numUsers = this.users.size;
    // Counting sort by user: keeps file order inside each user.
    const start = new Int32Array(numUsers + 1);
    for (let k = 0; k < n; k++) start[users[k]! + 1]!++;
    for (let u = 0; u < numUsers; u++) start[u + 1]! += start[u]!;
    const order = new Int32Array(n);
    const fill = start.slice(0, numUsers);
    for (let k = 0; k < n; k++) order[fill[users[k]!]!++] = k;
    const exact = this.t?.view();
    const ts = exact === undefined || timeOrder === "exact" ? exact : Float64Array.from(exact, Math.fround);
    const warnings = this.warnings.slice();
    if (timeOrder === "float32" && exact === undefined) warnings.push(`time_order float32 changes nothing: the ${format} format has no timestamps (the file's order is kept)`);
    const sequences: Int32Array[] = new Array(numUsers);
    let duplicates = 0;
    let tiedWithPrevious = 0;
    let lastTied = 0;
    let secondToLastTied = 0;
    for (let u = 0; u < numUsers; u++) {
      const a = start[u]!;
      const b = start[u + 1]!;
      let idx = order.subarray(a, b);
      if (ts !== undefined) {
        let sorted = true;
        for (let k = a + 1; k < b; k++) {
          if (ts[order[k]!]! < ts[order[k - 1]!]!) {
            sorted = false;
            break;
          }
        }
        if (!sorted) {
          // Tie-break on the file position: stable whatever the sort algorithm.
          const arr = Array.from(idx).sort((x, y) => ts[x]! - ts[y]! || x - y);
          idx = Int32Array.from(arr);
        }
        const m = idx.length;
        const tie = (k: number): boolean => k >= 1 && k < m && ts[idx[k]!] === ts[idx[k - 1]!];
        for (let k = 1; k < m; k++) if (tie(k)) tiedWithPrevious++;
        if (tie(m - 1)) lastTied++;
        if (tie(m - 2) || tie(m - 1)) secondToLastTied++;
      }
      const seq = new Int32Array(b - a);
      for (let k = 0; k < seq.length; k++) seq[k] = items[idx[k]!]! + 1;
      sequences[u] = seq;
      duplicates += duplicateCount(seq, idx, ts, exact);
    }
    if (duplicates > 0) {
      warnings.push(
        `${duplicates.toLocaleString("en-US")} interaction${duplicates === 1 ? " repeats" : "s repeat"} an earlier one of the same user exactly ` +
        `(${exact === undefined ? "the same item on the line before" : "the same item at the same time"}); ` +
        "a file with duplicated rows makes next-item prediction look easier than it is: remove the duplicates if they are not real repeats",
      );
    }
    return {
      name,
      numItems: this.items.size,
      sequences,
      userIds: this.users.names.slice(),
      itemIds: ["", ...this.items.names],
      warnings,
      format,
      ...(ts === undefined ? {} : { ties: { order: timeOrder, tiedWithPrevious, lastTied, secondToLastTied } }),
    };
  }
}
