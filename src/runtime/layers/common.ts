/** Helpers shared by the layers: dense maps on [batch, len, dim] as 2-D matmuls. */
import * as tf from "@tensorflow/tfjs-core";
import { geluFused } from "../../kernels/gelu.js";

/**
 * x [batch, len, in] . W [in, out] (+ b) -> [batch, len, out], through one 2-D matmul: the wasm
 * backend runs 2-D matmuls an order of magnitude faster than batched or transposed ones.
 * Weights are stored [in, out] (PyTorch's transpose) so no transpose is ever needed.
 */
export const dense3d = (x: tf.Tensor3D, W: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor3D => {
  const [batch, len, inDim] = x.shape;
  const y2 = tf.matMul(tf.reshape(x, [batch * len, inDim]), W); // [batch * len, out]
  const y = b ? tf.add(y2, b) : y2;
  return tf.reshape(y, [batch, len, W.shape[1]]);
};

/** Exact GELU: 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.functional.gelu; one fused op (kernels/gelu.ts). */
export const gelu = <T extends tf.Tensor>(x: T): T => geluFused(x);

export const silu = <T extends tf.Tensor>(x: T): T => tf.mul(x, tf.sigmoid(x));

/** Linear and Embedding weights as official Mamba4Rec / RecBole initialise them. */
export const WEIGHT_STD = 0.02;
