import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsUUID, Max, Min, ValidateBy, ValidateNested } from 'class-validator';
import { Limit } from '../../../common/limit.decorators';
import { isUuid } from '../../../common/uuid';
import { NB201_SIZE, parseArchStr } from '../../../benchmarks/nb201/arch';
import { BUILTIN_DATASETS, isBuiltinDatasetName } from '../../../datasets/formats';
import { CONET_INPUT_FORMATS } from '../formats';
import { CONET_LIMITS as L, CONET_MAX_SWEEP, CONET_WEIGHTS } from './limits';

const EXAMPLE_ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
export const CONET_NETWORK_KINDS = ['resnet', 'nb201', 'artifact'] as const;
export type ConetNetworkKind = (typeof CONET_NETWORK_KINDS)[number];
/** Default ResNet preset: ResNet-8 (one BasicBlock per stage) at widths 16/32/64 (He et al.'s CIFAR ResNet). */
export const CONET_RESNET_DEFAULT = { blocksPerStage: [1, 1, 1] as [number, number, number], stageChannels: [16, 32, 64] as [number, number, number] };

function isNb201ArchKey(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v < NB201_SIZE;
  return typeof v === 'string' && v.length <= 200 && parseArchStr(v) !== null;
}

/** The network CONet sizes: a ResNet preset, an NB201 cell network, or a `model` artefact of another job. */
export class ConetNetworkSpecDto {
  @ApiProperty({
    enum: CONET_NETWORK_KINDS,
    description:
      "'resnet': a ResNet for 32x32 images (conv3x3 stem, three stages of BasicBlocks, projection shortcut at each stride-2 block); " +
      "'nb201': a NAS-Bench-201 cell network of one arch; 'artifact': the network of a `model` artefact (`modelArtifact`).",
    example: 'resnet',
  })
  @IsIn(CONET_NETWORK_KINDS)
  kind!: ConetNetworkKind;

  @ApiPropertyOptional({ type: [Number], minItems: 3, maxItems: 3, description: `resnet: BasicBlocks per stage (each ${L.blocksPerStage.min}..${L.blocksPerStage.max}). Default [1, 1, 1] (ResNet-8).`, example: [1, 1, 1] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(3)
  @ArrayMaxSize(3)
  @IsInt({ each: true })
  @Min(L.blocksPerStage.min, { each: true })
  @Max(L.blocksPerStage.max, { each: true })
  blocksPerStage?: number[];

  @ApiPropertyOptional({ type: [Number], minItems: 3, maxItems: 3, description: `resnet: starting width of each stage (each ${L.stageChannels.min}..${L.stageChannels.max}). Default [16, 32, 64].`, example: [16, 32, 64] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(3)
  @ArrayMaxSize(3)
  @IsInt({ each: true })
  @Min(L.stageChannels.min, { each: true })
  @Max(L.stageChannels.max, { each: true })
  stageChannels?: number[];

  @ApiPropertyOptional({
    oneOf: [
      { type: 'string', description: 'Official NB201 arch string', example: EXAMPLE_ARCH },
      { type: 'integer', minimum: 0, maximum: NB201_SIZE - 1, description: 'Official NB201 benchmark index' },
    ],
    description: 'nb201 (required there): the cell, an NB201 arch string or benchmark index.',
  })
  @IsOptional()
  @ValidateBy({ name: 'isNb201Arch', validator: { validate: isNb201ArchKey, defaultMessage: () => `arch must be an NB201 arch string like ${EXAMPLE_ARCH} or an index 0..${NB201_SIZE - 1}` } })
  arch?: string | number;

  @Limit(L.C, { description: 'nb201: starting width of stage 0 (stages 1, 2 start at 2C, 4C).', example: 16 })
  C?: number;

  @Limit(L.N, { description: 'nb201: cells per stage.', example: 1 })
  N?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      `artifact (required there): a \`model\` artefact of format ${CONET_INPUT_FORMATS.join(' or ')} — an nb201-train job's exported model ` +
      '(its arch, C, N are the network; its weights are not used: every CONet trial starts from a seeded initialisation) or a ' +
      "conet job's export (its network at its channel sizes: CONet continues from there). Other formats are refused (400).",
  })
  @IsOptional()
  @IsUUID('all', { message: 'modelArtifact must be the UUID of a model artifact' })
  modelArtifact?: string;
}

export const CONET_TARGET_METRICS_API = ['params', 'flops', 'latency'] as const;

export class ConetTargetDto {
  @ApiProperty({ enum: CONET_TARGET_METRICS_API, description:
      "params (count), flops (multiply-adds of conv and linear layers) or latency (ms: a per-layer look-up-table prediction, batch 1, on the service's inference backend, " +
      "the trainer's; layers missing from the team's cached `latency-table` artefact are measured by the job and the grown table is stored; activations and residual additions are not counted)." })
  @ValidateBy({
    name: 'isIn',
    validator: {
      validate: (v: unknown) => (CONET_TARGET_METRICS_API as readonly unknown[]).includes(v),
      defaultMessage: () => `metric must be one of ${CONET_TARGET_METRICS_API.join(', ')}`,
    },
  })
  metric!: 'params' | 'flops' | 'latency';

  @Limit(L.targetValue, { description: 'The target value (a budget under rule budget).', example: 50000 })
  value!: number;
}

/**
 * Spec of a `conet` job: CONet (Hosseini et al.) channel-size search on a network, for one δ or a δ sweep, on a
 * builtin or uploaded dataset. Limits and defaults: ./limits.ts, shared with the trainer task's input parser.
 */
export class ConetSpec {
  @ApiProperty({ type: ConetNetworkSpecDto })
  @ValidateNested()
  @Type(() => ConetNetworkSpecDto)
  network!: ConetNetworkSpecDto;

  @ApiProperty({ description: `A builtin dataset (${BUILTIN_DATASETS.join(', ')}) or the id of one of the team's uploaded datasets.`, example: 'cifar10-subset', maxLength: 64 })
  @ValidateBy({ name: 'isDataset', validator: { validate: (v: unknown) => isBuiltinDatasetName(v) || isUuid(v), defaultMessage: () => `dataset must be one of ${BUILTIN_DATASETS.join(', ')} or a dataset id` } })
  dataset!: string;

  @Limit(L.delta, { description: 'delta, the rank-slope threshold of Alg. 2 (the accuracy/params knob; paper delta2 = 0.0075). Exclusive with deltas.', example: 0.0075 })
  delta?: number;

  @ApiPropertyOptional({ type: [Number], minItems: 1, maxItems: CONET_MAX_SWEEP, description: `A delta sweep (1..${CONET_MAX_SWEEP} distinct values in ${L.delta.min}..${L.delta.max}): one search per delta, the trade-off curve, the point that best meets the target. Exclusive with delta.`, example: [0.002, 0.0075, 0.02] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(CONET_MAX_SWEEP)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  @Min(L.delta.min, { each: true })
  @Max(L.delta.max, { each: true })
  deltas?: number[];

  @Limit(L.mu, { description: 'mu, the low-rank condition threshold (shrink when kappa-bar > mu). Not given in the paper; ours.' })
  mu?: number;

  @Limit(L.gamma, { description: 'gamma: a group has converged when its action flips while phi < gamma. Not given in the paper; ours.' })
  gamma?: number;

  @Limit(L.phi0, { description: 'phi0, the initial scale factor of Eq. 4 (paper: 20 %).' })
  phi0?: number;

  @Limit(L.epochsPerTrial, { description: 'Training epochs per trial (paper: 20); the rank slope S is measured over them.', example: 3 })
  epochsPerTrial!: number;

  @Limit(L.maxTrials, { description: 'Trial limit per delta (paper: 25).' })
  maxTrials?: number;

  @Limit(L.minChannels, { description: 'Smallest channel size of a group.' })
  minChannels?: number;

  @Limit(L.maxChannels, { description: 'Largest channel size of a group.' })
  maxChannels?: number;

  @ApiPropertyOptional({ enum: ['mean', 'majority'], default: 'mean', description: "How the layers of a channel group vote: 'mean' averages S and kappa-bar, then decides once; 'majority' = sign of the sum of per-layer actions." })
  @IsOptional()
  @IsIn(['mean', 'majority'])
  vote?: 'mean' | 'majority';

  @ApiPropertyOptional({ enum: ['per-group', 'any-group'], default: 'per-group', description: "'per-group': a converged group stops changing, the search ends when all converged; 'any-group': the first convergence ends it." })
  @IsOptional()
  @IsIn(['per-group', 'any-group'])
  stopRule?: 'per-group' | 'any-group';

  @ApiPropertyOptional({ enum: ['svd', 'gram'], default: 'svd', description: "Spectrum for EVBMF: 'svd' (ml-matrix SVD) or 'gram' (eigenvalues of the smaller Gram matrix; same values, faster on large layers)." })
  @IsOptional()
  @IsIn(['svd', 'gram'])
  spectrum?: 'svd' | 'gram';

  @ApiPropertyOptional({
    enum: CONET_WEIGHTS.values,
    default: CONET_WEIGHTS.default,
    description:
      "Weights of each trial's network (Alg. 2 line 15, 'Instantiate model with new channels'). 'restart' (default, the paper's literal reading): a fresh " +
      "seeded initialisation every trial. 'transplant': the last trial's trained weights, channel-sliced into the resized network (the first channels kept " +
      'on shrink, new channels freshly initialised on expand; BN parameters and running statistics likewise).',
  })
  @IsOptional()
  @IsIn(CONET_WEIGHTS.values)
  weights?: 'restart' | 'transplant';

  @Limit(L.batchSize, { description: 'Images per SGD step.', example: 64 })
  batchSize!: number;

  @Limit(L.lr, { description: 'Peak learning rate of the cosine schedule (each trial and each retrain).' })
  lr?: number;

  @Limit(L.momentum, { description: 'SGD momentum.' })
  momentum?: number;

  @Limit(L.weightDecay, { description: 'L2 weight decay.' })
  weightDecay?: number;

  @Limit(L.seed, { description: 'Seed of every initialisation and the data order: the same spec gives the same result.', example: 1 })
  seed!: number;

  @Limit(L.maxTrainImages, { description: 'Train on the first N training images only. Default: all.', optional: true, example: 512 })
  maxTrainImages?: number;

  @Limit(L.maxTestImages, { description: 'Test on the first N test images only. Default: all.', optional: true, example: 256 })
  maxTestImages?: number;

  @ApiPropertyOptional({ default: true, description: 'Retrain every final configuration from scratch and report its test accuracy.' })
  @IsOptional()
  @IsBoolean()
  retrain?: boolean;

  @Limit(L.retrainEpochs, { description: 'Epochs of each retrain.' })
  retrainEpochs?: number;

  @ApiPropertyOptional({ type: ConetTargetDto, description: 'The configuration of the sweep that best meets this target is the final one.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConetTargetDto)
  target?: ConetTargetDto;

  @ApiPropertyOptional({ enum: ['budget', 'closest'], default: 'budget', description: "'budget': the most accurate point at or under the target (the largest without accuracies; the smallest, flagged, when none fits); 'closest': least |metric - target|." })
  @IsOptional()
  @IsIn(['budget', 'closest'])
  targetRule?: 'budget' | 'closest';

  @ApiPropertyOptional({ description: `Export the retrained final network as a \`model\` artefact (format ${'conet-layers-model/1'}: a TensorFlow.js LayersModel bundle). Default: true when retrain is on; needs retrain.` })
  @IsOptional()
  @IsBoolean()
  exportModel?: boolean;
}

