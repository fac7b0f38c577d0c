/**
 * The contracts every implementation of a fused kernel meets: the plain TypeScript loops
 * (`*_ts.ts`, generic over float32 and float64 so gradients can be checked in float64) and the
 * native addon (`native.ts`, float32 only). Outputs are written into caller-allocated arrays so a
 * backend can hand over views of its own memory (zero-copy). Layouts are row-major, channels last.
 */
export type FloatArray = Float32Array | Float64Array;

export interface ScanDims {
  readonly batch: number;
  readonly len: number;
  readonly dInner: number;
  readonly dState: number;
  /** States are saved every `chunk` steps in the forward and recomputed from there in the backward. */
  readonly chunk: number;
}

/**
 * Selective scan with softplus and the delta bias fused:
 *   dt_t  = softplus(delta_t + deltaBias)                       [batch, len, dInner]
 *   h_t   = exp(dt_t * A) * h_{t-1} + dt_t * B_t * u_t          [batch, dInner, dState]
 *   y_t   = C_t . h_t + D * u_t                                  [batch, len, dInner]
 * Inputs: u, delta [batch, len, dInner]; A [dInner, dState]; B, C [batch, len, dState]; D, deltaBias [dInner].
 */
export interface ScanInputs<T extends FloatArray = FloatArray> {
  readonly u: T;
  readonly delta: T;
  readonly A: T;
  readonly B: T;
  readonly C: T;
  readonly D: T;
  readonly deltaBias: T;
}

/** Number of saved states: batch * ceil(len / chunk) * dInner * dState. */
export const scanCheckpointSize = (d: ScanDims): number =>
  d.batch * Math.ceil(d.len / d.chunk) * d.dInner * d.dState;

export interface ScanForwardOut<T extends FloatArray = FloatArray> {
  /** [batch, len, dInner] */
  readonly y: T;
  /** [batch, ceil(len / chunk), dInner, dState]: the state entering each chunk. */
  readonly checkpoints: T;
}

export interface ScanGrads<T extends FloatArray = FloatArray> {
  readonly du: T;
  readonly ddelta: T;
  readonly dA: T;
  readonly dB: T;
  readonly dC: T;
  readonly dD: T;
  readonly dDeltaBias: T;
}

export interface SelectiveScanKernel {
  forward(dims: ScanDims, x: ScanInputs, out: ScanForwardOut): void;
  /** Overwrites every array of `grads`. */
  backward(dims: ScanDims, x: ScanInputs, checkpoints: FloatArray, dy: FloatArray, grads: ScanGrads): void;
}

export interface ConvDims {
  readonly batch: number;
  readonly len: number;
  readonly channels: number;
  readonly kernel: number;
}

/**
 * Causal depthwise conv1d with bias, then SiLU:
 *   pre[b,t,c] = bias[c] + sum_k w[c,k] * x[b, t - (kernel-1) + k, c]   (x before t=0 is 0)
 *   y = pre * sigmoid(pre)
 * x, y: [batch, len, channels]; w: [channels, kernel]; bias: [channels].
 */
export interface CausalConvKernel {
  forward(dims: ConvDims, x: FloatArray, w: FloatArray, bias: FloatArray, y: FloatArray): void;
  /** Overwrites dx, dw, dbias. */
  backward(dims: ConvDims, x: FloatArray, w: FloatArray, bias: FloatArray, dy: FloatArray,
           dx: FloatArray, dw: FloatArray, dbias: FloatArray): void;
}

export interface LinearCrossEntropyDims {
  /** Rows of h (prediction positions, masked ones included). */
  readonly tokens: number;
  readonly hidden: number;
  /** Rows of the output matrix, padding row 0 included; row 0 never gets a score. */
  readonly vocab: number;
  readonly labelSmoothing: number;
}

/**
 * Sparse additions to the scores, in CSR form: token t adds `values[k]` to the score of item
 * `items[k]` (1..vocab-1) for k in offsets[t] .. offsets[t+1]-1 (offsets has tokens + 1 entries,
 * offsets[0] = 0). A token lists an item at most once. Used for a learned bias on the items already
 * in a token's input (the seen-aware output), a few hundred entries per token at most.
 */
export interface ScoreAdjust {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly values: FloatArray;
  /** Receives d loss / d values[k] (same length as values), or null. */
  readonly dValues: FloatArray | null;
}

/**
 * Softmax cross-entropy of scores = h . W^T (+ bias) over items 1..vocab-1, computed in chunks of
 * items so the [tokens, vocab] logits are never held at once. targets[t] = 0 masks token t.
 * With label smoothing e the target distribution is (1 - e) one-hot + e / (vocab - 1) uniform.
 * Returns the summed loss over unmasked tokens and writes gradients of that sum
 * (dh [tokens, hidden], dW [vocab, hidden], dBias [vocab] when bias is given; row 0 stays 0).
 * With `adjust`, the scores are h . W^T (+ bias) + the adjustment (ScoreAdjust), and the gradient
 * of the loss with respect to the adjustment's values goes to `adjust.dValues`.
 */
export interface LinearCrossEntropyKernel {
  lossAndGrad(dims: LinearCrossEntropyDims, h: Float32Array, W: Float32Array, bias: Float32Array | null,
              targets: Int32Array, dh: Float32Array | null, dW: Float32Array | null, dBias: Float32Array | null,
              adjust?: ScoreAdjust | null): number;
}

export interface GruDims {
  readonly batch: number;
  readonly len: number;
  /** H: the hidden size; the gates are 3H wide. */
  readonly hidden: number;
}

/**
 * The GRU recurrence with PyTorch's equations (gates ordered r, z, n; h_0 = 0). The input
 * projection of every step, xi = x W_i + b_i, is one matmul done outside:
 *   [ar, az, an] = xi_t,  [hr, hz, hn] = h_{t-1} Wh + bh
 *   r = sigmoid(ar + hr),  z = sigmoid(az + hz),  n = tanh(an + r * hn),  h_t = (1 - z) n + z h_{t-1}
 * xi: [batch, len, 3H]; Wh: [H, 3H]; bh: [3H]; h: [batch, len, H]. The forward also writes
 * `gates` [batch, len, 4H] = (r, z, n, hn) per step, which is all the backward needs besides h and Wh.
 */
export interface GruKernel {
  forward(dims: GruDims, xi: FloatArray, Wh: FloatArray, bh: FloatArray, h: FloatArray, gates: FloatArray): void;
  /** Gradients of sum(dh * h); overwrites dxi [batch, len, 3H], dWh [H, 3H] and dbh [3H]. */
  backward(dims: GruDims, Wh: FloatArray, h: FloatArray, gates: FloatArray, dh: FloatArray,
           dxi: FloatArray, dWh: FloatArray, dbh: FloatArray): void;
}

/** Size of the GRU's saved gates: batch * len * 4H. */
export const gruGatesSize = (d: GruDims): number => d.batch * d.len * 4 * d.hidden;

export interface PoolDims {
  readonly batch: number;
  readonly len: number;
  /** H: the width of keys, queries, values and output. */
  readonly dim: number;
}

/**
 * Causal additive attention pooling, NARM's local encoder (Li et al., CIKM 2017, as RecBole 1.2's
 * narm.py computes it, at every position instead of the last only):
 *   a_tj = sum_k v_k sigmoid(key_jk + query_tk)  for j <= t (nothing for j > t)
 *   c_t  = sum_{j <= t} a_tj x_j
 * Unnormalised, as NARM. key, query, x, c: [batch, len, H]; v: [H]. Rows are right-padded, so the
 * causal sum never reaches padding from a real position.
 */
export interface AdditivePoolKernel {
  forward(dims: PoolDims, key: FloatArray, query: FloatArray, v: FloatArray, x: FloatArray, c: FloatArray): void;
  /** Gradients of sum(dc * c); overwrites dkey, dquery, dx [batch, len, H] and dv [H]. */
  backward(dims: PoolDims, key: FloatArray, query: FloatArray, v: FloatArray, x: FloatArray, dc: FloatArray,
           dkey: FloatArray, dquery: FloatArray, dv: FloatArray, dx: FloatArray): void;
}
