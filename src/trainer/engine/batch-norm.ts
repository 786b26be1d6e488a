/**
 * BatchNorm with batch statistics (training mode; Ioffe & Szegedy 2015, Alg. 1) over the N, H, W axes of a NHWC
 * tensor: y = gamma (x - mean) / sqrt(var + eps) + beta with the biased batch variance. Every network of the
 * trainer normalises through this one function. On the `wasm` backend it is one fused kernel forward and one
 * backward (./wasm-kernels/batch-norm.ts); on other backends the tfjs composition moments + batchNorm4d.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TRAINER_BATCH_NORM } from './wasm-kernels/batch-norm';

export interface TrainingBatchNorm {
  y: tf.Tensor4D;
  /** Batch mean per channel (no gradient flows through it: for the running statistics). */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel (likewise). */
  variance: tf.Tensor1D;
}

/** Whether the current backend runs the fused kernel. */
export function fusedBatchNormAvailable(): boolean {
  return tf.getKernel(TRAINER_BATCH_NORM, tf.getBackend()) !== undefined;
}

/** Normalises x with its own batch statistics; gradients flow to x, gamma and beta. */
export function trainingBatchNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): TrainingBatchNorm {
  if (x.dtype === 'float32' && fusedBatchNormAvailable()) {
    const [y, mean, variance] = tf.engine().runKernel(TRAINER_BATCH_NORM, { x, gamma, beta }, { varianceEpsilon: eps }) as tf.Tensor[];
    return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, eps);
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
