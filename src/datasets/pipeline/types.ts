/**
 * Contracts of the trainer's data pipeline (pure TypeScript: no Nest, no database; runs in workers and tests).
 * Pixels stay uint8 in their source; only the current batch is materialised as float32.
 */

/** Images that can be read by index, in HWC uint8 order, with all labels in memory (one byte per image). */
export interface ImageSource {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** count labels, class index per image. */
  readonly labels: Uint8Array;
  /** Where the pixels come from, for error messages and logs (a file name, 'memory'). */
  readonly name: string;
  /** Copies the HWC uint8 pixels of images[indices[k]] to out at k * height*width*channels, for every k. */
  readPixels(indices: ArrayLike<number>, out: Uint8Array): void;
  /** Releases a file handle; a no-op for in-memory sources. */
  close(): void;
}

/** Per-channel mean and (population) standard deviation of pixel/255, computed on training images only. */
export interface ChannelStats {
  mean: number[];
  std: number[];
  /** How many images they were computed on. */
  images: number;
}

/** Train-time augmentation (applied before normalisation, per sample, drawn from the batch's seeded RNG). */
export interface Augmentation {
  /** Pad every side with `cropPadding` black (value 0) pixels, then crop a random HxW window; 0 = no crop. */
  cropPadding?: number;
  /** Mirror left-right with probability 1/2. */
  horizontalFlip?: boolean;
}

export interface BatchStreamOptions {
  /** Image indices of the source this stream covers (e.g. the train part of splitTrainValid). Duplicates allowed. */
  indices: ArrayLike<number>;
  batchSize: number;
  /** Safe integer; the order of every epoch and every augmentation draw derive from (seed, epoch, batch). */
  seed: number;
  /** Normalisation x = (pixel/255 - mean[c]) / std[c]. */
  stats: ChannelStats;
  /** Reshuffle the indices every epoch (default true). false: the given order, e.g. for evaluation. */
  shuffle?: boolean;
  /** Drop a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  augment?: Augmentation;
  /** Also emit one-hot float32 targets (needs numClasses). */
  oneHot?: boolean;
  numClasses?: number;
}

/** One mini-batch. x is NHWC float32, normalised; shape[0] may be below batchSize for the last batch of an epoch. */
export interface Batch {
  epoch: number;
  /** 0-based index of this batch within its epoch; resume after it with { epoch, batch: batchIndex + 1 }. */
  batchIndex: number;
  /** [n, height, width, channels] */
  shape: [number, number, number, number];
  x: Float32Array;
  /** n class indices. */
  y: Int32Array;
  /** n * numClasses one-hot targets, only when options.oneHot. */
  yOneHot?: Float32Array;
  /** The source indices of the n images, in batch order. */
  indices: Uint32Array;
}

/** A position in the stream: the next batch to produce. The complete resumable state, given the same options. */
export interface StreamPosition {
  epoch: number;
  batch: number;
}
