/**
 * The fused kernels as tfjs ops. Each is one tf.customGrad, so the gradient tape records one node;
 * the forward runs the selected implementation (select.ts) on its inputs' float32 data and keeps
 * what the backward needs (scan checkpoints, CE gradients) in plain JS memory or as the op's saved
 * input tensors, so an op whose gradient is never asked for leaks nothing.
 *
 * Zero-copy on the wasm backend: inputs are read as Float32Array views of the wasm heap and outputs
 * are allocated there with the backend's makeOutput and written in place (`fused` below); views are
 * always taken after the last allocation (an allocation may grow, and so detach, the heap). Other
 * backends read with dataSync and copy results into new tensors (`fusedCopy`, also the reference).
 *
 * On the "webgpu" backend (which cannot read synchronously in Node) nothing here reads a tensor:
 * the scan and the conv go to the WGSL ops (webgpu/ops.ts), the linear cross-entropy to
 * `linearCeWebgpu` (token chunks of tfjs ops), and the elementwise ops take their composed forms.
 */
import * as tf from "@tensorflow/tfjs-core";
import { addAll } from "./add_all.js";
import { UserError } from "../util/errors.js";
import "../runtime/gradients.js";
import { kernels } from "./select.js";
import { nativeElementwise } from "./native_matmul.js";
import { gruGatesSize, scanCheckpointSize, type GruDims, type ScanDims, type ScanInputs } from "./types.js";
import { gruRecurrenceRef } from "./gru_ref.js";
import { causalConvSiluWebgpu, onWebgpu, selectiveScanWebgpu } from "./webgpu/ops.js";
import { sizeOf, type WasmLike } from "./backend_memory.js";

const f32 = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;

/** True when a gradient tape is recording, i.e. the op's backward may be asked for. */
const tapeOn = (): boolean => (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();

const wasmBackend = (): WasmLike | null => (tf.getBackend() === "wasm" ? (tf.backend() as unknown as WasmLike) : null);

/** When false, `fused` always takes the copying path (tests compare the two). */
let zeroCopy = true;
export const setZeroCopy = (on: boolean): void => {
  zeroCopy = on;
};

/**
 * Runs `body` on float32 views of `inputs` and of new zeroed outputs of `outShapes`, returns the
 * outputs as tensors. On wasm without a copy; elsewhere (or with zero-copy off) through `fusedCopy`.
 */
const fused = (inputs: readonly tf.Tensor[], outShapes: readonly number[][],
  body: (ins: Float32Array[], outs: Float32Array[]) => void, zeroOutputs = true): tf.Tensor[] => {
  const be = zeroCopy ? wasmBackend() : null;
  if (!be || inputs.some((t) => t.dtype !== "float32")) return fusedCopy(inputs, outShapes, body);
  const outs = outShapes.map((s) => tf.engine().makeTensorFromTensorInfo(be.makeOutput([...s], "float32")));
  const inV = inputs.map((t) => be.typedArrayFromHeap(t) as Float32Array);
  const outV = outs.map((t) => be.typedArrayFromHeap(t) as Float32Array);
  if (zeroOutputs) for (const v of outV) v.fill(0);
  body(inV, outV);
  return outs;
};

/**
 * A new float32 tensor of `shape` whose every element `fill` writes (written in place in the wasm
 * heap; elsewhere into a new array that is then copied).
 */
export const tensorFilledBy = (shape: readonly number[], fill: (out: Float32Array) => void): tf.Tensor =>
  fused([], [[...shape]], (_, [o]) => fill(o!), false)[0]!;

/** `fused` by copies: dataSync in, new typed arrays out, copied into new tensors. */
const fusedCopy = (inputs: readonly tf.Tensor[], outShapes: readonly number[][],
  body: (ins: Float32Array[], outs: Float32Array[]) => void): tf.Tensor[] => {
  const inV = inputs.map(f32);
  const outV = outShapes.map((s) => new Float32Array(sizeOf(s)));
  body(inV, outV);
  return outV.map((v, i) => tf.tensor(v, [...outShapes[i]!], "float32"));
};

/**
 * Selective scan with softplus(delta + deltaBias) fused (see types.ts for the equations).
 * u, delta: [batch, len, dInner]; A: [dInner, dState]; B, C: [batch, len, dState]; D, deltaBias: [dInner].
 * Returns y [batch, len, dInner]. States are checkpointed every `chunk` steps.
 */
export const selectiveScan = (u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D,
  D: tf.Tensor1D, deltaBias: tf.Tensor1D, chunk = 16): tf.Tensor3D => {
  if (onWebgpu()) return selectiveScanWebgpu(u, delta, A, B, C, D, deltaBias, chunk);
  const [batch, len, dInner] = u.shape;
  const dState = A.shape[1];
  const dims: ScanDims = { batch, len, dInner, dState, chunk };
  const op = tf.customGrad((...args: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const ins = args.slice(0, 7) as tf.Tensor[];
    const save = args[7] as (ts: tf.Tensor[]) => void;
    const checkpoints = new Float32Array(scanCheckpointSize(dims));
    const kernel = kernels().scan;
    const asInputs = (v: Float32Array[]): ScanInputs<Float32Array> =>
      ({ u: v[0]!, delta: v[1]!, A: v[2]!, B: v[3]!, C: v[4]!, D: v[5]!, deltaBias: v[6]! });
    const [value] = fused(ins, [[batch, len, dInner]], (v, [y]) => kernel.forward(dims, asInputs(v), { y: y!, checkpoints }));
    save(ins);
    return {
      value: value as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        fused([...saved, dy], [u.shape, u.shape, A.shape, B.shape, C.shape, [dInner], [dInner]], (v, o) => {
          kernel.backward(dims, asInputs(v), checkpoints, v[7]!,
            { du: o[0]!, ddelta: o[1]!, dA: o[2]!, dB: o[3]!, dC: o[4]!, dD: o[5]!, dDeltaBias: o[6]! });
        }),
    };
  });
  return op(u, delta, A, B, C, D, deltaBias) as tf.Tensor3D;
};

/**
 * Causal depthwise conv1d with bias, then SiLU. x: [batch, len, channels]; w: [channels, kernel];
 * bias: [channels]. Returns [batch, len, channels].
 */
export const causalConvSilu = (x: tf.Tensor3D, w: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D => {
  if (onWebgpu()) return causalConvSiluWebgpu(x, w, bias);
  const [batch, len, channels] = x.shape;
  const dims = { batch, len, channels, kernel: w.shape[1] };
  const op = tf.customGrad((...args: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const ins = args.slice(0, 3) as tf.Tensor[];
    const save = args[3] as (ts: tf.Tensor[]) => void;
    const kernel = kernels().conv;
    const [value] = fused(ins, [x.shape], ([xs, ws, bs], [y]) => kernel.forward(dims, xs!, ws!, bs!, y!));
    save(ins);
    return {
      value: value as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        fused([...saved, dy], [x.shape, w.shape, bias.shape], ([xs, ws, bs, g], [dx, dw, db]) =>
          kernel.backward(dims, xs!, ws!, bs!, g!, dx!, dw!, db!)),
    };
  });
  return op(x, w, bias) as tf.Tensor3D;
};

/**
 * The GRU recurrence (types.ts, GruKernel) as one op: xi [batch, len, 3H] (the input projection,
 * its bias included), Wh [H, 3H], bh [3H] -> h [batch, len, H]. The gates of every step are kept
 * in JS memory for the backward. On webgpu it is the step-by-step tfjs-ops reference.
 */
export const gruRecurrence = (xi: tf.Tensor3D, Wh: tf.Tensor2D, bh: tf.Tensor1D): tf.Tensor3D => {
  if (onWebgpu()) return gruRecurrenceRef(xi, Wh, bh);
  const [batch, len, G] = xi.shape;
  const hidden = Wh.shape[0];
  if (G !== 3 * hidden || Wh.shape[1] !== 3 * hidden || bh.shape[0] !== 3 * hidden) {
    throw new Error(`gruRecurrence: xi ${xi.shape}, Wh ${Wh.shape}, bh ${bh.shape} do not fit hidden ${hidden}`);
  }
  const dims: GruDims = { batch, len, hidden };
  const op = tf.customGrad((...args: (tf.Tensor | ((ts: tf.Tensor[]) => void))[]) => {
    const ins = args.slice(0, 3) as tf.Tensor[];
    const save = args[3] as (ts: tf.Tensor[]) => void;
    const gates = new Float32Array(gruGatesSize(dims));
    const kernel = kernels().gru;
    const [value] = fused(ins, [[batch, len, hidden]], ([x, w, b], [h]) => kernel.forward(dims, x!, w!, b!, h!, gates));
    save([ins[1]!, value!]);
    return {
      value: value as tf.Tensor3D,
      gradFunc: (dh: tf.Tensor, saved: tf.Tensor[]) =>
        fused([...saved, dh], [xi.shape, Wh.shape, bh.shape], ([w, h, g], [dxi, dW, db]) =>
          kernel.backward(dims, w!, h!, gates, g!, dxi!, dW!, db!)),
    };
  });
  return op(xi, Wh, bh) as tf.Tensor3D;
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
  chunkFloats = CE_CHUNK_FLOATS, pretransposeW = false): tf.Scalar => {
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
  /** A chunk's logits h W1^T, through the pre-transposed W1t when there is one. */
  const scores = (hc: tf.Tensor2D, W1: tf.Tensor2D, W1t: tf.Tensor2D | null): tf.Tensor2D =>
    W1t ? tf.matMul(hc, W1t) : tf.matMul(hc, W1, false, true);
  const op = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
    const [th, tW] = args as tf.Tensor2D[];
    (args[2] as Saver)([th!, tW!]);
    const value = tf.tidy(() => {
      const W1 = tf.slice(tW!, [1, 0], [real, hidden]); // [vocab-1, hidden]
      const W1t = pretransposeW ? tf.transpose(W1) : null; // [hidden, vocab-1]
      const parts = chunks.map(({ t0, n }) => tf.tidy(() => {
        const logits = scores(tf.slice(th!, [t0, 0], [n, hidden]), W1, W1t); // [n, vocab-1]
        return tf.neg(tf.sum(tf.mul(maskAndQ(t0, n).q, tf.logSoftmax(logits))));
      }));
      return parts.length === 0 ? tf.scalar(0) : addAll(parts);
    }) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [h0, W0] = saved as [tf.Tensor2D, tf.Tensor2D];
        const W1 = tf.slice(W0, [1, 0], [real, hidden]);
        const W1t = pretransposeW ? tf.transpose(W1) : null;
        const dhs: tf.Tensor[] = [];
        let dW1: tf.Tensor | null = null;
        for (const { t0, n } of chunks) {
          // One tidy per chunk: only its dh rows and the running dW outlive it.
          const [dhc, sum] = tf.tidy(() => {
            const hc = tf.slice(h0, [t0, 0], [n, hidden]);
            const { m, q } = maskAndQ(t0, n);
            const ds = tf.sub(tf.mul(tf.softmax(scores(hc, W1, W1t)), m), q); // [n, vocab-1]
            // Without transposed operands: dW1^T accumulates hc^T ds ([hidden, vocab-1]).
            const dWc = W1t ? tf.matMul(tf.transpose(hc), ds) : tf.matMul(ds, hc, true, false); // [vocab-1, hidden] or its transpose
            return [tf.matMul(ds, W1), dW1 ? tf.add(dW1, dWc) : dWc]; // [n, hidden], dW1 (or dW1^T)
          });
          dW1?.dispose();
          dW1 = sum!;
          dhs.push(dhc!);
        }
        const dh = dhs.length === 0 ? tf.zeros([tokens, hidden]) : dhs.length === 1 ? dhs[0]! : tf.concat(dhs, 0);
        const dW1r = dW1 && W1t ? tf.transpose(dW1) : dW1;
        const dW = tf.concat([tf.zeros([1, hidden]), dW1r ?? tf.zeros([real, hidden])], 0);
        return [tf.mul(dh, dy), tf.mul(dW, dy)];
      }),
    };
  });
  return op(h, W) as tf.Scalar;
};

/**
 * Summed softmax cross-entropy of scores = h . W^T over items 1..vocab-1 (column 0, the padding
 * item, never scores), label smoothing e, tokens with target 0 masked. h: [tokens, hidden];
 * W: [vocab, hidden]; targets: [tokens]. Returns a scalar; gradients flow to h and W.
 */
export const linearCrossEntropy = (h: tf.Tensor2D, W: tf.Tensor2D, targets: Int32Array, labelSmoothing = 0): tf.Scalar => {
  if (onWebgpu()) return linearCeWebgpu(h, W, targets, labelSmoothing, CE_CHUNK_FLOATS, webgpuCePretranspose());
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
      let loss = 0;
      fused([th!, tW!], [], ([hv, Wv]) => {
        loss = kernel.lossAndGrad({ tokens, hidden, vocab, labelSmoothing }, hv!, Wv!, null, targets, dh, dW, null);
      });
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

/**
 * Memory-lean elementwise ops: one tf.customGrad each, so the gradient tape keeps only the op's
 * inputs instead of every intermediate of the composed form (the forward runs the composed tfjs ops
 * inside a tidy, the backward recomputes what it needs). Same math as the composed forms
 * (layers/layernorm.ts `layerNormRef`, layers/common.ts `geluRef`, mamba's y * SiLU(z)).
 */
type Saver = (ts: tf.Tensor[]) => void;

/** The leading axes of x (all but the last): the axes a per-feature gradient sums over. */
const leadingAxes = (x: tf.Tensor): number[] => x.shape.slice(0, -1).map((_, i) => i);

/** LayerNorm over the last axis, y = (x - mean) / sqrt(var + eps) * gamma + beta, biased variance. */
export const layerNormFused = <T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, eps: number): T => {
  const normalise = (xs: tf.Tensor) => {
    const mean = tf.mean(xs, -1, true);
    const centred = tf.sub(xs, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    return { xhat: tf.mul(centred, rstd), rstd };
  };
  const op = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    (args[3] as Saver)([xs!, g!]);
    const ew = onWebgpu() ? null : nativeElementwise();
    const n = xs!.shape[xs!.shape.length - 1]!;
    if (ew && n > 0 && g!.size === n && b!.size === n && [xs!, g!, b!].every((t) => t.dtype === "float32")) {
      const rows = xs!.size / n;
      const [value] = fused([xs!, g!, b!], [xs!.shape], ([xv, gv, bv], [y]) => ew.layerNormForward(rows, n, xv!, gv!, bv!, eps, y!), false);
      return {
        value: value!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => fused([saved[0]!, saved[1]!, dy], [xs!.shape, g!.shape, b!.shape],
          ([xv, gv, d], [dx, dg, db]) => ew.layerNormBackward(rows, n, xv!, gv!, d!, eps, dx!, dg!, db!), false),
      };
    }
    const value = tf.tidy(() => tf.add(tf.mul(normalise(xs!).xhat, g!), b!));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [xs0, g0] = saved as [tf.Tensor, tf.Tensor];
        const { xhat, rstd } = normalise(xs0);
        const dxhat = tf.mul(dy, g0);
        const s1 = tf.mean(dxhat, -1, true);
        const s2 = tf.mean(tf.mul(dxhat, xhat), -1, true);
        const dx = tf.mul(tf.sub(tf.sub(dxhat, s1), tf.mul(xhat, s2)), rstd);
        const axes = leadingAxes(dy);
        return [dx, tf.sum(tf.mul(dy, xhat), axes), tf.sum(dy, axes)];
      }),
    };
  });
  return op(x, gamma, beta) as T;
};

/** Exact GELU 0.5 x (1 + erf(x / sqrt 2)); gradient 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2 / 2) / sqrt(2 pi). */
export const geluFused = <T extends tf.Tensor>(x: T): T => {
  const op = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
    const xs = args[0] as tf.Tensor;
    (args[1] as Saver)([xs]);
    const ew = xs.dtype === "float32" && !onWebgpu() ? nativeElementwise() : null;
    if (ew) { // the addon's GELU (erf as tfjs's, A&S 7.1.26)
      const [value] = fused([xs], [xs.shape], ([v], [y]) => ew.geluForward(v!, y!), false);
      return {
        value: value!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => fused([saved[0]!, dy], [xs.shape], ([v, d], [dx]) => ew.geluBackward(v!, d!, dx!), false)[0]!,
      };
    }
    const value = tf.tidy(() => tf.mul(tf.mul(xs, 0.5), tf.add(tf.erf(tf.mul(xs, Math.SQRT1_2)), 1)));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const x0 = saved[0]!;
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(x0, Math.SQRT1_2)), 1), 0.5);
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(x0), -0.5)), 1 / Math.sqrt(2 * Math.PI));
        return tf.mul(dy, tf.add(cdf, tf.mul(x0, pdf)));
      }),
    };
  });
  return op(x) as T;
};

/** y * SiLU(z) = y * z * sigmoid(z) (the Mamba output gate). */
export const siluGateFused = <T extends tf.Tensor>(y: T, z: T): T => {
  const op = tf.customGrad((...args: (tf.Tensor | Saver)[]) => {
    const [ys, zs] = args as tf.Tensor[];
    (args[2] as Saver)([ys!, zs!]);
    const ew = onWebgpu() ? null : nativeElementwise();
    if (ew && ys!.dtype === "float32" && zs!.dtype === "float32" && ys!.size === zs!.size) {
      const [value] = fused([ys!, zs!], [ys!.shape], ([yv, zv], [o]) => ew.siluGateForward(yv!, zv!, o!), false);
      return {
        value: value!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => fused([saved[0]!, saved[1]!, dy], [ys!.shape, zs!.shape],
          ([yv, zv, d], [dY, dZ]) => ew.siluGateBackward(yv!, zv!, d!, dY!, dZ!), false),
      };
    }
    const value = tf.tidy(() => tf.mul(ys!, tf.mul(zs!, tf.sigmoid(zs!))));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [y0, z0] = saved as [tf.Tensor, tf.Tensor];
        const sig = tf.sigmoid(z0);
        const dY = tf.mul(dy, tf.mul(z0, sig));
        const dZ = tf.mul(tf.mul(dy, y0), tf.mul(sig, tf.add(1, tf.mul(z0, tf.sub(1, sig)))));
        return [dY, dZ];
      }),
    };
  });
  return op(y, z) as T;
};
