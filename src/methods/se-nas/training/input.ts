/** Input of the `nb201-one-shot` trainer task (SPOS and SE-NAS on the NB201 supernet) and its validation. */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { SCORING_RULES, ScoringRule } from '../science/scores';
import { InputObject, booleanField, numberField } from '../../../trainer/tasks/input-checks';
import { DatasetRef, parseDatasetRef } from '../../../datasets/dataset-ref';

export const ONE_SHOT_METHODS = ['spos', 'se-nas'] as const;
export type OneShotMethod = (typeof ONE_SHOT_METHODS)[number];

/**
 * SE-NAS defaults on NB201 (the one source for the DTO, the parser and the benchmark): two decouple stages of k = 10
 * (Sec. 4.2) and merge threshold T = 50 (Sec. 3.4, "can be simply set to 50"); the sample and snapshot counts are ours
 * (the paper samples 1000 children per operator on ImageNet and does not give K).
 */
export const SE_NAS_DEFAULTS = { stages: 2, k: 10, T: 50, samplesPerStage: 100, snapshots: 5 } as const;

export interface OneShotInput {
  method: OneShotMethod;
  dataset: DatasetRef;
  /** Directory holding nasbench201/ (ground truth for the correlation when the dataset is CIFAR-10). */
  benchmarkDir: string | null;
  C: number;
  N: number;
  /** Supernet training epochs per stage; SPOS trains (stages + 1) x epochsPerStage epochs in one go (equal budget). */
  epochsPerStage: number;
  /** SE-NAS shrinking (decouple) stages; each is followed by expanding. */
  stages: number;
  /** Operators removed per shrinking stage. */
  k: number;
  /** Most partial models a merged layer-wise space may hold. */
  T: number;
  /** Children sampled per stage for SI (Eq. 5). */
  samplesPerStage: number;
  /** Weight snapshots of a stage's last epoch averaged for evaluation (Eq. 4); 1 = no averaging. */
  snapshots: number;
  /** Operator ranking rule of the shrinking stages (ablations: 'si', 'random'). */
  scoring: ScoringRule;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  seed: number;
  validFraction: number;
  /** Valid images per child evaluation. */
  evalImages: number;
  /** Training batches for BN recalibration before each child evaluation. */
  recalBatches: number;
  /** Archs of the fixed seeded full-space sample for the correlation check (a). */
  correlationSample: number;
  /** Largest final space evaluated exhaustively; larger ones are searched by evolution. */
  maxEnumerate: number;
  /** Supernet evaluations of the evolutionary search over a large final space. */
  searchQueries: number;
  maxTrainImages: number | null;
  microBatch: number;
  cropPadding: number;
  horizontalFlip: boolean;
  checkpointEvery: number;
  progressEvery: number;
  /**
   * SPOS only, for the same-archs comparison of Figs. 7-8: archs to score at the end of each block of epochsPerStage
   * epochs (entry b = block b + 1; usually the archs SE-NAS scored at the end of its stage b + 1). Needs ground truth.
   */
  compareArchs: number[][][];
}

function parseCompareArchs(raw: unknown, out: FieldViolation[]): number[][][] {
  if (raw === undefined || raw === null) return [];
  const ok =
    Array.isArray(raw) &&
    raw.length <= 10 &&
    raw.every((block) => Array.isArray(block) && block.length <= 15625 && block.every((a) => Array.isArray(a) && a.length === 6 && a.every((o) => Number.isInteger(o) && o >= 0 && o <= 4)));
  if (!ok) {
    out.push(violation('input.compareArchs', 'isArchLists', 'compareArchs must be at most 10 lists of archs, each arch 6 op indices in 0..4'));
    return [];
  }
  return raw as number[][][];
}

export function parseOneShotInput(raw: unknown): OneShotInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError('nb201-one-shot input must be an object', [violation('input', 'isObject', 'must be an object')]);
  }
  const o = raw as InputObject;
  const out: FieldViolation[] = [];
  if (!(ONE_SHOT_METHODS as readonly unknown[]).includes(o.method)) out.push(violation('input.method', 'isIn', `method must be one of ${ONE_SHOT_METHODS.join(', ')}`));
  if (o.scoring !== undefined && !(SCORING_RULES as readonly unknown[]).includes(o.scoring)) out.push(violation('input.scoring', 'isIn', `scoring must be one of ${SCORING_RULES.join(', ')}`));
  if (o.benchmarkDir !== undefined && o.benchmarkDir !== null && typeof o.benchmarkDir !== 'string') out.push(violation('input.benchmarkDir', 'isString', 'benchmarkDir must be a path'));
  const dataset = parseDatasetRef(o.dataset, out);
  const isCifar = dataset?.kind === 'builtin' && dataset.name === 'cifar10-subset';
  const int = (key: string, min: number, max: number, fallback?: number): number => numberField(o, key, { int: true, min, max }, out, fallback);
  const input: OneShotInput = {
    method: o.method as OneShotMethod,
    dataset,
    benchmarkDir: (o.benchmarkDir as string | undefined) ?? null,
    C: int('C', 1, 64),
    N: int('N', 1, 10),
    epochsPerStage: int('epochsPerStage', 1, 1000),
    stages: int('stages', 0, 5, SE_NAS_DEFAULTS.stages),
    k: int('k', 0, 29, SE_NAS_DEFAULTS.k),
    T: int('T', 1, 625, SE_NAS_DEFAULTS.T),
    samplesPerStage: int('samplesPerStage', 5, 5000, SE_NAS_DEFAULTS.samplesPerStage),
    snapshots: int('snapshots', 1, 100, SE_NAS_DEFAULTS.snapshots),
    scoring: (o.scoring as ScoringRule | undefined) ?? 'se-nas',
    batchSize: int('batchSize', 2, 1024),
    lr: numberField(o, 'lr', { exclusiveMin: 0, max: 10 }, out, 0.05),
    momentum: numberField(o, 'momentum', { min: 0, max: 0.999 }, out, 0.9),
    weightDecay: numberField(o, 'weightDecay', { min: 0, max: 1 }, out, 5e-4),
    nesterov: booleanField(o, 'nesterov', out, true),
    seed: int('seed', 0, 2 ** 31 - 1),
    validFraction: numberField(o, 'validFraction', { min: 0.01, max: 0.5 }, out, 0.1),
    evalImages: int('evalImages', 16, 100000, 500),
    recalBatches: int('recalBatches', 0, 100, 2),
    correlationSample: int('correlationSample', 0, 15625, 50),
    maxEnumerate: int('maxEnumerate', 1, 15625, 64),
    searchQueries: int('searchQueries', 1, 15625, 100),
    maxTrainImages: o.maxTrainImages === undefined || o.maxTrainImages === null ? null : int('maxTrainImages', 16, 10_000_000),
    microBatch: int('microBatch', 1, 1024, typeof o.batchSize === 'number' ? o.batchSize : 1),
    cropPadding: int('cropPadding', 0, 16, isCifar ? 4 : 0),
    horizontalFlip: booleanField(o, 'horizontalFlip', out, isCifar),
    checkpointEvery: int('checkpointEvery', 1, 1_000_000, 50),
    progressEvery: int('progressEvery', 1, 1_000_000, 5),
    compareArchs: parseCompareArchs(o.compareArchs, out),
  };
  if (out.length) throw new InvalidInputError(`invalid nb201-one-shot input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
