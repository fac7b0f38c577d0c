/**
 * The fused linear cross-entropy as one tfjs op (one tf.customGrad, so the gradient tape records one
 * node): the forward computes the loss and, under a gradient tape, both gradients at once, keeping
 * them in JS memory for the backward, so the [tokens, vocab] scores never exist as one tensor. It
 * runs the selected kernel (select.ts) or, when the set has none, the backend's own matmuls in token
 * chunks; on webgpu, where nothing may be read synchronously, `linearCeWebgpu`.
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { UserError } from "../util/errors.js";
import { addAll } from "./add_all.js";
import { kernels } from "./select.js";
import { fused } from "./zero_copy.js";
import { onWebgpu } from "./webgpu/ops.js";

/** True when a gradient tape is recording, i.e. the op's backward may be asked for. */
const tapeOn = (): boolean => (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();

/** Scores per token chunk in the backend path: about 4M floats (16 MB) at a time. */
const CE_CHUNK_FLOATS = 1 << 22;

/**
 * Sparse additions to the scores (see ScoreAdjust in types.ts): token t adds values[k] to item
 * items[k]'s score for k in offsets[t] .. offsets[t+1]-1. `values` is a tensor: the gradient of the
 * loss flows into it (and from it into whatever parameters produced it).
 */
export interface ScoreAdjustment {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly values: tf.Tensor1D;
}

/** Checks an adjustment's shape against `tokens` and the catalogue (programming errors, not user input). */
const checkAdjustment = (a: ScoreAdjustment, tokens: number, vocab: number): void => {
  const n = a.offsets[tokens];
  if (a.offsets.length !== tokens + 1 || a.offsets[0] !== 0 || n !== a.items.length || a.values.shape[0] !== n)
    throw new Error(`linearCrossEntropy: adjustment of ${a.items.length} items, ${a.values.shape[0]} values and ${a.offsets.length} offsets does not fit ${tokens} tokens`);
  for (const i of a.items) if (!(i >= 1 && i < vocab)) throw new Error(`linearCrossEntropy: adjustment item ${i} outside 1..${vocab - 1}`);
};

/** The adjustment entries of tokens t0 .. t0+n-1 as [entries, 2] (row in the chunk, item - 1) indices, and their range. */
const chunkEntries = (a: ScoreAdjustment, t0: number, n: number): { indices: Int32Array; k0: number; k1: number } => {
  const k0 = a.offsets[t0]!, k1 = a.offsets[t0 + n]!;
  const indices = new Int32Array(2 * (k1 - k0));
  for (let t = t0; t < t0 + n; t++)
    for (let k = a.offsets[t]!; k < a.offsets[t + 1]!; k++) {
      indices[2 * (k - k0)] = t - t0;
      indices[2 * (k - k0) + 1] = a.items[k]! - 1;
    }
  return { indices, k0, k1 };
};

/**
 * The backend-matmul form of the fused linear cross-entropy: token chunks of [chunk, vocab-1]
 * scores, never the whole [tokens, vocab]. Returns the summed loss and, when asked, dh and dW
 * (row 0 of dW zero). W is transposed once explicitly: wasm's transposed matmul is very slow.
 */
const linearCeBackend = (h: tf.Tensor2D, W: tf.Tensor2D, targets: Int32Array, e: number, grads: boolean,
  adjust: ScoreAdjustment | null): { loss: number; dh: Float32Array | null; dW: Float32Array | null; dValues: Float32Array | null } => {
  const [tokens, hidden] = h.shape;
  const vocab = W.shape[0];
  const real = vocab - 1;
  const rows = Math.max(1, Math.floor(CE_CHUNK_FLOATS / Math.max(1, real)));
  const dh = grads ? new Float32Array(tokens * hidden) : null;
  const dValues = grads && adjust ? new Float32Array(adjust.items.length) : null;
  let dWt: tf.Tensor | null = null;
  let loss = 0;
  const W1 = tf.slice(W, [1, 0], [real, hidden]); // [vocab-1, hidden]
  const W1T = tf.transpose(W1); // [hidden, vocab-1]
  for (let t0 = 0; t0 < tokens; t0 += rows) {
    const n = Math.min(rows, tokens - t0);
    const tgt = targets.subarray(t0, t0 + n);
    const mask = Float32Array.from(tgt, (y) => (y > 0 ? 1 : 0));
    if (!mask.some((m) => m > 0)) continue;
    const entries = adjust ? chunkEntries(adjust, t0, n) : null;
    const [lossC, dhC, dWC, dAdjC] = tf.tidy((): tf.Tensor[] => {
      const hc = tf.slice(h, [t0, 0], [n, hidden]); // [n, hidden]
      const idx = entries && entries.k1 > entries.k0 ? tf.tensor2d(entries.indices, [entries.k1 - entries.k0, 2], "int32") : null;
      const plain = tf.matMul(hc, W1T); // [n, vocab-1]
      const scores = idx ? tf.add(plain, tf.scatterND(idx, tf.slice(adjust!.values, entries!.k0, entries!.k1 - entries!.k0), [n, real])) : plain;
      const m = tf.tensor2d(mask, [n, 1]);
      const ids = tf.tensor1d(Int32Array.from(tgt, (y) => Math.max(0, y - 1)), "int32");
      const q = tf.mul(tf.add(tf.mul(tf.oneHot(ids, real), 1 - e), e / real), m); // [n, vocab-1]
      const lse = tf.logSumExp(scores, 1, true); // [n, 1]
      const lossC = tf.sum(tf.sub(tf.mul(lse, m), tf.sum(tf.mul(q, scores), 1, true)));
      if (!grads) return [lossC];
      const ds = tf.sub(tf.mul(tf.exp(tf.sub(scores, lse)), m), q); // [n, vocab-1]
      const dhC = tf.matMul(ds, W1); // [n, hidden]
      const dWC = tf.matMul(tf.transpose(ds), hc); // [vocab-1, hidden]
      return idx ? [lossC, dhC, dWC, tf.gatherND(ds, idx)] : [lossC, dhC, dWC];
    });
    loss += lossC!.dataSync()[0]!;
    lossC!.dispose();
    if (dAdjC) {
      dValues!.set(dAdjC.dataSync() as Float32Array, entries!.k0);
      dAdjC.dispose();
    }
    if (dhC && dWC) {
      dh!.set(dhC.dataSync() as Float32Array, t0 * hidden);
      dhC.dispose();
      const prev: tf.Tensor | null = dWt;
      dWt = prev ? tf.add(prev, dWC) : dWC;
      if (prev) {
        prev.dispose();
        dWC.dispose();
      }
    }
  }
  W1.dispose();
  W1T.dispose();
  let dW: Float32Array | null = null;
  if (grads) {
    dW = new Float32Array(vocab * hidden);
    if (dWt) {
      dW.set((dWt as tf.Tensor).dataSync() as Float32Array, hidden);
      (dWt as tf.Tensor).dispose();
    }
  }
  return { loss, dh, dW, dValues };
};

/**
 * REC_WEBGPU_CE=pretransposed|transposed picks `linearCeWebgpu`'s matMul form. Default
 * pretransposed: on an NVIDIA H200 a training step took 157 ms against 216 ms (64 x 200 tokens) and
 * 468 against 544 ms (256 x 200), measured in one `bench/gpu/run.sh` (docs/gpu.md).
 */
const webgpuCePretranspose = (): boolean => {
  const v = (process.env["REC_WEBGPU_CE"] ?? "pretransposed").toLowerCase();
  if (v !== "transposed" && v !== "pretransposed") throw new UserError(`REC_WEBGPU_CE must be transposed or pretransposed, got '${v}'`);
  return v === "pretransposed";
};

/**
 * The linear cross-entropy on the webgpu backend, where nothing may be read synchronously: token
 * chunks of [chunk, vocab-1] logits and logSoftmax, all tfjs ops, the loss left on the GPU as a
 * tensor. One tf.customGrad: the forward keeps only h and W, the backward recomputes each chunk's
 * softmax (never the whole [tokens, vocab] block) and returns dh and dW (row 0 of dW zero).
 * Same contract and math as `linearCrossEntropy` / `linearCrossEntropyRef`; `chunkFloats` (tests)
 * bounds the logits per chunk. `pretransposeW`: every product without a transposed operand (W
 * transposed once, dW accumulated transposed), instead of tfjs's transposed-operand matMul
 * (bench/gpu/profile.ts times both).
 */
export const linearCeWebgpu = (h: tf.Tensor2D, W: tf.Tensor2D, targets: Int32Array, labelSmoothing = 0,
  chunkFloats = CE_CHUNK_FLOATS, pretransposeW = false, adjust: ScoreAdjustment | null = null): tf.Scalar => {
  const [tokens, hidden] = h.shape;
  const real = W.shape[0] - 1;
  const e = labelSmoothing;
  const rows = Math.max(1, Math.floor(chunkFloats / Math.max(1, real)));
  const chunks: { t0: number; n: number }[] = [];
  for (let t0 = 0; t0 < tokens; t0 += rows) chunks.push({ t0, n: Math.min(rows, tokens - t0) });
  /** A chunk's mask [n, 1] and smoothed targets q [n, vocab-1] (zero rows where masked). */
  const maskAndQ = (t0: number, n: number): { m: tf.Tensor2D; q: tf.Tensor } => {
    const tgt = targets.subarray(t0, t0 + n);
    const m = tf.tensor2d(Float32Array.from(tgt, (y) => (y > 0 ? 1 : 0)), [n, 1]);
    const ids = tf.tensor1d(Int32Array.from(tgt, (y) => Math.max(0, y - 1)), "int32");
    return { m, q: tf.mul(tf.add(tf.mul(tf.oneHot(ids, real), 1 - e), e / real), m) };
  };
  /** A chunk's adjustment entries as [entries, 2] indices and its slice of the values (null when it has none). */
  const entries = chunks.map(({ t0, n }) => {
    if (!adjust) return null;
    const e = chunkEntries(adjust, t0, n);
    return e.k1 > e.k0 ? e : null;
  });
  /** A chunk's logits h W1^T (+ its adjustment), through the pre-transposed W1t when there is one. */
  const scores = (c: number, hc: tf.Tensor2D, W1: tf.Tensor2D, W1t: tf.Tensor2D | null, values: tf.Tensor1D | null): tf.Tensor2D => {
    const plain: tf.Tensor2D = W1t ? tf.matMul(hc, W1t) : tf.matMul(hc, W1, false, true);
    const e = entries[c];
    if (!e || !values) return plain;
    const idx = tf.tensor2d(e.indices, [e.k1 - e.k0, 2], "int32");
    return tf.add(plain, tf.scatterND(idx, tf.slice(values, e.k0, e.k1 - e.k0), plain.shape)) as tf.Tensor2D;
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const [th, tW, tV] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    (args[args.length - 1] as tf.GradSaveFunc)(inputs);
    const value = tf.tidy(() => {
      const W1 = tf.slice(tW, [1, 0], [real, hidden]); // [vocab-1, hidden]
      const W1t = pretransposeW ? tf.transpose(W1) : null; // [hidden, vocab-1]
      const parts = chunks.map(({ t0, n }, c) => tf.tidy(() => {
        const logits = scores(c, tf.slice(th, [t0, 0], [n, hidden]), W1, W1t, tV ?? null); // [n, vocab-1]
        return tf.neg(tf.sum(tf.mul(maskAndQ(t0, n).q, tf.logSoftmax(logits))));
      }));
      return parts.length === 0 ? tf.scalar(0) : addAll(parts);
    }) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [h0, W0, V0] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
        const W1 = tf.slice(W0, [1, 0], [real, hidden]);
        const W1t = pretransposeW ? tf.transpose(W1) : null;
        const dhs: tf.Tensor[] = [];
        const dVs: tf.Tensor[] = [];
        let dW1: tf.Tensor | null = null;
        chunks.forEach(({ t0, n }, c) => {
          // One tidy per chunk: only its dh rows, its adjustment's gradient and the running dW outlive it.
          const [dhc, sum, dvc] = tf.tidy(() => {
            const hc = tf.slice(h0, [t0, 0], [n, hidden]);
            const { m, q } = maskAndQ(t0, n);
            const ds = tf.sub(tf.mul(tf.softmax(scores(c, hc, W1, W1t, V0 ?? null)), m), q); // [n, vocab-1]
            // Without transposed operands: dW1^T accumulates hc^T ds ([hidden, vocab-1]).
            const dWc = W1t ? tf.matMul(tf.transpose(hc), ds) : tf.matMul(ds, hc, true, false); // [vocab-1, hidden] or its transpose
            const e = entries[c];
            const dv = e ? [tf.gatherND(ds, tf.tensor2d(e.indices, [e.k1 - e.k0, 2], "int32"))] : [];
            return [tf.matMul(ds, W1), dW1 ? tf.add(dW1, dWc) : dWc, ...dv]; // [n, hidden], dW1 (or dW1^T), d values
          });
          dW1?.dispose();
          dW1 = sum!;
          dhs.push(dhc!);
          if (dvc) dVs.push(dvc);
        });
        const dh = dhs.length === 0 ? tf.zeros([tokens, hidden]) : dhs.length === 1 ? dhs[0]! : tf.concat(dhs, 0);
        const dW1r = dW1 && W1t ? tf.transpose(dW1) : dW1;
        const dW = tf.concat([tf.zeros([1, hidden]), dW1r ?? tf.zeros([real, hidden])], 0);
        if (!V0) return [tf.mul(dh, dy), tf.mul(dW, dy)];
        // Chunks hold consecutive tokens, so their entries are consecutive too; empty ones add nothing.
        const dV = dVs.length === 0 ? tf.zeros([V0.shape[0]]) : dVs.length === 1 ? dVs[0]! : tf.concat(dVs, 0);
        return [tf.mul(dh, dy), tf.mul(dW, dy), tf.mul(dV, dy)];
      }),
    };
  });
  return (adjust ? op(h, W, adjust.values) : op(h, W)) as tf.Scalar;
};

/**
 * Summed softmax cross-entropy of scores = h . W^T over items 1..vocab-1 (column 0, the padding
 * item, never scores), label smoothing e, tokens with target 0 masked. h: [tokens, hidden];
 * W: [vocab, hidden]; targets: [tokens]. With `adjust`, a sparse term is added to the scores
 * (ScoreAdjustment). Returns a scalar; gradients flow to h, W and the adjustment's values.
 */
export const linearCrossEntropy = (h: tf.Tensor2D, W: tf.Tensor2D, targets: Int32Array, labelSmoothing = 0,
  adjust: ScoreAdjustment | null = null): tf.Scalar => {
  const [tokens, hidden] = h.shape;
  const vocab = W.shape[0];
  if (adjust) checkAdjustment(adjust, tokens, vocab);
  if (onWebgpu()) return linearCeWebgpu(h, W, targets, labelSmoothing, CE_CHUNK_FLOATS, webgpuCePretranspose(), adjust);
  const grads = tapeOn();
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    // The last argument is tfjs's save function, not an input.
    const [th, tW, tV] = args.slice(0, -1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    const kernel = kernels().linearCe;
    let res: { loss: number; dh: Float32Array | null; dW: Float32Array | null; dValues: Float32Array | null };
    if (kernel) {
      const dh = grads ? new Float32Array(tokens * hidden) : null;
      const dW = grads ? new Float32Array(vocab * hidden) : null;
      const dValues = grads && adjust ? new Float32Array(adjust.items.length) : null;
      let loss = 0;
      fused(tV ? [th, tW, tV] : [th, tW], [], ([hv, Wv, vv]) => {
        const adj = adjust ? { offsets: adjust.offsets, items: adjust.items, values: vv!, dValues } : null;
        loss = kernel.lossAndGrad({ tokens, hidden, vocab, labelSmoothing }, hv!, Wv!, null, targets, dh, dW, null, adj);
      });
      res = { loss, dh, dW, dValues };
    } else {
      res = linearCeBackend(th, tW, targets, labelSmoothing, grads, adjust && tV ? { ...adjust, values: tV } : null);
    }
    return {
      value: tf.scalar(res.loss),
      gradFunc: (dy: tf.Tensor) => {
        if (!res.dh || !res.dW) throw new Error("linearCrossEntropy: gradient asked for outside a gradient tape");
        const g = [tf.mul(tf.tensor2d(res.dh, [tokens, hidden]), dy), tf.mul(tf.tensor2d(res.dW, [vocab, hidden]), dy)];
        return res.dValues ? [...g, tf.mul(tf.tensor1d(res.dValues), dy)] : g;
      },
    };
  });
  return (adjust ? op(h, W, adjust.values) : op(h, W)) as tf.Scalar;
};
