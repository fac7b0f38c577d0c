/** Plain reference of the exact GELU with tfjs ops (autodiff differentiates it). */
import * as tf from "@tensorflow/tfjs-core";

/** 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.functional.gelu; same contract as gelu.ts `geluFused`. */
export const geluRef = <T extends tf.Tensor>(x: T): T => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
