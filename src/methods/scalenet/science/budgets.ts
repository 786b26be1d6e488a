/**
 * FLOPs budgets of the scaling stages (Sec. 3.1, appendix A): f0 by Monte Carlo over about 100,000 base paths
 * (uniformly sampled base models at S_0 = [1, 1, 1]), the multiple of the preset's quantum (50M for ImageNet)
 * nearest to their mean; f_j = 2^j * f0. Or budgets given by the user: one f0, or the whole list f_0..f_M.
 */
import { InvalidInputError, violation } from '../../../common/errors';
import type { Rng } from '../../../common/rng';
import { pathCost } from './cost';
import { sampleBaseModel } from './hss';
import { BaseModel, ScaleNetPreset } from './space';

export interface F0Estimate {
  samples: number;
  meanFlops: number;
  stdFlops: number;
  minFlops: number;
  maxFlops: number;
  quantum: number;
  /** The multiple of `quantum` nearest to the mean (at least one quantum). */
  f0: number;
  /** Mean if BatchNorm, pooling, SE rescale and residual adds were counted too (for comparison only). */
  meanAllLayerMacs: number;
}

/** Nearest multiple of q to x (ties up), at least q. */
export function nearestMultiple(x: number, q: number): number {
  return Math.max(q, Math.round(x / q) * q);
}

/** Appendix A: Monte Carlo mean FLOPs of `samples` uniformly sampled base models, and f0 near it. */
export function estimateF0(
  preset: ScaleNetPreset,
  rng: Rng,
  samples = 100_000,
  quantum = preset.f0Quantum,
  sampleBase: (p: ScaleNetPreset, rng: Rng) => BaseModel = sampleBaseModel,
): F0Estimate {
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError('samples must be a positive integer');
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  let all = 0;
  const one = { d: 1, w: 1, r: 1 };
  for (let i = 0; i < samples; i++) {
    const c = pathCost(preset, { base: sampleBase(preset, rng), strategy: one });
    const f = c.flops;
    all += f + c.bnMacs + c.otherMacs;
    sum += f;
    sumSq += f * f;
    if (f < min) min = f;
    if (f > max) max = f;
  }
  const mean = sum / samples;
  const std = Math.sqrt(Math.max(0, sumSq / samples - mean * mean));
  return { samples, meanFlops: mean, stdFlops: std, minFlops: min, maxFlops: max, quantum, f0: nearestMultiple(mean, quantum), meanAllLayerMacs: all / samples };
}

/** f_j = 2^j * f0 for j = 0..maxStage. */
export function exponentialBudgets(f0: number, maxStage: number): number[] {
  return Array.from({ length: maxStage + 1 }, (_, j) => 2 ** j * f0);
}

/** Budgets f_0..f_M from a user's f0 (number) or list (must have M + 1 positive increasing entries). */
export function userBudgets(given: number | readonly number[], M: number, field = 'budgets'): number[] {
  if (typeof given === 'number') {
    if (!Number.isFinite(given) || given <= 0) throw new InvalidInputError(`${field}.f0 must be a positive number`, [violation(`${field}.f0`, 'min', 'must be > 0')]);
    return exponentialBudgets(given, M);
  }
  if (!Array.isArray(given) || given.length !== M + 1) {
    throw new InvalidInputError(`${field}.list must have M + 1 = ${M + 1} entries`, [violation(`${field}.list`, 'length', `must have M + 1 = ${M + 1} entries`)]);
  }
  given.forEach((f, j) => {
    if (!Number.isFinite(f) || f <= 0) throw new InvalidInputError(`${field}.list[${j}] must be > 0`, [violation(`${field}.list[${j}]`, 'min', 'must be > 0')]);
    if (j > 0 && f <= given[j - 1]) throw new InvalidInputError(`${field}.list must increase`, [violation(`${field}.list[${j}]`, 'increasing', 'must exceed the previous budget')]);
  });
  return [...given];
}
