/**
 * The supernet evaluator of MCEA (Sec. 3.3: "evaluated by the super-supernet"): a path's accuracy with inherited
 * weights, its BN running statistics recalibrated for that path on fixed training batches, then top-1 accuracy on a
 * fixed held-out set with BN in eval mode. Results are cached by path key (an evaluation is a pure function of the
 * weights and the path, so the cache changes only the cost, never a result).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ImageBatch, recalibrateBatchNorm } from '../../../trainer/engine/bn-recalibration';
import { ScaleNetPath, pathKey } from '../science/space';
import type { ScaleNetSupernet } from './super-supernet';

import type { LabelledBatch } from '../../../trainer/engine/fixed-batches';
export type { LabelledBatch };

export class SupernetEvaluator {
  /** Distinct paths evaluated by this process. */
  evaluated = 0;
  /** Images forwarded by this process (recalibration + evaluation). */
  imagesForwarded = 0;

  constructor(
    private readonly net: ScaleNetSupernet,
    private readonly recal: readonly ImageBatch[],
    private readonly evalBatches: readonly LabelledBatch[],
    readonly cache: Map<string, number> = new Map(),
  ) {}

  get evalImages(): number {
    return this.evalBatches.reduce((n, b) => n + b.shape[0], 0);
  }

  /** Held-out accuracy (0..1) of `path`, BN recalibrated for it. */
  async accuracy(path: ScaleNetPath, boundary: () => Promise<void>): Promise<number> {
    const key = pathKey(path);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    this.net.set(path);
    await boundary();
    if (this.recal.length) recalibrateBatchNorm(this.net, this.recal);
    this.imagesForwarded += this.recal.reduce((n, b) => n + b.shape[0], 0);
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
    this.imagesForwarded += n;
    this.evaluated++;
    const acc = n ? correct / n : 0;
    this.cache.set(key, acc);
    return acc;
  }
}
