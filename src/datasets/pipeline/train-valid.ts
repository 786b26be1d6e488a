import type { ImageSplit } from '../formats/types';
import { BatchStream } from './batch-stream';
import { asSource } from './memory-source';
import { TrainValidSplit, splitTrainValid } from './split';
import { channelStats } from './stats';
import type { Augmentation, ChannelStats, ImageSource } from './types';

export interface TrainValidOptions {
  validFraction: number;
  seed: number;
  batchSize: number;
  /** Batch size of the (unshuffled, unaugmented) valid stream; default batchSize. */
  evalBatchSize?: number;
  augment?: Augmentation;
  oneHot?: boolean;
  numClasses?: number;
}

export interface TrainValidStreams {
  split: TrainValidSplit;
  /** Computed on split.train only; use the same for the valid and test streams. */
  stats: ChannelStats;
  train: BatchStream;
  /** null when validFraction is 0. */
  valid: BatchStream | null;
}

/**
 * The usual wiring: a seeded stratified split of the training data, statistics on its train part, a shuffled and
 * augmented train stream and a plain valid stream. A test stream: new BatchStream(test, { indices: all, stats,
 * shuffle: false, ... }) with these same stats.
 */
export function trainValidStreams(data: ImageSplit | ImageSource, o: TrainValidOptions): TrainValidStreams {
  const source = asSource(data);
  const split = splitTrainValid(source, o.validFraction, o.seed);
  const stats = channelStats(source, split.train);
  const common = { seed: o.seed, stats, oneHot: o.oneHot, numClasses: o.numClasses };
  const train = new BatchStream(source, { ...common, indices: split.train, batchSize: o.batchSize, augment: o.augment });
  const valid =
    split.valid.length > 0 ? new BatchStream(source, { ...common, indices: split.valid, batchSize: o.evalBatchSize ?? o.batchSize, shuffle: false }) : null;
  return { split, stats, train, valid };
}
