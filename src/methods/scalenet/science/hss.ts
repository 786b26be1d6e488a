/**
 * Path samplers of the super-supernet training (Sec. 3.2).
 * HSS (Eq. 1-3): ancestral sampling of p(alpha, S) = p(alpha) * sum_j eta_j p_j(S): first the scaling stage
 * m ~ Categorical(eta) (Eq. 2; eta_j = 1/(M+1) by default), then a strategy uniformly within stage m's grid
 * (d, w and r each uniform over the stage's interval of Table 7, i.e. uniform over the stage's grid), and a base model
 * by the original uniform sampling (every per-block choice and every stage depth uniform and independent).
 * Uniform (ablation, the "original uniform sampling" of BigNAS [50]): every choice has equal probability, i.e.
 * d, w and r each uniform over the union of all stages' values, independently (mode `per-dimension`, the default);
 * the named alternative `joint-grid` draws the strategy uniformly from the union of all stages' grids.
 */
import { InvalidInputError, violation } from '../../../common/errors';
import type { Rng } from '../../../common/rng';
import { BaseModel, BlockChoice, ScaleNetPath, ScaleNetPreset, ScalingSpace, ScalingStrategy, StageSpec, stageStrategies } from './space';

export type SamplerKind = 'hss' | 'uniform';
export type UniformMode = 'per-dimension' | 'joint-grid';

const pick = <T>(a: readonly T[], rng: Rng): T => a[rng.int(a.length)];

/** One block drawn uniformly from a stage's choices. */
export function sampleBlock(stage: StageSpec, rng: Rng): BlockChoice {
  return { expand: pick(stage.expands, rng), kernel: pick(stage.kernels, rng), se: pick(stage.seChoices, rng) };
}

/** A base model by the original uniform sampling: depth uniform in n_min..n_max, then each block's choices uniform. */
export function sampleBaseModel(preset: ScaleNetPreset, rng: Rng): BaseModel {
  return {
    stages: preset.stages.map((s) => {
      const n = s.minBlocks + rng.int(s.maxBlocks - s.minBlocks + 1);
      return Array.from({ length: n }, () => sampleBlock(s, rng));
    }),
  };
}

/**
 * Named alternative reading (not the default): a base model uniform over the whole base-model space, i.e. a
 * stage's depth n drawn with probability proportional to its number of block sequences (choices^n), so deep stages
 * dominate. Used only to explain f0 (see benchmarks/scalenet/hss.ts).
 */
export function sampleBaseModelJoint(preset: ScaleNetPreset, rng: Rng): BaseModel {
  return {
    stages: preset.stages.map((s) => {
      const per = s.expands.length * s.kernels.length * s.seChoices.length;
      const weights: number[] = [];
      for (let n = s.minBlocks; n <= s.maxBlocks; n++) weights.push(per ** n);
      let u = rng.next() * weights.reduce((a, b) => a + b, 0);
      let n = s.minBlocks;
      for (const w of weights) {
        if (u < w) break;
        u -= w;
        n++;
      }
      n = Math.min(n, s.maxBlocks);
      return Array.from({ length: n }, () => sampleBlock(s, rng));
    }),
  };
}

/** Equal component weights eta_j = 1/(M+1) (Sec. 3.2). */
export function equalEta(M: number): number[] {
  return Array.from({ length: M + 1 }, () => 1 / (M + 1));
}

/** InvalidInputError naming `field` unless `w` has `length` non-negative finite entries summing to 1 (+-1e-6). */
export function checkWeights(w: readonly number[], length: number, field: string): void {
  if (!Array.isArray(w) || w.length !== length) throw new InvalidInputError(`${field} must have ${length} entries`, [violation(field, 'length', `must have ${length} entries`)]);
  if (!w.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
    throw new InvalidInputError(`${field} entries must be finite and >= 0`, [violation(field, 'min', 'entries must be finite and >= 0')]);
  }
  const sum = w.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) throw new InvalidInputError(`${field} must sum to 1, sums to ${sum}`, [violation(field, 'sum', 'entries must sum to 1')]);
}

/** Eq. 2: scaling stage m ~ Categorical(eta). */
export function sampleStage(eta: readonly number[], rng: Rng): number {
  const u = rng.next();
  let acc = 0;
  for (let j = 0; j < eta.length; j++) {
    acc += eta[j];
    if (u < acc) return j;
  }
  // rounding of the cumulative sum: the last stage with non-zero weight
  for (let j = eta.length - 1; j >= 0; j--) if (eta[j] > 0) return j;
  return eta.length - 1;
}

/** A strategy uniform within scaling stage j's grid (p_j(S) of Eq. 1). */
export function sampleStrategyInStage(space: ScalingSpace, j: number, rng: Rng): ScalingStrategy {
  const g = space.stages[j];
  return { d: pick(g.d, rng), w: pick(g.w, rng), r: pick(g.r, rng) };
}

export interface SampledPath extends ScaleNetPath {
  /** The scaling stage the strategy was drawn from (HSS), or -1 for the uniform sampler. */
  stage: number;
}

/** HSS (Eq. 1-2): m ~ Cat(eta), S uniform in stage m, alpha uniform. */
export function sampleHss(preset: ScaleNetPreset, space: ScalingSpace, eta: readonly number[], rng: Rng): SampledPath {
  const stage = sampleStage(eta, rng);
  const strategy = sampleStrategyInStage(space, stage, rng);
  return { base: sampleBaseModel(preset, rng), strategy, stage };
}

const union = (a: number[][]): number[] => [...new Set(a.flat())].sort((x, y) => x - y);

/** The values each dimension takes anywhere in the scaling space. */
export function dimensionValues(space: ScalingSpace): { d: number[]; w: number[]; r: number[] } {
  return { d: union(space.stages.map((g) => g.d)), w: union(space.stages.map((g) => g.w)), r: union(space.stages.map((g) => g.r)) };
}

/** A sampler over the joint space without scaling stages (the ablation). */
export function uniformSampler(preset: ScaleNetPreset, space: ScalingSpace, mode: UniformMode = 'per-dimension'): (rng: Rng) => SampledPath {
  if (mode === 'joint-grid') {
    const all = space.stages.flatMap((_, j) => stageStrategies(space, j));
    const seen = new Map(all.map((s) => [`${s.d},${s.w},${s.r}`, s]));
    const grid = [...seen.values()];
    return (rng) => ({ strategy: { ...pick(grid, rng) }, base: sampleBaseModel(preset, rng), stage: -1 });
  }
  const v = dimensionValues(space);
  return (rng) => {
    const strategy = { d: pick(v.d, rng), w: pick(v.w, rng), r: pick(v.r, rng) };
    return { strategy, base: sampleBaseModel(preset, rng), stage: -1 };
  };
}

/** A path sampler of either kind: `hss` with eta (default equal), or `uniform`. */
export function pathSampler(
  preset: ScaleNetPreset,
  space: ScalingSpace,
  kind: SamplerKind,
  opts: { eta?: readonly number[]; uniformMode?: UniformMode } = {},
): (rng: Rng) => SampledPath {
  if (kind === 'uniform') return uniformSampler(preset, space, opts.uniformMode);
  const eta = opts.eta ?? equalEta(space.M);
  checkWeights(eta, space.M + 1, 'eta');
  return (rng) => sampleHss(preset, space, eta, rng);
}
