import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsPositive, IsString, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { DatasetField } from '../../../datasets/dto/dataset-field.decorator';
import { SCALENET_BUDGET_MODES, SCALENET_GENERALISATIONS, SCALENET_FAMILY_DEFAULTS as D, SCALENET_FAMILY_LIMITS as L, SCALENET_SAMPLERS } from './limits';

const FINITE = { allowNaN: false, allowInfinity: false } as const;
// the preset names are checked by the kind (science/space.ts is the one list), so an unknown one is named there

/** FLOPs budgets: f0 (then f_j = 2^j f0) or the whole list f_0..f_M. */
export class ScaleNetBudgetsSpec {
  @ApiPropertyOptional({ description: 'Base budget f0 in multiply-adds; f_j = 2^j f0 (Sec. 3.1).', example: 2_000_000 })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  f0?: number;

  @ApiPropertyOptional({ type: [Number], description: 'Budgets f_0..f_M in multiply-adds (M + 1 increasing entries).' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(9)
  @IsNumber(FINITE, { each: true })
  list?: number[];
}

/** Latency budgets in ms: l0 (then l_j = 2^j l0) or the whole list l_0..l_M; caps, predicted by a per-block LUT. */
export class ScaleNetLatencyBudgetsSpec {
  @ApiPropertyOptional({ description: 'Base latency budget l0 in ms; l_j = 2^j l0 (like f_j = 2^j f0).', example: 5 })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  l0?: number;

  @ApiPropertyOptional({ type: [Number], description: 'Latency budgets l_0..l_M in ms (M + 1 increasing entries).' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(9)
  @IsNumber(FINITE, { each: true })
  list?: number[];
}

const int = (key: keyof typeof L, description: string, def?: number) => {
  const lim = L[key] as { min?: number; max: number };
  return [
    (def === undefined ? ApiProperty : ApiPropertyOptional)({ description, minimum: lim.min, maximum: lim.max, ...(def !== undefined ? { default: def } : {}) }),
    ...(def !== undefined ? [IsOptional()] : []),
    IsInt(),
    Min(lim.min ?? 0),
    Max(lim.max),
  ];
};
const apply = (decorators: PropertyDecorator[]): PropertyDecorator => (target, key) => decorators.forEach((d) => d(target, key));

/** Spec of a `scalenet-family` job. Defaults and limits: src/methods/scalenet/job/limits.ts. */
export class ScaleNetFamilySpec {
  @DatasetField({ description: 'Builtin dataset (cifar10-subset, mnist, fashion-mnist) or the id of a dataset your team uploaded.', example: 'cifar10-subset' })
  dataset!: string;

  @ApiPropertyOptional({ description: 'Search-space preset: `small` (32x32, trainable on CPU) or `paper` (Table 6, 224x224).', default: D.preset, example: 'small' })
  @IsOptional()
  @IsString()
  preset?: string;

  @ApiPropertyOptional({ description: 'Maximum searched scaling stage M (Table 7 has rows 0..3).', default: D.M, minimum: L.M.min, maximum: L.M.max })
  @IsOptional()
  @IsInt()
  @Min(L.M.min)
  @Max(L.M.max)
  M?: number;

  @ApiPropertyOptional({ type: ScaleNetBudgetsSpec, description: 'FLOPs budgets; default: f0 by Monte Carlo over f0Samples base paths (appendix A), f_j = 2^j f0.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScaleNetBudgetsSpec)
  budgets?: ScaleNetBudgetsSpec;

  @ApiPropertyOptional({
    type: ScaleNetLatencyBudgetsSpec,
    description:
      'Latency budgets (caps, ms) per scaling stage, enforced in MCEA beside the FLOPs budgets (the FLOPs budgets are then enforced only when `budgets` is given). ' +
      "A path's latency is a LUT prediction: the sum of per-block latencies measured at batch 1 on the service's inference backend (the trainer's; " +
      'wasm by default). The table is built once per preset, M, image channels, machine and backend setting (a job that finds none builds it first, ' +
      'reporting the build time) and kept as a team `latency-table` artefact. A budget below the fastest path of its stage is refused at submission (400 naming this field) ' +
      "when the team's cached tables show it, or, with no table yet, when it is under a third of a quick probe's estimate; otherwise the job checks it against the full table (422).",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScaleNetLatencyBudgetsSpec)
  maxLatencyMs?: ScaleNetLatencyBudgetsSpec;

  @ApiPropertyOptional({ enum: SCALENET_SAMPLERS, default: D.sampler, description: 'Path sampler of supernet training: HSS (Eq. 1-2) or uniform (ablation).' })
  @IsOptional()
  @IsIn(SCALENET_SAMPLERS as unknown as string[])
  sampler?: string;

  @ApiPropertyOptional({ type: [Number], description: 'HSS stage weights eta_0..eta_M (Eq. 2), summing to 1. Default equal.' })
  @IsOptional()
  @IsArray()
  @IsNumber(FINITE, { each: true })
  eta?: number[];

  @ApiPropertyOptional({ type: [Number], description: 'Stage weights pi_1..pi_M of Eq. 4, summing to 1. Default equal.' })
  @IsOptional()
  @IsArray()
  @IsNumber(FINITE, { each: true })
  pi?: number[];

  @apply(int('epochs', 'Super-supernet training epochs.', D.epochs)) epochs?: number;
  @apply(int('batchSize', 'Images per SGD step.', D.batchSize)) batchSize?: number;

  @ApiPropertyOptional({ description: 'Peak learning rate (cosine schedule with linear warm-up).', default: D.lr, maximum: L.lr.max })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  @Max(L.lr.max)
  lr?: number;

  @ApiPropertyOptional({ description: 'Warm-up length in epochs (fractions allowed).', default: D.warmupEpochs, minimum: 0, maximum: L.warmupEpochs.max })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(L.warmupEpochs.max)
  warmupEpochs?: number;

  @ApiPropertyOptional({ description: 'Seed of initialisation, sampling, split and MCEA.', default: D.seed, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  seed?: number;

  @apply(int('maxTrainImages', 'Use only the first N training images (a held-out split is taken from them). Default: all.')) @IsOptional() maxTrainImages?: number;
  @apply(int('evalImages', 'Held-out images each path is evaluated on.', D.evalImages)) evalImages?: number;
  @apply(int('recalBatches', 'Training batches for the BN recalibration of each evaluated path.', D.recalBatches)) recalBatches?: number;
  @apply(int('f0Samples', 'Monte Carlo base paths for f0 when no budget is given (appendix A: about 100,000).', D.f0Samples)) f0Samples?: number;

  @ApiPropertyOptional({ description: 'Relative half-width of the budget band |FLOPs - f_j| <= tolerance f_j.', default: D.tolerance, minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(L.tolerance.min)
  @Max(L.tolerance.max)
  tolerance?: number;

  @ApiPropertyOptional({ enum: SCALENET_BUDGET_MODES, default: D.budgetMode, description: '`band`: FLOPs within tolerance of f_j; `max`: FLOPs <= f_j.' })
  @IsOptional()
  @IsIn(SCALENET_BUDGET_MODES as unknown as string[])
  budgetMode?: string;

  @apply(int('generaliseTo', 'Largest scaling stage of the family (generalised beyond M, Eq. 9).', D.generaliseTo)) generaliseTo?: number;
  @ApiPropertyOptional({ enum: SCALENET_GENERALISATIONS, default: D.generalisation, description: 'Fit that extends the family beyond M: Eq. 9 (exponential, the paper), Eq. 23 (linear) or Eq. 26 (quadratic); all three fits are reported. With M = 1 only the linear fit is identifiable.' })
  @IsOptional()
  @IsIn(SCALENET_GENERALISATIONS as unknown as string[])
  generalisation?: string;

  @apply(int('T', 'MCEA iterations (appendix A: 8).', D.T)) T?: number;
  @apply(int('K', 'MCEA random base models for S_j^(0) (appendix A: 20).', D.K)) K?: number;
  @apply(int('P', 'NSGA-II population (appendix A: 50).', D.P)) P?: number;
  @apply(int('N', 'NSGA-II generations per iteration (appendix A: 40).', D.N)) N?: number;

  @ApiPropertyOptional({ description: 'Id of a `supernet` artefact of an earlier scalenet-family job (same preset, M and image shape): search it without training.', format: 'uuid' })
  @IsOptional()
  @IsUUID()
  supernet?: string;

  @ApiPropertyOptional({ description: 'Retrain each member S0..S_generaliseTo from scratch for this many epochs on the training images (SGD, cosine schedule), report its test accuracy and store it as a `model` artefact in TensorFlow.js LayersModel format. 0 = no retraining.', default: D.retrainEpochs, minimum: L.retrainEpochs.min, maximum: L.retrainEpochs.max })
  @IsOptional()
  @IsInt()
  @Min(L.retrainEpochs.min)
  @Max(L.retrainEpochs.max)
  retrainEpochs?: number;

  @ApiPropertyOptional({ description: 'Peak learning rate of the retraining (cosine schedule, no warm-up).', default: D.retrainLr, maximum: L.retrainLr.max })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  @Max(L.retrainLr.max)
  retrainLr?: number;

  @apply(int('maxTestImages', 'Score the retrained members on only the first N test images. Default: all.')) @IsOptional() maxTestImages?: number;
}
