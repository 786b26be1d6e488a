/**
 * Gradient functions for tf.grad / optimizers. @tensorflow/tfjs-core's Node bundle registers none (the
 * @tensorflow/tfjs union package normally does); @tensorflow/tfjs-layers' Node bundle carries the full set of
 * core gradient configs and registers them into tfjs' global gradient registry when it is loaded.
 */
import { getGradient } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

/** Throws when the gradients a conv-net training step needs are not registered. */
export function ensureGradientsRegistered(): void {
  const needed = ['Conv2D', 'DepthwiseConv2dNative', 'FusedBatchNorm', 'Relu', 'AvgPool', 'MaxPool', 'BatchMatMul', 'Softmax', 'Sum'];
  const missing = needed.filter((k) => getGradient(k) === undefined);
  if (missing.length > 0) throw new Error(`tfjs gradients not registered for: ${missing.join(', ')}`);
}
