/** Limits and defaults of `dataset-baseline`: the one source for the spec DTO and the trainer task's input parser. Plain TypeScript. */
import { limits } from '../../../common/limits';

/** Spec fields. */
export const DATASET_BASELINE_LIMITS = limits({
  epochs: { int: true, min: 1, max: 50 },
  batchSize: { int: true, min: 1, max: 4096 },
  lr: { exclusiveMin: 0, max: 10 },
  seed: { int: true, min: 0, max: Number.MAX_SAFE_INTEGER },
});

/** Task fields that no spec sets (the task's own knobs, for tests and benchmarks). */
export const LINEAR_BASELINE_TASK_LIMITS = limits({
  maxTrainImages: { int: true, min: 1 },
  momentum: { min: 0, max: 0.999, default: 0.9 },
  weightDecay: { min: 0, max: 1, default: 5e-4 },
  checkpointEvery: { int: true, min: 1, default: 50 },
  progressEvery: { int: true, min: 1, default: 5 },
});
