/**
 * Accuracy of a child (a path of the supernet) with inherited weights: BN running statistics recalibrated for the
 * path on fixed training batches, then top-1 accuracy on a fixed held-out set with BN in eval mode. Every child sees
 * the same recalibration and evaluation images, so accuracies are comparable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ImageBatch, recalibrateBatchNorm } from '../../../trainer/engine/bn-recalibration';
import type { Nb201Supernet } from '../../../trainer/supernet/nb201-supernet';

import type { LabelledBatch } from '../../../trainer/engine/fixed-batches';
export type { LabelledBatch };

export class ChildEvaluator {
  /** Children evaluated so far. */
  count = 0;

  constructor(
    private readonly net: Nb201Supernet,
    private readonly recal: readonly ImageBatch[],
    private readonly evalBatches: readonly LabelledBatch[],
  ) {}

  get evalImages(): number {
    return this.evalBatches.reduce((n, b) => n + b.shape[0], 0);
  }

  /** Fraction of the evaluation images the child classifies correctly. */
  async accuracy(ops: readonly number[], boundary: () => Promise<void>): Promise<number> {
    this.net.set(ops);
    if (this.recal.length) recalibrateBatchNorm(this.net, this.recal);
    let correct = 0;
    let n = 0;
    for (const b of this.evalBatches) {
      await boundary();
      correct += tf.tidy(() => {
        const logits = this.net.forward(tf.tensor4d(b.x, b.shape), false);
        return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(b.y, 'int32')), 'float32')).dataSync()[0];
      });
      n += b.shape[0];
    }
    this.count++;
    return n ? correct / n : 0;
  }
}
