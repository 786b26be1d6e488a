/**
 * The trainer's data pipeline: seeded stratified train/valid split, per-channel statistics on train indices,
 * seeded and resumable mini-batch streams with random crop + horizontal flip, in-memory and file-backed sources.
 * Pure TypeScript (no Nest, no database).
 */
export type { Augmentation, Batch, BatchStreamOptions, ChannelStats, ImageSource, StreamPosition } from './types';
export { splitTrainValid } from './split';
export type { Labelled, TrainValidSplit } from './split';
export { channelStats } from './stats';
export { BatchStream, batches } from './batch-stream';
export { asSource, splitSource } from './memory-source';
export { Cifar10FileSource, openCifar10Source } from './cifar10-file-source';
export { deriveRng } from './derive-rng';
export { drawTransform, normalisationTable, writeSample } from './transform';
export type { SampleTransform } from './transform';
export { trainValidStreams } from './train-valid';
export type { TrainValidOptions, TrainValidStreams } from './train-valid';
