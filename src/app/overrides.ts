/** Command-line flags that override a checked spec, and the contradictions they can create. */
import type { CheckedSpec, Layer } from "../ir/spec.js";
import { spanText } from "../lang/span.js";
import { UserError } from "../util/errors.js";

export interface Overrides {
  readonly epochs?: number;
  readonly maxLen?: number;
  readonly batch?: number;
  readonly seed?: number;
  /** Early-stopping patience; the spec must declare early_stopping. */
  readonly patience?: number;
}

const positionals = (layers: readonly Layer[]): Layer[] =>
  layers.flatMap((l) => (l.kind === "positional" ? [l] : l.kind === "residual" || l.kind === "repeat" ? positionals(l.body) : []));

/** The spec with the flags applied; a flag that the model cannot honour is a UserError naming the spec line. */
export const applyOverrides = (spec: CheckedSpec, o: Overrides): CheckedSpec => {
  if (o.maxLen !== undefined && spec.model.kind === "sequence") {
    for (const p of positionals(spec.model.layers)) {
      if (p.kind === "positional" && p.maxLen < o.maxLen) {
        throw new UserError(`--max-len ${o.maxLen} contradicts the spec: ${spanText(p.origin.span)} declares positional(max_len: ${p.maxLen}); raise it there or lower --max-len`);
      }
    }
  }
  const declared = spec.train.earlyStopping;
  if (o.patience !== undefined && declared === null) {
    throw new UserError(`--patience ${o.patience} contradicts the spec: ${spec.file} has no early_stopping in its train section; add early_stopping(metric: ndcg@10, patience: N) there`);
  }
  const stop = declared && o.patience !== undefined ? { ...declared, patience: o.patience } : declared;
  return {
    ...spec,
    data: { ...spec.data, maxLen: o.maxLen ?? spec.data.maxLen },
    train: {
      ...spec.train,
      epochs: o.epochs ?? spec.train.epochs,
      batch: o.batch ?? spec.train.batch,
      seed: o.seed ?? spec.train.seed,
      earlyStopping: stop,
    },
  };
};
