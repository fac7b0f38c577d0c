/**
 * Filters on a Dataset. Each returns a new Dataset whose item ids are re-compacted to 1..N in the
 * same relative order (users keep their relative order too), and appends a counted warning when
 * something was removed. The rating threshold is applied at read time (loadDataset's minRating).
 */
import type { Dataset } from "./types.js";

/** Keeps the items with keep[id] = 1 (ids renumbered in order) and the users with keepUser[u] = 1. */
const rebuild = (ds: Dataset, keepItem: Uint8Array, keepUser: Uint8Array, warning: string | null): Dataset => {
  const remap = new Int32Array(ds.numItems + 1);
  const itemIds: string[] = [""];
  for (let i = 1; i <= ds.numItems; i++) {
    if (keepItem[i]) {
      remap[i] = itemIds.length;
      itemIds.push(ds.itemIds[i]!);
    }
  }
  const sequences: Int32Array[] = [];
  const userIds: string[] = [];
  for (let u = 0; u < ds.sequences.length; u++) {
    if (!keepUser[u]) continue;
    const s = ds.sequences[u]!;
    let n = 0;
    for (let k = 0; k < s.length; k++) if (keepItem[s[k]!]) n++;
    const out = new Int32Array(n);
    n = 0;
    for (let k = 0; k < s.length; k++) if (keepItem[s[k]!]) out[n++] = remap[s[k]!]!;
    sequences.push(out);
    userIds.push(ds.userIds[u]!);
  }
  return {
    name: ds.name,
    numItems: itemIds.length - 1,
    sequences,
    userIds,
    itemIds,
    warnings: warning === null ? ds.warnings : [...ds.warnings, warning],
    ...(ds.format === undefined ? {} : { format: ds.format }),
  };
};

const interactions = (ds: Dataset): number => ds.sequences.reduce((a, s) => a + s.length, 0);

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? "" : "s"}`;

/**
 * k-core: drops users with fewer than k interactions and items with fewer than k interactions,
 * repeatedly, until every remaining user and item has at least k (a fixed point). Interactions are
 * counted with repeats, as RecBole does. Items that never occur are dropped too (count 0 < k).
 * k <= 0 returns the dataset unchanged. The fixed point depends only on the data, not on order.
 */
export const kCore = (ds: Dataset, k: number): Dataset => {
  if (k <= 0) return ds;
  const numUsers = ds.sequences.length;
  const keepUser = new Uint8Array(numUsers).fill(1);
  const keepItem = new Uint8Array(ds.numItems + 1).fill(1);
  keepItem[0] = 0;
  const itemCount = new Int32Array(ds.numItems + 1);
  let rounds = 0;
  for (;;) {
    rounds++;
    itemCount.fill(0);
    let changed = false;
    for (let u = 0; u < numUsers; u++) {
      if (!keepUser[u]) continue;
      const s = ds.sequences[u]!;
      let len = 0;
      for (let j = 0; j < s.length; j++) if (keepItem[s[j]!]) len++;
      if (len < k) {
        keepUser[u] = 0;
        changed = true;
        continue;
      }
      for (let j = 0; j < s.length; j++) if (keepItem[s[j]!]) itemCount[s[j]!]!++;
    }
    for (let i = 1; i <= ds.numItems; i++) {
      if (keepItem[i] && itemCount[i]! < k) {
        keepItem[i] = 0;
        changed = true;
      }
    }
    if (!changed) break;
  }
  let users = 0;
  let items = 0;
  for (let u = 0; u < numUsers; u++) users += keepUser[u]!;
  for (let i = 1; i <= ds.numItems; i++) items += keepItem[i]!;
  if (users === numUsers && items === ds.numItems) return ds;
  const out = rebuild(ds, keepItem, keepUser, null);
  const removed = interactions(ds) - interactions(out);
  return {
    ...out,
    warnings: [
      ...ds.warnings,
      `k-core(${k}): removed ${plural(numUsers - users, "user")}, ${plural(ds.numItems - items, "item")} and ${plural(removed, "interaction")} (${plural(rounds, "round")})`,
    ],
  };
};

/** Drops users with fewer than `min` interactions (counted in a warning); items left without any are dropped and ids re-compacted. */
export const minSeqLen = (ds: Dataset, min: number): Dataset => {
  const keepUser = new Uint8Array(ds.sequences.length);
  let dropped = 0;
  for (let u = 0; u < ds.sequences.length; u++) {
    if (ds.sequences[u]!.length >= min) keepUser[u] = 1;
    else dropped++;
  }
  if (dropped === 0) return ds;
  const keepItem = new Uint8Array(ds.numItems + 1);
  for (let u = 0; u < ds.sequences.length; u++) if (keepUser[u]) for (const i of ds.sequences[u]!) keepItem[i] = 1;
  let lostItems = ds.numItems;
  for (let i = 1; i <= ds.numItems; i++) lostItems -= keepItem[i]!;
  return rebuild(
    ds,
    keepItem,
    keepUser,
    `${plural(dropped, "user")} with fewer than ${min} interactions dropped` + (lostItems > 0 ? ` (and ${plural(lostItems, "item")} seen only by them)` : ""),
  );
};

/** The data block's filters in order: k-core (if > 0), then the minimum sequence length. */
export const applyFilters = (ds: Dataset, cfg: { readonly kCore: number; readonly minSeqLen: number }): Dataset =>
  minSeqLen(kCore(ds, cfg.kCore), cfg.minSeqLen);
