import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Limit } from '../../../common/limit.decorators';
import { DatasetField } from '../../../datasets/dto/dataset-field.decorator';
import { SCORING_RULES, ScoringRule } from '../science/scores';
import { ONE_SHOT_LIMITS as L, REMOVABLE_OPERATORS, SE_NAS_LIMITS as SL } from './limits';

/** Fields every one-shot NB201 job has (SPOS and SE-NAS). Limits and defaults: ./limits.ts (shared with the task's parser). */
export class OneShotBaseSpec {
  @DatasetField({
    description: 'Builtin dataset (cifar10-subset, mnist, fashion-mnist) or the id of a dataset your team uploaded. Only cifar10-subset has NAS-Bench-201 ground truth.',
    example: 'cifar10-subset',
  })
  dataset!: string;

  @Limit(L.C, { description: 'Channels of the first stage (NB201: 16).', example: 16 })
  C!: number;

  @Limit(L.N, { description: 'Cells per stage (NB201: 5).', example: 5 })
  N!: number;

  @Limit(L.batchSize, { description: 'Images per SGD step.', example: 64 })
  batchSize!: number;

  @Limit(L.seed, { description: 'Seed of initialisation, sampling, split and shuffling.', example: 1 })
  seed!: number;

  @Limit(L.lr, { description: "Peak learning rate of each stage's cosine schedule." })
  lr?: number;

  @Limit(L.maxTrainImages, { description: 'Use only the first N training images (a valid split is held out of them). Default: all.', optional: true })
  maxTrainImages?: number;

  @Limit(L.evalImages, { description: 'Held-out images each child is evaluated on.' })
  evalImages?: number;

  @Limit(L.correlationSample, { description: 'Size of the fixed seeded full-space sample for the ground-truth correlation (cifar10-subset only).' })
  correlationSample?: number;

  @Limit(L.searchQueries, { description: 'Supernet evaluations of the evolutionary search when the final space is larger than maxEnumerate.' })
  searchQueries?: number;

  @Limit(L.maxEnumerate, { description: 'Final spaces up to this size are evaluated exhaustively.' })
  maxEnumerate?: number;
}

/** Spec of an `spos-nb201` job: uniform single-path supernet training over the full NB201 space, then search. */
export class SposNb201Spec extends OneShotBaseSpec {
  @Limit(L.epochs, { description: 'Supernet training epochs.', example: 10 })
  epochs!: number;
}

/** Spec of an `se-nas-nb201` job: shrinking-and-expanding supernet (Hu et al. 2021) on NB201. */
export class SeNasNb201Spec extends OneShotBaseSpec {
  @Limit(L.epochsPerStage, { description: 'Supernet training epochs per stage (stages shrinking stages + one final stage).', example: 5 })
  epochsPerStage!: number;

  @Limit(SL.stages, { description: 'Shrinking (decouple) stages.' })
  stages?: number;

  @Limit(SL.k, { description: `Operators removed per shrinking stage (at least one is kept per edge; stages x k <= ${REMOVABLE_OPERATORS}).` })
  k?: number;

  @Limit(SL.T, { description: 'Merge threshold T: most partial models of a merged layer-wise space (each gets its own weights); the paper uses 50; 1 = no expanding.' })
  T?: number;

  @Limit(SL.samplesPerStage, { description: 'Children sampled per shrinking stage for the selection importance (Eq. 5).' })
  samplesPerStage?: number;

  @Limit(SL.snapshots, { description: "Weight snapshots of a stage's last epoch averaged for evaluation (Eq. 4); 1 = none." })
  snapshots?: number;

  @ApiPropertyOptional({ enum: SCORING_RULES, description: 'Operator ranking for shrinking: se-nas (Eq. 7 as printed: normalize(SI)/normalize(SC), x/mean(x)), sc-times-deviation (SC x (SI - edge mean SI), an earlier reading), or the ablations si (Eq. 5 alone) and random.', default: 'se-nas' })
  @IsOptional()
  @IsIn(SCORING_RULES)
  scoring?: ScoringRule;
}
