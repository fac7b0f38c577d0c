/**
 * Results that outlive their run folders. `npm run reproduce` reports every model from its run
 * folder; a model whose folder is not on this machine (trained on another machine, or in a work
 * tree since discarded) keeps the row that the previous results file recorded for it, marked with
 * the date it was carried from, instead of vanishing from the table. A model trained again replaces
 * its row, and a paired test is carried only while both of its sides are: once either side has a
 * fresh run, the old test compares weights that no longer stand for it.
 */

export interface CarriedRow {
  readonly status: string;
  /** Date (YYYY-MM-DD) of the results file the row was first carried from; absent on a fresh row. */
  readonly carried_from?: string;
}

export interface CarriedPair {
  readonly model: string;
  readonly reference: string;
  readonly carried_from?: string;
}

export interface PreviousResults<R, P> {
  readonly date: string;
  readonly models: Readonly<Record<string, R>>;
  readonly paired?: readonly P[];
}

/**
 * The rows to report, in `order`: each model's fresh row, else its previous finished row marked as
 * carried (an unfinished row is never carried: its checkpoint is gone with its folder). Paired rows:
 * the fresh ones, and the previous ones whose model and reference are both carried, ordered as
 * `pairOrder` lists the pairs.
 */
export const mergeResults = <R extends CarriedRow, P extends CarriedPair>(
  order: readonly string[],
  fresh: Readonly<Record<string, R>>,
  freshPaired: readonly P[],
  previous: PreviousResults<R, P> | null,
  pairOrder: readonly (readonly [string, string])[],
): { models: Record<string, R>; paired: P[] } => {
  const since = previous?.date.slice(0, 10);
  const models: Record<string, R> = {};
  for (const key of order) {
    const row = fresh[key] ?? previous?.models[key];
    if (row === undefined) continue;
    if (fresh[key] !== undefined) models[key] = row;
    else if (row.status === "finished") models[key] = { ...row, carried_from: row.carried_from ?? since };
  }
  const carried = (key: string): boolean => models[key]?.carried_from !== undefined;
  const freshPairs = new Set(freshPaired.map((p) => `${p.model}\u0000${p.reference}`));
  const kept = (previous?.paired ?? [])
    .filter((p) => !freshPairs.has(`${p.model}\u0000${p.reference}`) && carried(p.model) && carried(p.reference))
    .map((p) => ({ ...p, carried_from: p.carried_from ?? since }));
  const rank = (p: P): number => {
    const i = pairOrder.findIndex(([m, r]) => m === p.model && r === p.reference);
    return i < 0 ? pairOrder.length : i;
  };
  // A stable sort keeps each pair's metrics in their recorded order.
  const paired = [...freshPaired, ...kept].sort((a, b) => rank(a) - rank(b));
  return { models, paired };
};
