/**
 * Causal additive attention pooling (NARM's local encoder) as one tfjs op: one tf.customGrad running
 * the selected kernel (select.ts), forward and backward, without a [batch, len, len, H] tensor.
 */
import * as tf from "@tensorflow/tfjs-core";
import "../util/tfjs_gradients.js";
import { additivePoolRef } from "./additive_pool_ref.js";
import { kernels } from "./select.js";
import type { PoolDims } from "./types.js";
import { fused } from "./zero_copy.js";
import { onWebgpu } from "./webgpu/ops.js";

/**
 * c_t = sum_{j <= t} (sum_k v_k sigmoid(key_jk + query_tk)) x_j (types.ts, AdditivePoolKernel):
 * key, query, x [batch, len, H], v [H] -> c [batch, len, H]. On webgpu it is the tfjs-ops reference.
 */
export const additivePool = (key: tf.Tensor3D, query: tf.Tensor3D, v: tf.Tensor1D, x: tf.Tensor3D): tf.Tensor3D => {
  if (onWebgpu()) return additivePoolRef(key, query, v, x);
  const [batch, len, dim] = key.shape;
  const fits = (t: tf.Tensor3D) => t.shape[0] === batch && t.shape[1] === len && t.shape[2] === dim;
  if (!fits(query) || !fits(x) || v.shape[0] !== dim) {
    throw new Error(`additivePool: key ${key.shape}, query ${query.shape}, v ${v.shape}, x ${x.shape} do not fit`);
  }
  const dims: PoolDims = { batch, len, dim };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ins = args.slice(0, 4) as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const kernel = kernels().pool;
    const [value] = fused(ins, [[batch, len, dim]], ([k, q, w, xs], [c]) => kernel.forward(dims, k!, q!, w!, xs!, c!));
    save(ins);
    return {
      value: value as tf.Tensor3D,
      gradFunc: (dc: tf.Tensor, saved: tf.Tensor[]) =>
        fused([...saved, dc], [key.shape, query.shape, v.shape, x.shape], ([k, q, w, xs, g], [dk, dq, dv, dx]) =>
          kernel.backward(dims, k!, q!, w!, xs!, g!, dk!, dq!, dv!, dx!)),
    };
  });
  return op(key, query, v, x) as tf.Tensor3D;
};
