/**
 * A sequence model: item embedding, modules, scores over the catalogue (tied to the item embedding
 * or a separate output matrix). Rows are right-padded: position i holds the i-th item of a history.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SequenceModel } from "../ir/spec.js";
import type { Scorer } from "../eval/types.js";
import type { Rng } from "../util/rng.js";
import { buildLayers } from "./build.js";
import { itemEmbedding, type ItemEmbedding } from "./layers/embedding.js";
import { WEIGHT_STD } from "./layers/common.js";
import { applyLast, rowsAt, type ForwardContext, type Module } from "./module.js";
import { sequential } from "./layers/residual.js";
import { normalInit, ParamStore } from "./params.js";
import { SeenAware, type SeenMode } from "./layers/seen.js";
import { trimWebgpuPool } from "./webgpu.js";

export type OutputKind = "tied" | "linear";

/** The output's options besides its kind: `seen`, the seen-aware adjustment (layers/seen.ts), off by default. */
export interface OutputOptions {
  readonly seen?: SeenMode;
  /** The item table ends with a mask token (`targets: masked`): it never scores, and scoring appends it to the input. */
  readonly maskToken?: boolean;
}

export interface SequenceNetOptions {
  readonly params: ParamStore;
  readonly embedding: ItemEmbedding;
  readonly modules: readonly Module[];
  readonly output: OutputKind;
  readonly numItems: number;
  readonly maxLen: number;
  /** Generator for dropout masks when scoring in training mode (not used in eval). */
  readonly rng: Rng;
  /** The seen-aware score adjustment, or none. */
  readonly seen?: SeenAware | null;
  /** The embedding's last row (numItems + 1) is a mask token (`targets: masked`). */
  readonly maskToken?: boolean;
}

/** Inputs per scoring batch (bounds the [inputs, items] score block). */
const SCORE_BATCH = 256;

export class SequenceNet {
  readonly params: ParamStore;
  readonly embedding: ItemEmbedding;
  readonly modules: readonly Module[];
  readonly output: OutputKind;
  readonly numItems: number;
  readonly maxLen: number;
  /** The seen-aware score adjustment (`output tied(seen: …)`), or null. */
  readonly seen: SeenAware | null;
  /** The mask token's id (numItems + 1) when the model has one (`targets: masked`), else null. */
  readonly maskId: number | null;
  private readonly outMatrix: tf.Variable<tf.Rank.R2>;
  private readonly rng: Rng;
  /** The modules as one (`sequential`): what `hidden` and `hiddenLast` run. */
  private readonly layers: Module;

  constructor(o: SequenceNetOptions) {
    this.params = o.params;
    this.embedding = o.embedding;
    this.modules = o.modules;
    this.layers = sequential("layers", o.modules);
    this.output = o.output;
    this.numItems = o.numItems;
    this.maxLen = o.maxLen;
    this.rng = o.rng;
    this.seen = o.seen ?? null;
    this.maskId = o.maskToken ? o.numItems + 1 : null;
    if (o.embedding.table.shape[0] !== o.numItems + 1 + (o.maskToken ? 1 : 0)) {
      throw new Error(`SequenceNet: an item table of ${o.embedding.table.shape[0]} rows for ${o.numItems} items${o.maskToken ? " and a mask token" : ""}`);
    }
    const dim = o.embedding.table.shape[1];
    this.outMatrix = o.output === "tied"
      ? o.embedding.table
      : (o.params.create("output.weight", [o.numItems + 1, dim], normalInit(WEIGHT_STD)) as tf.Variable<tf.Rank.R2>);
  }

  /** The seen-aware adjustment of `mode` for a network of `dim`-wide states, its weights named `output.seen.*` (created after every layer's). */
  static seenAware(ctx: { params: ParamStore }, mode: SeenMode | undefined, maxLen: number, dim: number): SeenAware | null {
    return mode === undefined ? null : new SeenAware(ctx, "output.seen", { mode, maxLen, dim });
  }

  /** Builds the network of `model` with parameters drawn from `rng` in layer order. */
  /** `numUsers` sizes a user table (`embedding users`); a model without one ignores it. */
  static fromIR(model: SequenceModel, numItems: number, maxLen: number, rng: Rng, numUsers?: number): SequenceNet {
    const params = new ParamStore(rng);
    const ctx = { params, ...(numUsers === undefined ? {} : { numUsers }) };
    const embedding = itemEmbedding(ctx, "item_embedding", { numItems, dim: model.embeddingDim, ...(model.maskToken ? { maskToken: true } : {}) });
    const modules = buildLayers(ctx, model.layers);
    const seen = SequenceNet.seenAware(ctx, model.seen === "none" ? undefined : model.seen, maxLen, model.embeddingDim);
    return new SequenceNet({ params, embedding, modules, output: model.output, numItems, maxLen, rng: rng.fork(), seen, maskToken: model.maskToken });
  }

  /** seqs [batch * len] right-padded item ids -> hidden states [batch, len, dim]; `fwd.users` gives each row's user to a user table. */
  hidden(seqs: Int32Array, batch: number, len: number, fwd: ForwardContext): tf.Tensor3D {
    const ctx: ForwardContext = { ...fwd, lengths: rowLengths(seqs, batch, len) };
    return this.layers.apply(this.embedding.lookup(seqs, batch, len), ctx);
  }

  /**
   * In evaluation: the hidden state at position `pos[b]` of each row b, [batch, dim], equal to those
   * rows of `hidden` (`hiddenLastReference`) but computing each layer after the last sequence-mixing
   * one (Mamba's scan, attention, a GRU) at those positions only (module.ts, `applyLast`).
   */
  hiddenLast(seqs: Int32Array, batch: number, len: number, fwd: ForwardContext, pos: Int32Array): tf.Tensor2D {
    const ctx: ForwardContext = { ...fwd, lengths: rowLengths(seqs, batch, len) };
    return applyLast(this.layers, this.embedding.lookup(seqs, batch, len), ctx, pos);
  }

  /** The plain form of `hiddenLast`: every position of every layer, then the wanted rows (tests, benchmarks). */
  hiddenLastReference(seqs: Int32Array, batch: number, len: number, fwd: ForwardContext, pos: Int32Array): tf.Tensor2D {
    return rowsAt(this.hidden(seqs, batch, len, fwd), pos);
  }

  /**
   * [numItems + 1, dim]: the item embedding when tied (without its mask-token row, which never
   * scores: a new tensor then, to dispose or to use inside a tidy), else the output matrix. Row 0 never scores.
   */
  outputMatrix(): tf.Tensor2D {
    return this.maskId !== null && this.output === "tied" ? tf.slice(this.outMatrix, [0, 0], [this.numItems + 1, -1]) : this.outMatrix;
  }

  /**
   * Full-ranking scores for the evaluator: for each history (at most maxLen most recent items,
   * unpadded) the scores of the hidden state at its last item against every item, plus the seen-aware
   * adjustment of the items in that input when the model has one. Column 0 is -Infinity. With a mask
   * token the input is the history's last maxLen - 1 items and the mask token after them, scored at
   * the mask (BERT4Rec's prediction).
   */
  scorer(maxLen = this.maxLen, opts: { readonly reference?: boolean } = {}): Scorer {
    const hiddenAt = (opts.reference ? this.hiddenLastReference : this.hiddenLast).bind(this);
    return async (inputs, users) => {
      const V = this.numItems + 1;
      const out = new Float32Array(inputs.length * V);
      const base: ForwardContext = { training: false, rng: this.rng };
      const WT = tf.tidy(() => tf.transpose(this.outputMatrix())); // [dim, V], explicit: wasm's transposed matmul is slow
      const mask = this.maskId;
      const keep = mask === null ? maxLen : maxLen - 1;
      const input = (s: Int32Array): Int32Array => {
        const tail = s.length > keep ? s.subarray(s.length - keep) : s;
        if (mask === null) return tail;
        const r = new Int32Array(tail.length + 1);
        r.set(tail);
        r[tail.length] = mask;
        return r;
      };
      for (let i0 = 0; i0 < inputs.length; i0 += SCORE_BATCH) {
        const rows = inputs.slice(i0, i0 + SCORE_BATCH).map(input);
        const len = Math.max(1, ...rows.map((r) => r.length));
        const ids = new Int32Array(rows.length * len);
        const pos = new Int32Array(rows.length); // each row's last item
        const last = new Int32Array(rows.length); // the same, into the [rows * len] positions
        rows.forEach((r, i) => {
          ids.set(r, i * len);
          pos[i] = Math.max(0, r.length - 1);
          last[i] = i * len + pos[i]!;
        });
        // Histories scored without their users (recommend) join no user row (-1).
        const fwd: ForwardContext = { ...base, users: users ? users.subarray(i0, i0 + rows.length) : new Int32Array(rows.length).fill(-1) };
        const scores = tf.tidy(() => {
          const hl = hiddenAt(ids, rows.length, len, fwd, pos); // [rows, dim]
          const plain = tf.matMul(hl, WT) as tf.Tensor2D; // [rows, V]
          return this.seen ? this.seen.adjustScores(plain, hl, ids, len, last, this.numItems) : plain;
        });
        out.set(await scores.data(), i0 * V);
        scores.dispose();
        trimWebgpuPool();
      }
      WT.dispose();
      for (let i = 0; i < inputs.length; i++) out[i * V] = -Infinity;
      return out;
    };
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** The real items of each right-padded row of seqs [batch * len] (up to its first 0). */
const rowLengths = (seqs: Int32Array, batch: number, len: number): Int32Array => {
  const lengths = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    let n = 0;
    while (n < len && seqs[b * len + n] !== 0) n++;
    lengths[b] = n;
  }
  return lengths;
};
