/**
 * Results that outlive their run folders. `npm run reproduce` reports every model from its run
 * folder; a model whose folder is not on this machine (trained on another machine, or in a work
 * tree since discarded) keeps the row that the previous results file recorded for it, marked with
 * the date it was carried from, instead of vanishing from the table. A model trained again replaces
 * its row. A paired test is carried while its model is: when its reference (say the official
 * configuration) has been trained again, the old test still compares the model's run with the
 * reference's run of that date, and is marked so (`reference_from`); once the model itself has a
 * fresh run the old test no longer stands for it and is dropped. A model being trained again here
 * keeps its recorded finished row until that run finishes (the row notes how far the run has got,
 * `rerun`): an ML-1M rerun takes hours, and the table should not lose a result meanwhile.
 */

export interface CarriedRow {
  readonly status: string;
  /** Date (YYYY-MM-DD) of the results file the row was first carried from; absent on a fresh row. */
  readonly carried_from?: string;
  /** On a carried row: the model's unfinished run on this machine, which will replace the row once it finishes. */
  readonly rerun?: CarriedRow;
}

export interface CarriedPair {
  readonly model: string;
  readonly reference: string;
  readonly carried_from?: string;
  /** Set when the reference has been trained again since: the date of the reference run the test compared against. */
  readonly reference_from?: string;
}

export interface PreviousResults<R, P> {
  readonly date: string;
  readonly models: Readonly<Record<string, R>>;
  readonly paired?: readonly P[];
}

/**
 * The rows to report, in `order`: each model's fresh row, else its previous finished row marked as
 * carried (an unfinished row is never carried: its checkpoint is gone with its folder). A fresh row
 * that has not finished does not replace a previous finished one: that stays carried, with the
 * fresh row as its `rerun`. Paired rows:
 * the fresh ones, and the previous ones whose model is carried and whose reference is reported
 * (carried, or trained again: then marked with the date of the reference run it compared against),
 * ordered as `pairOrder` lists the pairs.
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
    const now = fresh[key], before = previous?.models[key];
    if (now !== undefined && (now.status === "finished" || before?.status !== "finished")) {
      models[key] = now;
    } else if (before !== undefined && before.status === "finished") {
      const { rerun: _stale, ...recorded } = before; // a rerun recorded earlier is this one, or gone
      models[key] = { ...recorded, carried_from: before.carried_from ?? since, ...(now !== undefined ? { rerun: now } : {}) } as unknown as R;
    }
  }
  const carried = (key: string): boolean => models[key]?.carried_from !== undefined;
  const freshPairs = new Set(freshPaired.map((p) => `${p.model}\u0000${p.reference}`));
  const kept = (previous?.paired ?? [])
    .filter((p) => !freshPairs.has(`${p.model}\u0000${p.reference}`) && carried(p.model) && models[p.reference] !== undefined)
    .map((p) => ({
      ...p,
      carried_from: p.carried_from ?? since,
      ...(carried(p.reference) ? {} : { reference_from: p.reference_from ?? previous?.models[p.reference]?.carried_from ?? since }),
    }));
  const rank = (p: P): number => {
    const i = pairOrder.findIndex(([m, r]) => m === p.model && r === p.reference);
    return i < 0 ? pairOrder.length : i;
  };
  // A stable sort keeps each pair's metrics in their recorded order.
  const paired = [...freshPaired, ...kept].sort((a, b) => rank(a) - rank(b));
  return { models, paired };
};

/**
 * Which of `keys` (finished, timed rows) an efficiency table may set against `reference`'s row:
 * those timed where it was. A row carried from an earlier date was timed on the machine of that
 * date, a fresh row on this one, so only rows with the reference's `carried_from` compare; the
 * others are listed in `elsewhere` (the table says they were left out, and why).
 */
export const timedWith = (rows: Readonly<Record<string, CarriedRow>>, keys: readonly string[], reference: string): { same: string[]; elsewhere: string[] } => {
  const where = rows[reference]?.carried_from;
  const same = keys.filter((k) => rows[k] !== undefined && rows[k]!.carried_from === where);
  return { same, elsewhere: keys.filter((k) => !same.includes(k)) };
};
