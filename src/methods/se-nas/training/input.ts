/** Input of the `nb201-one-shot` trainer task (SPOS and SE-NAS on the NB201 supernet) and its validation. */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { SCORING_RULES, ScoringRule } from '../science/scores';
import { InputObject, booleanField, limitField, numberField } from '../../../trainer/tasks/input-checks';
import { ONE_SHOT_LIMITS as L, ONE_SHOT_TASK_LIMITS as TL, SE_NAS_DEFAULTS, SE_NAS_LIMITS as SL, totalRemovalProblem } from '../job/limits';
import { DatasetRef, parseDatasetRef } from '../../../datasets/dataset-ref';

export const ONE_SHOT_METHODS = ['spos', 'se-nas'] as const;
export type OneShotMethod = (typeof ONE_SHOT_METHODS)[number];

export { SE_NAS_DEFAULTS };

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
  const method = o.method as OneShotMethod;
  // SPOS has no shrinking; its `stages` only sets the equal budget (stages + 1) x epochsPerStage, so 0 is allowed
  const stagesLimit = method === 'spos' ? { ...SL.stages, min: 0 } : SL.stages;
  const input: OneShotInput = {
    method,
    dataset,
    benchmarkDir: (o.benchmarkDir as string | undefined) ?? null,
    C: limitField(o, 'C', L.C, out),
    N: limitField(o, 'N', L.N, out),
    epochsPerStage: limitField(o, 'epochsPerStage', L.epochsPerStage, out),
    stages: limitField(o, 'stages', stagesLimit, out),
    k: limitField(o, 'k', SL.k, out),
    T: limitField(o, 'T', SL.T, out),
    samplesPerStage: limitField(o, 'samplesPerStage', SL.samplesPerStage, out),
    snapshots: limitField(o, 'snapshots', SL.snapshots, out),
    scoring: (o.scoring as ScoringRule | undefined) ?? 'se-nas',
    batchSize: limitField(o, 'batchSize', L.batchSize, out),
    lr: limitField(o, 'lr', L.lr, out),
    momentum: limitField(o, 'momentum', TL.momentum, out),
    weightDecay: limitField(o, 'weightDecay', TL.weightDecay, out),
    nesterov: booleanField(o, 'nesterov', out, true),
    seed: limitField(o, 'seed', L.seed, out),
    validFraction: limitField(o, 'validFraction', TL.validFraction, out),
    evalImages: limitField(o, 'evalImages', L.evalImages, out),
    recalBatches: limitField(o, 'recalBatches', TL.recalBatches, out),
    correlationSample: limitField(o, 'correlationSample', L.correlationSample, out),
    maxEnumerate: limitField(o, 'maxEnumerate', L.maxEnumerate, out),
    searchQueries: limitField(o, 'searchQueries', L.searchQueries, out),
    maxTrainImages: o.maxTrainImages === undefined || o.maxTrainImages === null ? null : limitField(o, 'maxTrainImages', L.maxTrainImages, out),
    microBatch: numberField(o, 'microBatch', TL.microBatch, out, typeof o.batchSize === 'number' ? o.batchSize : 1),
    cropPadding: numberField(o, 'cropPadding', TL.cropPadding, out, isCifar ? 4 : 0),
    horizontalFlip: booleanField(o, 'horizontalFlip', out, isCifar),
    checkpointEvery: limitField(o, 'checkpointEvery', TL.checkpointEvery, out),
    progressEvery: limitField(o, 'progressEvery', TL.progressEvery, out),
    compareArchs: parseCompareArchs(o.compareArchs, out),
  };
  const removal = method === 'se-nas' ? totalRemovalProblem(input.stages, input.k) : null;
  if (removal) out.push(violation('input.k', 'maxTotalRemoval', removal));
  if (out.length) throw new InvalidInputError(`invalid nb201-one-shot input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
