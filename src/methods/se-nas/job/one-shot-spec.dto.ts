import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsPositive, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { SCORING_RULES, ScoringRule } from '../science/scores';
import { SE_NAS_DEFAULTS } from '../training/input';

const FINITE = { allowNaN: false, allowInfinity: false } as const;

/** Fields every one-shot NB201 job has (SPOS and SE-NAS). */
export class OneShotBaseSpec {
  @ApiProperty({
    description: 'Builtin dataset (cifar10-subset, mnist, fashion-mnist) or the id of a dataset your team uploaded. Only cifar10-subset has NAS-Bench-201 ground truth.',
    example: 'cifar10-subset',
    minLength: 1,
    maxLength: 64,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  dataset!: string;

  @ApiProperty({ description: 'Channels of the first stage (NB201: 16).', minimum: 1, maximum: 64, example: 16 })
  @IsInt()
  @Min(1)
  @Max(64)
  C!: number;

  @ApiProperty({ description: 'Cells per stage (NB201: 5).', minimum: 1, maximum: 10, example: 5 })
  @IsInt()
  @Min(1)
  @Max(10)
  N!: number;

  @ApiProperty({ description: 'Images per SGD step.', minimum: 2, maximum: 1024, example: 64 })
  @IsInt()
  @Min(2)
  @Max(1024)
  batchSize!: number;

  @ApiProperty({ description: 'Seed of initialisation, sampling, split and shuffling.', minimum: 0, example: 1 })
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  seed!: number;

  @ApiPropertyOptional({ description: 'Peak learning rate of each stage\'s cosine schedule.', default: 0.05, exclusiveMinimum: true, minimum: 0, maximum: 10 })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  @Max(10)
  lr?: number;

  @ApiPropertyOptional({ description: 'Use only the first N training images (a valid split is held out of them). Default: all.', minimum: 16 })
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(10_000_000)
  maxTrainImages?: number;

  @ApiPropertyOptional({ description: 'Held-out images each child is evaluated on.', default: 500, minimum: 16, maximum: 100000 })
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(100000)
  evalImages?: number;

  @ApiPropertyOptional({ description: 'Size of the fixed seeded full-space sample for the ground-truth correlation (cifar10-subset only).', default: 50, minimum: 0, maximum: 15625 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(15625)
  correlationSample?: number;

  @ApiPropertyOptional({ description: 'Supernet evaluations of the evolutionary search when the final space is larger than maxEnumerate.', default: 100, minimum: 1, maximum: 15625 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(15625)
  searchQueries?: number;

  @ApiPropertyOptional({ description: 'Final spaces up to this size are evaluated exhaustively.', default: 64, minimum: 1, maximum: 15625 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(15625)
  maxEnumerate?: number;
}

/** Spec of an `spos-nb201` job: uniform single-path supernet training over the full NB201 space, then search. */
export class SposNb201Spec extends OneShotBaseSpec {
  @ApiProperty({ description: 'Supernet training epochs.', minimum: 1, maximum: 1000, example: 10 })
  @IsInt()
  @Min(1)
  @Max(1000)
  epochs!: number;
}

/** Spec of an `se-nas-nb201` job: shrinking-and-expanding supernet (Hu et al. 2021) on NB201. */
export class SeNasNb201Spec extends OneShotBaseSpec {
  @ApiProperty({ description: 'Supernet training epochs per stage (stages shrinking stages + one final stage).', minimum: 1, maximum: 1000, example: 5 })
  @IsInt()
  @Min(1)
  @Max(1000)
  epochsPerStage!: number;

  @ApiPropertyOptional({ description: 'Shrinking (decouple) stages.', default: SE_NAS_DEFAULTS.stages, minimum: 1, maximum: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  stages?: number;

  @ApiPropertyOptional({ description: 'Operators removed per shrinking stage (at least one is kept per edge; stages x k <= 24).', default: SE_NAS_DEFAULTS.k, minimum: 1, maximum: 24 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24)
  k?: number;

  @ApiPropertyOptional({ description: 'Merge threshold T: most partial models of a merged layer-wise space (each gets its own weights); the paper uses 50; 1 = no expanding.', default: SE_NAS_DEFAULTS.T, minimum: 1, maximum: 625 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(625)
  T?: number;

  @ApiPropertyOptional({ description: 'Children sampled per shrinking stage for the selection importance (Eq. 5).', default: SE_NAS_DEFAULTS.samplesPerStage, minimum: 5, maximum: 5000 })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(5000)
  samplesPerStage?: number;

  @ApiPropertyOptional({ description: 'Weight snapshots of a stage\'s last epoch averaged for evaluation (Eq. 4); 1 = none.', default: SE_NAS_DEFAULTS.snapshots, minimum: 1, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  snapshots?: number;

  @ApiPropertyOptional({ enum: SCORING_RULES, description: 'Operator ranking for shrinking: se-nas (Eq. 7 as printed: normalize(SI)/normalize(SC), x/mean(x)), sc-times-deviation (SC x (SI - edge mean SI), an earlier reading), or the ablations si (Eq. 5 alone) and random.', default: 'se-nas' })
  @IsOptional()
  @IsIn(SCORING_RULES)
  scoring?: ScoringRule;
}
