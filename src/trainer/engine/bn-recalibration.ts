/**
 * BatchNorm statistics recalibration for a sampled path (as in SPOS, Guo et al. 2020, Sec. 3.3, and OFA): shared
 * running statistics do not match any single path, so before evaluating one the running mean/variance are
 * recomputed with forward passes in training mode over a few training batches. Batch i updates with momentum 1/i,
 * so the result is the cumulative mean over the batches, independent of the statistics before.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableNetwork } from './network';

export interface ImageBatch {
  x: Float32Array;
  shape: [number, number, number, number];
}

/** Recomputes the running statistics of the network's current path over `batches`; returns the batches used. */
export function recalibrateBatchNorm(net: TrainableNetwork, batches: Iterable<ImageBatch>): number {
  let i = 0;
  for (const b of batches) {
    i++;
    tf.tidy(() => {
      net.forward(tf.tensor4d(b.x, b.shape), true, true, 1 / i);
    });
  }
  return i;
}
