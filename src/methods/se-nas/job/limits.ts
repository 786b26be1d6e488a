/**
 * Limits and defaults of the one-shot NB201 jobs (spos-nb201, se-nas-nb201): the one source for the spec DTOs
 * (one-shot-spec.dto.ts) and the trainer task's input parser (training/input.ts). Plain TypeScript.
 */
import { limits } from '../../../common/limits';

/** NB201 has 6 edges x 5 operators; at least one operator stays on each edge: 30 - 6 = 24 can go. */
export const REMOVABLE_OPERATORS = 24;

/** Fields of every one-shot job's spec. */
export const ONE_SHOT_LIMITS = limits({
  C: { int: true, min: 1, max: 64 },
  N: { int: true, min: 1, max: 10 },
  batchSize: { int: true, min: 2, max: 1024 },
  seed: { int: true, min: 0, max: 2 ** 31 - 1 },
  lr: { exclusiveMin: 0, max: 10, default: 0.05 },
  maxTrainImages: { int: true, min: 16, max: 10_000_000 },
  evalImages: { int: true, min: 16, max: 100_000, default: 500 },
  correlationSample: { int: true, min: 0, max: 15625, default: 50 },
  searchQueries: { int: true, min: 1, max: 15625, default: 100 },
  maxEnumerate: { int: true, min: 1, max: 15625, default: 64 },
  /** SPOS: supernet training epochs. */
  epochs: { int: true, min: 1, max: 1000 },
  /** SE-NAS: supernet training epochs per stage. */
  epochsPerStage: { int: true, min: 1, max: 1000 },
});

/**
 * SE-NAS fields. Defaults on NB201 as given in our issue (two decouple stages, k = 10); T and the sample counts are ours.
 * A job also needs stages x k <= REMOVABLE_OPERATORS.
 */
export const SE_NAS_LIMITS = limits({
  stages: { int: true, min: 1, max: 5, default: 2 },
  k: { int: true, min: 1, max: REMOVABLE_OPERATORS, default: 10 },
  T: { int: true, min: 1, max: 625, default: 50 },
  samplesPerStage: { int: true, min: 5, max: 5000, default: 100 },
  snapshots: { int: true, min: 1, max: 100, default: 5 },
});

/** Task fields that no spec sets (the task's own knobs, for tests and benchmarks). */
export const ONE_SHOT_TASK_LIMITS = limits({
  momentum: { min: 0, max: 0.999, default: 0.9 },
  weightDecay: { min: 0, max: 1, default: 5e-4 },
  validFraction: { min: 0.01, max: 0.5, default: 0.1 },
  recalBatches: { int: true, min: 0, max: 100, default: 2 },
  microBatch: { int: true, min: 1, max: 1024 },
  cropPadding: { int: true, min: 0, max: 16 },
  checkpointEvery: { int: true, min: 1, max: 1_000_000, default: 50 },
  progressEvery: { int: true, min: 1, max: 1_000_000, default: 5 },
});

export const SE_NAS_DEFAULTS = {
  stages: SE_NAS_LIMITS.stages.default,
  k: SE_NAS_LIMITS.k.default,
  T: SE_NAS_LIMITS.T.default,
  samplesPerStage: SE_NAS_LIMITS.samplesPerStage.default,
  snapshots: SE_NAS_LIMITS.snapshots.default,
} as const;

/** stages x k <= REMOVABLE_OPERATORS: the message of the violation, or null when the pair is fine. */
export function totalRemovalProblem(stages: number, k: number): string | null {
  if (stages * k <= REMOVABLE_OPERATORS) return null;
  return `${stages} stages x k=${k} would remove more than the ${REMOVABLE_OPERATORS} removable operators (30 minus one per edge)`;
}
