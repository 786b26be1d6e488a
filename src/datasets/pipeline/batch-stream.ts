import { InvalidInputError, violation } from '../../common/errors';
import type { ImageSplit } from '../formats/types';
import { AUGMENT_STREAM, SHUFFLE_STREAM, deriveRng } from './derive-rng';
import { asSource } from './memory-source';
import { IDENTITY, drawTransform, normalisationTable, writeSample } from './transform';
import type { Batch, BatchStreamOptions, ImageSource, StreamPosition } from './types';
import { checkIndices, checkInt } from './validate';

const MAX_EPOCH = 0xffffffff;

/**
 * Mini-batches over a fixed set of image indices, epoch after epoch. Epoch e visits every index exactly once, in the
 * order of a Fisher-Yates shuffle drawn from deriveRng(seed, SHUFFLE, e) (or in the given order when shuffle is
 * off); the augmentation of batch b of epoch e is drawn from deriveRng(seed, AUGMENT, e, b). Every batch is thus a
 * pure function of (options, epoch, batch): a run resumed at { epoch, batch } yields exactly the batches an
 * uninterrupted run would. Only the current batch is read from the source and materialised as float32.
 */
export class BatchStream {
  readonly source: ImageSource;
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  readonly imageShape: [number, number, number];
  private readonly indices: Uint32Array;
  private readonly lut: Float32Array;
  private readonly pad: number;
  private readonly flip: boolean;
  private readonly numClasses: number;
  private readonly raw: Uint8Array;
  private cachedEpoch = -1;
  private cachedOrder: Uint32Array = new Uint32Array(0);

  constructor(
    data: ImageSplit | ImageSource,
    private readonly options: BatchStreamOptions,
  ) {
    const source = asSource(data);
    this.source = source;
    this.batchSize = checkInt(options.batchSize, 'batchSize', 1);
    checkInt(options.seed, 'seed', Number.MIN_SAFE_INTEGER);
    if (options.indices.length === 0) throw new InvalidInputError('indices must not be empty', [violation('indices', 'notEmpty', 'must not be empty')]);
    checkIndices(options.indices, source.count, 'indices');
    this.indices = Uint32Array.from(options.indices);
    this.checkStats(source.channels);
    this.pad = checkInt(options.augment?.cropPadding ?? 0, 'augment.cropPadding', 0, Math.max(source.height, source.width));
    this.flip = options.augment?.horizontalFlip === true;
    this.numClasses = options.oneHot ? this.checkNumClasses() : 0;
    const n = this.indices.length;
    this.batchesPerEpoch = options.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    if (this.batchesPerEpoch === 0) {
      throw new InvalidInputError(`dropLast with batchSize ${this.batchSize} > ${n} images leaves no batch`, [violation('batchSize', 'max', `must be at most ${n} with dropLast`)]);
    }
    this.imageShape = [source.height, source.width, source.channels];
    this.lut = normalisationTable(options.stats);
    this.raw = new Uint8Array(this.batchSize * source.height * source.width * source.channels);
  }

  private checkStats(channels: number): void {
    const { mean, std } = this.options.stats;
    const ok = (a: unknown, positive: boolean): boolean =>
      Array.isArray(a) && a.length === channels && a.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0));
    if (!ok(mean, false) || !ok(std, true)) {
      throw new InvalidInputError(`stats must hold ${channels} finite means and ${channels} positive stds`, [
        violation('stats', 'perChannel', `mean and std must be arrays of ${channels} finite numbers, std > 0`),
      ]);
    }
  }

  private checkNumClasses(): number {
    const k = checkInt(this.options.numClasses, 'numClasses', 1, 65536);
    for (const i of this.indices) {
      if (this.source.labels[i] >= k) {
        throw new InvalidInputError(`${this.source.name}: image ${i} has label ${this.source.labels[i]} >= numClasses ${k}`, [violation('numClasses', 'labelRange', 'must exceed every label')]);
      }
    }
    return k;
  }

  /** The order in which epoch `epoch` visits the indices (cached for the current epoch: read it, do not modify it). */
  order(epoch: number): Uint32Array {
    checkInt(epoch, 'epoch', 0, MAX_EPOCH);
    if (epoch !== this.cachedEpoch) {
      const order = Uint32Array.from(this.indices);
      if (this.options.shuffle !== false) deriveRng(this.options.seed, SHUFFLE_STREAM, epoch).shuffle(order);
      this.cachedOrder = order;
      this.cachedEpoch = epoch;
    }
    return this.cachedOrder;
  }

  /** Batch `batch` of epoch `epoch` (random access; the same arguments always give the same batch). */
  batchAt(epoch: number, batch: number): Batch {
    checkInt(batch, 'batch', 0, this.batchesPerEpoch - 1);
    const order = this.order(epoch);
    const start = batch * this.batchSize;
    const idx = order.slice(start, Math.min(start + this.batchSize, order.length));
    const n = idx.length;
    const [h, w, c] = this.imageShape;
    const imageSize = h * w * c;
    this.source.readPixels(idx, this.raw);
    const x = new Float32Array(n * imageSize);
    const augment = this.pad > 0 || this.flip;
    const rng = augment ? deriveRng(this.options.seed, AUGMENT_STREAM, epoch, batch) : null;
    for (let k = 0; k < n; k++) {
      const t = rng ? drawTransform(rng, this.pad, this.flip) : IDENTITY;
      writeSample(this.raw, k * imageSize, h, w, c, x, k * imageSize, this.lut, this.pad, t);
    }
    const y = new Int32Array(n);
    for (let k = 0; k < n; k++) y[k] = this.source.labels[idx[k]];
    const out: Batch = { epoch, batchIndex: batch, shape: [n, h, w, c], x, y, indices: idx };
    if (this.numClasses > 0) {
      const oh = new Float32Array(n * this.numClasses);
      for (let k = 0; k < n; k++) oh[k * this.numClasses + y[k]] = 1;
      out.yOneHot = oh;
    }
    return out;
  }

  /** The batches of one epoch from `startBatch` (default 0) to its end. */
  *epoch(epoch: number, startBatch = 0): Generator<Batch, void, undefined> {
    checkInt(startBatch, 'startBatch', 0, this.batchesPerEpoch);
    for (let b = startBatch; b < this.batchesPerEpoch; b++) yield this.batchAt(epoch, b);
  }

  /** Batches from `from` on, across epochs, until `endEpoch` (exclusive). */
  *from(from: StreamPosition, endEpoch: number): Generator<Batch, void, undefined> {
    for (let e = from.epoch; e < endEpoch; e++) yield* this.epoch(e, e === from.epoch ? from.batch : 0);
  }

  /** The position after `batch`: where a checkpoint taken after consuming it resumes. */
  next(batch: Pick<Batch, 'epoch' | 'batchIndex'>): StreamPosition {
    return batch.batchIndex + 1 < this.batchesPerEpoch ? { epoch: batch.epoch, batch: batch.batchIndex + 1 } : { epoch: batch.epoch + 1, batch: 0 };
  }
}

/** One epoch of batches (a convenience over BatchStream). */
export function batches(data: ImageSplit | ImageSource, options: BatchStreamOptions, epoch = 0, startBatch = 0): Generator<Batch, void, undefined> {
  return new BatchStream(data, options).epoch(epoch, startBatch);
}
