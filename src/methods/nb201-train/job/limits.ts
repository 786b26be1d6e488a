/** Limits and defaults of `nb201-train`: the one source for the spec DTO and the trainer task's input parser. Plain TypeScript. */
import { limits } from '../../../common/limits';

export const NB201_TRAIN_LIMITS = limits({
  C: { int: true, min: 1, max: 256 },
  N: { int: true, min: 1, max: 20 },
  epochs: { int: true, min: 1, max: 1000 },
  batchSize: { int: true, min: 2, max: 4096 },
  lr: { exclusiveMin: 0, max: 10 },
  seed: { int: true, min: 0, max: Number.MAX_SAFE_INTEGER },
  maxTrainImages: { int: true, min: 1, max: Number.MAX_SAFE_INTEGER },
  maxTestImages: { int: true, min: 1, max: Number.MAX_SAFE_INTEGER },
  /** 10% held out so the curve has a valid accuracy per epoch. */
  validFraction: { min: 0, max: 0.5, default: 0.1 },
  warmupEpochs: { min: 0, max: 1000, default: 0 },
  momentum: { min: 0, max: 0.999, default: 0.9 },
  weightDecay: { min: 0, max: 1, default: 5e-4 },
  labelSmoothing: { min: 0, max: 0.5, default: 0 },
  emaDecay: { min: 0, max: 0.99999, default: 0 },
  /** Default 4 for cifar10-subset, 0 otherwise. */
  cropPadding: { int: true, min: 0, max: 16 },
  /** Default: the whole batch. */
  microBatch: { int: true, min: 1, max: 4096 },
});

/** Task fields that no spec sets (the task's own knobs, for tests and benchmarks). */
export const NB201_TRAIN_TASK_LIMITS = limits({
  checkpointEvery: { int: true, min: 1, default: 50 },
  progressEvery: { int: true, min: 1, default: 5 },
});
