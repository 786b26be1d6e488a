/**
 * The one source of limits and defaults of the `scalenet-family` job (spec DTO, kind validation and trainer-task
 * input all read these). Plain TypeScript: no Nest, no tensors.
 */
export const SCALENET_FAMILY_DEFAULTS = {
  preset: 'small',
  M: 3,
  sampler: 'hss',
  epochs: 1,
  batchSize: 32,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 4e-5,
  warmupEpochs: 0.1,
  seed: 0,
  validFraction: 0.1,
  evalImages: 128,
  recalBatches: 2,
  /** Monte Carlo base paths for f0 (appendix A: about 100,000). */
  f0Samples: 100_000,
  tolerance: 0.15,
  budgetMode: 'band',
  generaliseTo: 5,
  /** Eq. 9 (the paper's); Eq. 23 and Eq. 26 are the alternatives of appendix C. */
  generalisation: 'exponential',
  checkpointEvery: 50,
  progressEvery: 1,
  /** MCEA of appendix A. */
  T: 8,
  K: 20,
  P: 50,
  N: 40,
  /** Retraining of the members from scratch (0 = none). */
  retrainEpochs: 0,
  retrainLr: 0.05,
} as const;

export const SCALENET_FAMILY_LIMITS = {
  M: { min: 1, max: 3 },
  epochs: { min: 1, max: 500 },
  batchSize: { min: 2, max: 512 },
  lr: { max: 10 },
  warmupEpochs: { min: 0, max: 50 },
  maxTrainImages: { min: 16, max: 10_000_000 },
  validFraction: { min: 0.01, max: 0.5 },
  evalImages: { min: 8, max: 100_000 },
  recalBatches: { min: 0, max: 50 },
  f0Samples: { min: 100, max: 1_000_000 },
  tolerance: { min: 0, max: 1 },
  generaliseTo: { min: 1, max: 8 },
  T: { min: 1, max: 50 },
  K: { min: 1, max: 200 },
  P: { min: 2, max: 500 },
  N: { min: 1, max: 500 },
  retrainEpochs: { min: 0, max: 500 },
  retrainLr: { max: 10 },
  maxTestImages: { min: 1, max: 10_000_000 },
} as const;

export const SCALENET_SAMPLERS = ['hss', 'uniform'] as const;
export const SCALENET_BUDGET_MODES = ['band', 'max'] as const;
export const SCALENET_GENERALISATIONS = ['exponential', 'linear', 'quadratic'] as const;
