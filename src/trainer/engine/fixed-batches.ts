import type { BatchStream } from '../../datasets/pipeline';
import type { ImageBatch } from './bn-recalibration';

/** A batch of images with their class indices, held in memory (recalibration and evaluation sets). */
export interface LabelledBatch extends ImageBatch {
  y: Int32Array;
}

/** The first images of one unshuffled pass of `stream` (at most maxBatches batches and maxImages images), copied. */
export function firstBatches(stream: BatchStream, maxBatches: number, maxImages = Infinity): LabelledBatch[] {
  const out: LabelledBatch[] = [];
  let n = 0;
  for (const b of stream.epoch(0)) {
    if (out.length >= maxBatches || n >= maxImages) break;
    const k = Math.min(b.shape[0], maxImages - n);
    const size = b.shape[1] * b.shape[2] * b.shape[3];
    out.push({ x: b.x.slice(0, k * size), y: b.y.slice(0, k), shape: [k, b.shape[1], b.shape[2], b.shape[3]] });
    n += k;
  }
  return out;
}
