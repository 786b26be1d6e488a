/** Limits and defaults of the NSS jobs (`nss-elite-space`, `nss-search`): the one source for the spec DTOs and the trainer tasks' input parsers. Plain TypeScript. */
import { limits } from '../../../common/limits';

export const NSS_PRESET_NAMES = ['paper', 'small'] as const;

/** Fields of the `nss-elite-space` spec. Defaults: supplementary 6.4.1 (lambda ours: the paper gives none). */
export const NSS_ELITE_LIMITS = limits({
  targetFlops: { exclusiveMin: 0, max: 1e15 },
  /** Latency target in ms (LUT prediction on the service's backend). */
  targetLatencyMs: { exclusiveMin: 0, max: 1e7 },
  lambda: { min: 0, max: 1000, default: 1 },
  epochs: { int: true, min: 1, max: 1000 },
  /** 30 %: 15 of 50 epochs (supplementary 6.4.1). */
  warmupFraction: { min: 0, max: 0.99, default: 0.3 },
  batchSize: { int: true, min: 2, max: 1024, default: 64 },
  seed: { int: true, min: 0, max: 2 ** 31 - 1 },
  /** Spaces sampled from P_Theta for the Elite Space (Sec. 3.4: n = 5). */
  n: { int: true, min: 1, max: 1000, default: 5 },
  maxTrainImages: { int: true, min: 8, max: 10_000_000 },
  /** Test images each sampled architecture's supernet accuracy is measured on. */
  evalImages: { int: true, min: 8, max: 100_000, default: 500 },
  /** Architectures sampled from the Elite Space and from the Expanded Search Space each (Fig. 3). */
  archSamples: { int: true, min: 0, max: 200, default: 10 },
});

/** Task fields no spec sets. */
export const NSS_ELITE_TASK_LIMITS = limits({
  recalBatches: { int: true, min: 1, max: 100, default: 2 },
  checkpointEvery: { int: true, min: 1, max: 1_000_000, default: 20 },
  progressEvery: { int: true, min: 1, max: 1_000_000, default: 5 },
  histogramBins: { int: true, min: 1, max: 100, default: 10 },
});

/** Fields of the `nss-search` spec. */
export const NSS_SEARCH_LIMITS = limits({
  targetFlops: { exclusiveMin: 0, max: 1e15 },
  targetLatencyMs: { exclusiveMin: 0, max: 1e7 },
  seed: { int: true, min: 0, max: 2 ** 31 - 1 },
  /** Architectures drawn by the closest-of-n procedure (Table 1, Elite Space: n = 5). */
  n: { int: true, min: 1, max: 1000, default: 5 },
  /** Most uniform draws of the until-within-+-10 % procedure. */
  maxSamples: { int: true, min: 1, max: 1_000_000, default: 10_000 },
  /** Stand-alone training epochs of the found architecture (0: no accuracy). */
  trainEpochs: { int: true, min: 0, max: 1000, default: 0 },
  batchSize: { int: true, min: 2, max: 1024, default: 64 },
  lr: { exclusiveMin: 0, max: 10, default: 0.05 },
  maxTrainImages: { int: true, min: 8, max: 10_000_000 },
  evalImages: { int: true, min: 8, max: 100_000, default: 500 },
});

/** Largest supernet (parameters) the CPU trainer takes: the `paper` preset (about 226 M) is refused, naming spec.preset. */
export const NSS_MAX_SUPERNET_PARAMS = 20_000_000;
