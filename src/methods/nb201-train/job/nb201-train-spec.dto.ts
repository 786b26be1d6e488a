import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsPositive, IsUUID, Max, Min, ValidateBy } from 'class-validator';
import { NB201_SIZE, parseArchStr } from '../../../benchmarks/nb201/arch';
import { BUILTIN_DATASETS, isBuiltinDatasetName } from '../../../datasets/formats';
import { isUuid } from '../../../common/uuid';

const FINITE = { allowNaN: false, allowInfinity: false } as const;
const EXAMPLE_ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';

/** Default of `validFraction` (the task itself has none): 10% held out so the curve has a valid accuracy per epoch. */
export const NB201_TRAIN_DEFAULT_VALID_FRACTION = 0.1;

/** True for an official NB201 index (integer 0..15624) or a well-formed NB201 arch string. */
export function isNb201ArchKey(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v < NB201_SIZE;
  return typeof v === 'string' && v.length <= 200 && parseArchStr(v) !== null;
}

/** True for a builtin dataset name, or a UUID (an uploaded dataset: rejected later with a 422, the task cannot read it). */
function isDatasetRef(v: unknown): boolean {
  return isBuiltinDatasetName(v) || (isUuid(v));
}

/**
 * Spec of an `nb201-train` job: train one NAS-Bench-201 cell network from scratch (the retraining step of a search)
 * and report its per-epoch curve and test accuracy. Bounds mirror the trainer task's own checks
 * (src/trainer/nb201/input.ts), which the kind also runs before accepting the job.
 */
export class Nb201TrainSpec {
  @ApiProperty({
    oneOf: [
      { type: 'string', description: 'Official NB201 arch string', example: EXAMPLE_ARCH },
      { type: 'integer', minimum: 0, maximum: NB201_SIZE - 1, description: 'Official NB201 benchmark index', example: 6111 },
    ],
    description: `The cell to train: an NB201 arch string (e.g. ${EXAMPLE_ARCH}) or its benchmark index 0..${NB201_SIZE - 1}.`,
    example: EXAMPLE_ARCH,
  })
  @ValidateBy({
    name: 'isNb201Arch',
    validator: {
      validate: isNb201ArchKey,
      defaultMessage: () => `arch must be an NB201 arch string like ${EXAMPLE_ARCH} or an integer index 0..${NB201_SIZE - 1}`,
    },
  })
  arch!: string | number;

  @ApiProperty({
    description: `Builtin dataset: ${BUILTIN_DATASETS.join(', ')}. Uploaded datasets are not supported by this kind (422).`,
    example: 'mnist',
    maxLength: 64,
  })
  @ValidateBy({
    name: 'isBuiltinDataset',
    validator: { validate: isDatasetRef, defaultMessage: () => `dataset must be one of ${BUILTIN_DATASETS.join(', ')}` },
  })
  dataset!: string;

  @ApiProperty({ description: 'Channels of the first stage (NB201: 16; doubled at each of the two reductions).', minimum: 1, maximum: 256, example: 16 })
  @IsInt()
  @Min(1)
  @Max(256)
  C!: number;

  @ApiProperty({ description: 'Cells per stage (NB201: 5).', minimum: 1, maximum: 20, example: 5 })
  @IsInt()
  @Min(1)
  @Max(20)
  N!: number;

  @ApiProperty({ description: 'Passes over the training images (NB201: 200; fewer is reported as a shortened schedule).', minimum: 1, maximum: 1000, example: 10 })
  @IsInt()
  @Min(1)
  @Max(1000)
  epochs!: number;

  @ApiProperty({ description: 'Images per SGD step (NB201: 256).', minimum: 2, maximum: 4096, example: 64 })
  @IsInt()
  @Min(2)
  @Max(4096)
  batchSize!: number;

  @ApiProperty({ description: 'Peak learning rate of the cosine schedule (NB201: 0.1).', exclusiveMinimum: true, minimum: 0, maximum: 10, example: 0.1 })
  @IsNumber(FINITE)
  @IsPositive()
  @Max(10)
  lr!: number;

  @ApiProperty({ description: 'Seed of the weight initialisation, split and shuffling: the same spec gives the same model.', minimum: 0, example: 1 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  seed!: number;

  @ApiPropertyOptional({ description: 'Train (and split off valid) from the first N training images only. Default: all.', minimum: 1, example: 5000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  maxTrainImages?: number;

  @ApiPropertyOptional({ description: 'Evaluate the test accuracy on the first N test images only. Default: all.', minimum: 1, example: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  maxTestImages?: number;

  @ApiPropertyOptional({
    description: 'Fraction of the training images held out (stratified, seeded) for the per-epoch valid accuracy of the curve; 0 = no valid split.',
    minimum: 0,
    maximum: 0.5,
    default: NB201_TRAIN_DEFAULT_VALID_FRACTION,
  })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(0.5)
  validFraction?: number;

  @ApiPropertyOptional({ description: 'Linear warm-up of the learning rate, in epochs (<= epochs).', minimum: 0, maximum: 1000, default: 0 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(1000)
  warmupEpochs?: number;

  @ApiPropertyOptional({ description: 'SGD momentum.', minimum: 0, maximum: 0.999, default: 0.9 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(0.999)
  momentum?: number;

  @ApiPropertyOptional({ description: 'L2 weight decay.', minimum: 0, maximum: 1, default: 5e-4 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(1)
  weightDecay?: number;

  @ApiPropertyOptional({ description: 'Nesterov momentum.', default: true })
  @IsOptional()
  @IsBoolean()
  nesterov?: boolean;

  @ApiPropertyOptional({ description: 'Label smoothing of the cross-entropy loss.', minimum: 0, maximum: 0.5, default: 0 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(0.5)
  labelSmoothing?: number;

  @ApiPropertyOptional({ description: 'Decay of an exponential moving average of the weights, evaluated on the test set besides the raw weights (e.g. 0.999); 0 = off.', minimum: 0, maximum: 0.99999, default: 0 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(0.99999)
  emaDecay?: number;

  @ApiPropertyOptional({ description: 'Random-crop padding in pixels (0 = no crop). Default: 4 for cifar10-subset, 0 otherwise.', minimum: 0, maximum: 16 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(16)
  cropPadding?: number;

  @ApiPropertyOptional({ description: 'Random horizontal flip. Default: true for cifar10-subset, false otherwise (digits and clothes are not mirror-symmetric).' })
  @IsOptional()
  @IsBoolean()
  horizontalFlip?: boolean;

  @ApiPropertyOptional({
    description:
      'Images per forward/backward chunk; the batch gradient is accumulated over chunks (BN statistics per chunk). Default: the whole batch. ' +
      'On the wasm backend the C=16 N=5 network at 32x32 needs <= 128.',
    minimum: 1,
    maximum: 4096,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4096)
  microBatch?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Start from the weights of this `model` artifact (exported by an earlier nb201-train job of the same arch, C, N, ' +
      'number of classes and image shape) instead of the seeded initialisation. The artifact cannot be deleted while the job is queued or running.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'initFrom must be the UUID of a model artifact' })
  initFrom?: string;

  @ApiPropertyOptional({ description: 'Export the trained weights as a `model` artifact (visible once the job has succeeded; its id is in the result).', default: true })
  @IsOptional()
  @IsBoolean()
  exportModel?: boolean;
}
