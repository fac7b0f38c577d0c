/**
 * The fused kernels as tfjs ops. Each is one tf.customGrad, so the gradient tape records one node;
 * the forward reads its inputs into typed arrays, runs the selected implementation (select.ts) and
 * keeps what the backward needs (scan checkpoints, CE gradients) in plain JS memory, never as
 * tensors, so an op whose gradient is never asked for leaks nothing.
 */
import * as tf from "@tensorflow/tfjs-core";
import "../runtime/gradients.js";
import { kernels } from "./select.js";
import { scanCheckpointSize, type ScanDims, type ScanInputs } from "./types.js";

const f32 = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;

/** True when a gradient tape is recording, i.e. the op's backward may be asked for. */
const tapeOn = (): boolean => (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();

/**
 * Selective scan with softplus(delta + deltaBias) fused (see types.ts for the equations).
 * u, delta: [batch, len, dInner]; A: [dInner, dState]; B, C: [batch, len, dState]; D, deltaBias: [dInner].
 * Returns y [batch, len, dInner]. States are checkpointed every `chunk` steps.
 */
export const selectiveScan = (u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D,
  D: tf.Tensor1D, deltaBias: tf.Tensor1D, chunk = 16): tf.Tensor3D => {
  const [batch, len, dInner] = u.shape;
  const dState = A.shape[1];
  const dims: ScanDims = { batch, len, dInner, dState, chunk };
  const op = tf.customGrad((...args: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const [tu, tdelta, tA, tB, tC, tD, tBias] = args as tf.Tensor[];
    const x: ScanInputs<Float32Array> = {
      u: f32(tu!), delta: f32(tdelta!), A: f32(tA!), B: f32(tB!), C: f32(tC!), D: f32(tD!), deltaBias: f32(tBias!),
    };
    const y = new Float32Array(batch * len * dInner);
    const checkpoints = new Float32Array(scanCheckpointSize(dims));
    const kernel = kernels().scan;
    kernel.forward(dims, x, { y, checkpoints });
    return {
      value: tf.tensor3d(y, [batch, len, dInner]),
      gradFunc: (dy: tf.Tensor) => {
        const g = {
          du: new Float32Array(x.u.length), ddelta: new Float32Array(x.u.length), dA: new Float32Array(x.A.length),
          dB: new Float32Array(x.B.length), dC: new Float32Array(x.C.length), dD: new Float32Array(dInner),
          dDeltaBias: new Float32Array(dInner),
        };
        kernel.backward(dims, x, checkpoints, f32(dy), g);
        return [
          tf.tensor3d(g.du, u.shape), tf.tensor3d(g.ddelta, u.shape), tf.tensor2d(g.dA, A.shape),
          tf.tensor3d(g.dB, B.shape), tf.tensor3d(g.dC, C.shape), tf.tensor1d(g.dD), tf.tensor1d(g.dDeltaBias),
        ];
      },
    };
  });
  return op(u, delta, A, B, C, D, deltaBias) as tf.Tensor3D;
};

/**
 * Causal depthwise conv1d with bias, then SiLU. x: [batch, len, channels]; w: [channels, kernel];
 * bias: [channels]. Returns [batch, len, channels].
 */
export const causalConvSilu = (x: tf.Tensor3D, w: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D => {
  const [batch, len, channels] = x.shape;
  const dims = { batch, len, channels, kernel: w.shape[1] };
  const op = tf.customGrad((...args: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const [tx, tw, tb] = args as tf.Tensor[];
    const xs = f32(tx!);
    const ws = f32(tw!);
    const bs = f32(tb!);
    const y = new Float32Array(xs.length);
    const kernel = kernels().conv;
    kernel.forward(dims, xs, ws, bs, y);
    return {
      value: tf.tensor3d(y, x.shape),
      gradFunc: (dy: tf.Tensor) => {
        const dx = new Float32Array(xs.length);
        const dw = new Float32Array(ws.length);
        const db = new Float32Array(bs.length);
        kernel.backward(dims, xs, ws, bs, f32(dy), dx, dw, db);
        return [tf.tensor3d(dx, x.shape), tf.tensor2d(dw, w.shape), tf.tensor1d(db)];
      },
    };
  });
  return op(x, w, bias) as tf.Tensor3D;
};

/** Scores per token chunk in the backend path: about 4M floats (16 MB) at a time. */
const CE_CHUNK_FLOATS = 1 << 22;

/**
 * The backend-matmul form of the fused linear cross-entropy: token chunks of [chunk, vocab-1]
 * scores, never the whole [tokens, vocab]. Returns the summed loss and, when asked, dh and dW
 * (row 0 of dW zero). W is transposed once explicitly: wasm's transposed matmul is very slow.
 */
const linearCeBackend = (h: tf.Tensor2D, W: tf.Tensor2D, targets: Int32Array, e: number, grads: boolean):
  { loss: number; dh: Float32Array | null; dW: Float32Array | null } => {
  const [tokens, hidden] = h.shape;
  const vocab = W.shape[0];
  const real = vocab - 1;
  const rows = Math.max(1, Math.floor(CE_CHUNK_FLOATS / Math.max(1, real)));
  const dh = grads ? new Float32Array(tokens * hidden) : null;
  let dWt: tf.Tensor | null = null;
  let loss = 0;
  const W1 = tf.slice(W, [1, 0], [real, hidden]); // [vocab-1, hidden]
  const W1T = tf.transpose(W1); // [hidden, vocab-1]
  for (let t0 = 0; t0 < tokens; t0 += rows) {
    const n = Math.min(rows, tokens - t0);
    const tgt = targets.subarray(t0, t0 + n);
    const mask = Float32Array.from(tgt, (y) => (y > 0 ? 1 : 0));
    if (!mask.some((m) => m > 0)) continue;
    const [lossC, dhC, dWC] = tf.tidy((): tf.Tensor[] => {
      const hc = tf.slice(h, [t0, 0], [n, hidden]); // [n, hidden]
      const scores = tf.matMul(hc, W1T); // [n, vocab-1]
      const m = tf.tensor2d(mask, [n, 1]);
      const ids = tf.tensor1d(Int32Array.from(tgt, (y) => Math.max(0, y - 1)), "int32");
      const q = tf.mul(tf.add(tf.mul(tf.oneHot(ids, real), 1 - e), e / real), m); // [n, vocab-1]
      const lse = tf.logSumExp(scores, 1, true); // [n, 1]
      const lossC = tf.sum(tf.sub(tf.mul(lse, m), tf.sum(tf.mul(q, scores), 1, true)));
      if (!grads) return [lossC];
      const ds = tf.sub(tf.mul(tf.exp(tf.sub(scores, lse)), m), q); // [n, vocab-1]
      const dhC = tf.matMul(ds, W1); // [n, hidden]
      const dWC = tf.matMul(tf.transpose(ds), hc); // [vocab-1, hidden]
      return [lossC, dhC, dWC];
    });
    loss += lossC!.dataSync()[0]!;
    lossC!.dispose();
    if (dhC && dWC) {
      dh!.set(f32(dhC), t0 * hidden);
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
      dW.set(f32(dWt), hidden);
      (dWt as tf.Tensor).dispose();
    }
  }
  return { loss, dh, dW };
};

/**
 * Summed softmax cross-entropy of scores = h . W^T over items 1..vocab-1 (column 0, the padding
 * item, never scores), label smoothing e, tokens with target 0 masked. h: [tokens, hidden];
 * W: [vocab, hidden]; targets: [tokens]. Returns a scalar; gradients flow to h and W.
 */
export const linearCrossEntropy = (h: tf.Tensor2D, W: tf.Tensor2D, targets: Int32Array, labelSmoothing = 0): tf.Scalar => {
  const [tokens, hidden] = h.shape;
  const vocab = W.shape[0];
  const grads = tapeOn();
  const op = tf.customGrad((...args: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const [th, tW] = args as tf.Tensor2D[];
    const kernel = kernels().linearCe;
    let res: { loss: number; dh: Float32Array | null; dW: Float32Array | null };
    if (kernel) {
      const dh = grads ? new Float32Array(tokens * hidden) : null;
      const dW = grads ? new Float32Array(vocab * hidden) : null;
      const loss = kernel.lossAndGrad({ tokens, hidden, vocab, labelSmoothing }, f32(th!), f32(tW!), null, targets, dh, dW, null);
      res = { loss, dh, dW };
    } else {
      res = linearCeBackend(th!, tW!, targets, labelSmoothing, grads);
    }
    return {
      value: tf.scalar(res.loss),
      gradFunc: (dy: tf.Tensor) => {
        if (!res.dh || !res.dW) throw new Error("linearCrossEntropy: gradient asked for outside a gradient tape");
        return [tf.mul(tf.tensor2d(res.dh, [tokens, hidden]), dy), tf.mul(tf.tensor2d(res.dW, [vocab, hidden]), dy)];
      },
    };
  });
  return op(h, W) as tf.Scalar;
};
