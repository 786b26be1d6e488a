/**
 * Limits and defaults of the `conet` job: the one source for the spec DTO (conet-spec.dto.ts) and the trainer task's
 * input parser (training/input.ts). Paper defaults where the main text gives them (φ0 = 0.2, 25 trials, δ2 = 0.0075;
 * src/methods/conet/science/alg2.ts ALG2_DEFAULTS); μ, γ, the channel bounds and the schedule are ours. Plain TypeScript.
 */
import { limits } from '../../../common/limits';
import { ALG2_DEFAULTS } from '../science/alg2';
import { TRIAL_WEIGHTS, TRIAL_WEIGHTS_DEFAULT } from '../science/transplant';

export const CONET_LIMITS = limits({
  /** ResNet preset: BasicBlocks per stage, each of the three entries. */
  blocksPerStage: { int: true, min: 1, max: 9 },
  /** ResNet preset: starting width of a stage, each of the three entries. */
  stageChannels: { int: true, min: 1, max: 512 },
  /** NB201 preset: starting width of stage 0. */
  C: { int: true, min: 1, max: 64, default: 16 },
  /** NB201 preset: cells per stage. */
  N: { int: true, min: 1, max: 5, default: 1 },
  delta: { min: -1, max: 1, default: ALG2_DEFAULTS.delta },
  mu: { exclusiveMin: 0, max: 1e6, default: ALG2_DEFAULTS.mu },
  gamma: { exclusiveMin: 0, max: 1, default: ALG2_DEFAULTS.gamma },
  phi0: { exclusiveMin: 0, max: 0.9, default: ALG2_DEFAULTS.phi0 },
  /** Alg. 2 measures a rank slope over the epochs of a trial: at least two epochs. */
  epochsPerTrial: { int: true, min: 2, max: 200 },
  maxTrials: { int: true, min: 1, max: 100, default: ALG2_DEFAULTS.maxTrials },
  minChannels: { int: true, min: 1, max: 1024, default: ALG2_DEFAULTS.minChannels },
  maxChannels: { int: true, min: 1, max: 1024, default: 1024 },
  batchSize: { int: true, min: 2, max: 1024 },
  lr: { exclusiveMin: 0, max: 10, default: 0.05 },
  momentum: { min: 0, max: 0.999, default: 0.9 },
  weightDecay: { min: 0, max: 1, default: 5e-4 },
  seed: { int: true, min: 0, max: 2 ** 31 - 1 },
  maxTrainImages: { int: true, min: 16, max: 10_000_000 },
  maxTestImages: { int: true, min: 16, max: 10_000_000 },
  retrainEpochs: { int: true, min: 1, max: 500, default: 5 },
  targetValue: { exclusiveMin: 0, max: 1e15 },
});

/** Most δ values of one sweep. */
export const CONET_MAX_SWEEP = 8;

/** Weights of the next trial (Alg. 2 line 15): the values `weights` takes, and the default (the paper's literal reading). */
export const CONET_WEIGHTS = { values: TRIAL_WEIGHTS, default: TRIAL_WEIGHTS_DEFAULT } as const;
