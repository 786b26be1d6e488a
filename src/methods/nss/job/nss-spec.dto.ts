import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { Limit } from '../../../common/limit.decorators';
import { DatasetField } from '../../../datasets/dto/dataset-field.decorator';
import { NSS_ELITE_LIMITS as L, NSS_PRESET_NAMES, NSS_SEARCH_LIMITS as SL } from './limits';

const DATASET_DOC = {
  description: 'Builtin dataset (cifar10-subset, mnist, fashion-mnist) or the id of a dataset your team uploaded.',
  example: 'cifar10-subset',
};

/**
 * Spec of an `nss-elite-space` job: Network Space Search (Hong et al.) for a FLOPs target on a dataset, to an Elite
 * Space. Limits and defaults: ./limits.ts (shared with the trainer task's parser).
 */
export class NssEliteSpaceSpec {
  @DatasetField(DATASET_DOC)
  dataset!: string;

  @ApiProperty({
    enum: NSS_PRESET_NAMES,
    description:
      'Expanded Search Space: `small` (d_max 4 in 2 depth ranges, w_max 32 in 4 width ranges: 512 network spaces; trains on the CPU) or `paper` ' +
      '(Sec. 4.1: d_max 16, w_max 512, 4 depths x 32 widths per space, 2^18 spaces; its supernet is too large for the CPU trainer: 422).',
    example: 'small',
  })
  @IsIn(NSS_PRESET_NAMES)
  preset!: (typeof NSS_PRESET_NAMES)[number];

  @Limit(L.targetFlops, { description: 'FLOPs target (multiply-adds of convs and FC) of Eq. 4. Give it or targetLatencyMs; a target no network of the space can meet within +-10 % is a 400.', example: 12_000_000, optional: true })
  targetFlops?: number;

  @Limit(L.targetLatencyMs, {
    description:
      'Latency target (ms) instead of targetFlops: L = L_task + lambda |Lat(A)/target - 1|, Lat the expected latency under the relaxed distribution from a per-residual-block ' +
      "look-up table measured at batch 1 on the service's inference backend (the trainer's; wasm by default), built once per preset, input shape, machine and backend " +
      'setting and kept as a team `latency-table` artefact (a job that finds none builds it first and reports the build time). Preset paper is refused (422: its table would ' +
      'have 525k blocks); a target no network reaches within +-10 % by the LUT fails the job with 422 naming this field.',
    example: 20,
    optional: true,
  })
  targetLatencyMs?: number;

  @Limit(L.lambda, { description: 'lambda of Eq. 5: L = L_task + lambda L_FLOPs.' })
  lambda?: number;

  @Limit(L.epochs, { description: 'Search epochs over the weight half of the training images (paper: 50).', example: 2 })
  epochs!: number;

  @Limit(L.warmupFraction, { description: 'Fraction of the epochs (rounded) that only train the weights (paper: 0.3, 15 of 50).' })
  warmupFraction?: number;

  @Limit(L.batchSize, { description: 'Images per step (weights and Theta each).' })
  batchSize?: number;

  @Limit(L.seed, { description: 'Seed of initialisation, split, sampling and shuffling.', example: 1 })
  seed!: number;

  @Limit(L.n, { description: 'Spaces sampled from P_Theta after the search; the one closest to the target is the Elite Space (paper: 5).' })
  n?: number;

  @Limit(L.maxTrainImages, { description: 'Use only the first N training images (split equally into weights and Theta halves). Default: all.', optional: true })
  maxTrainImages?: number;

  @Limit(L.evalImages, { description: 'Test images each sampled architecture is evaluated on (supernet accuracy).' })
  evalImages?: number;

  @Limit(L.archSamples, { description: 'Architectures sampled uniformly from the Elite Space and from the Expanded Search Space each, with FLOPs and supernet accuracy (Fig. 3).' })
  archSamples?: number;
}

/**
 * Spec of an `nss-search` job: NAS inside a given Elite Space (artefact id) or inside the whole Expanded Search Space,
 * for a FLOPs target (Sec. 4.3, Table 1).
 */
export class NssSearchSpec {
  @DatasetField({ ...DATASET_DOC, description: `${DATASET_DOC.description} Gives the image shape and classes of the space (with eliteSpace: it must match the Elite Space's) and the data of the optional stand-alone training.` })
  dataset!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Search inside this `elite-space` artefact (from an nss-elite-space job). Absent: the whole Expanded Search Space of `preset`.' })
  @IsOptional()
  @IsUUID('all', { message: 'eliteSpace must be the UUID of an elite-space artifact' })
  eliteSpace?: string;

  @ApiPropertyOptional({ enum: NSS_PRESET_NAMES, description: 'Expanded Search Space searched when eliteSpace is absent (required then).' })
  @IsOptional()
  @IsIn(NSS_PRESET_NAMES)
  preset?: (typeof NSS_PRESET_NAMES)[number];

  @Limit(SL.targetFlops, { description: 'FLOPs target (multiply-adds). Give it or targetLatencyMs. A target no network of the space can meet within +-10 % is a 400.', example: 12_000_000, optional: true })
  targetFlops?: number;

  @Limit(SL.targetLatencyMs, {
    description:
      "Latency target (ms) instead of targetFlops: draws are judged by their per-residual-block LUT latency on the service's inference backend (the team's cached " +
      '`latency-table` artefact, built first when there is none; see nss-elite-space). Preset paper is refused (422); a target no network reaches within +-10 % ' +
      'by the LUT fails the job with 422 naming this field.',
    example: 5,
    optional: true,
  })
  targetLatencyMs?: number;

  @Limit(SL.seed, { description: 'Seed of the uniform draws and of the training.', example: 1 })
  seed!: number;

  @Limit(SL.n, { description: 'Draws of the closest-of-n procedure (Table 1, Elite Space: 5).' })
  n?: number;

  @Limit(SL.maxSamples, { description: 'Most uniform draws of the until-within-+-10 % procedure.' })
  maxSamples?: number;

  @Limit(SL.trainEpochs, { description: 'Stand-alone training epochs of the found architecture (short; 0 = no accuracy).' })
  trainEpochs?: number;

  @Limit(SL.batchSize, { description: 'Images per SGD step of the stand-alone training.' })
  batchSize?: number;

  @Limit(SL.lr, { description: 'Peak learning rate (cosine) of the stand-alone training.' })
  lr?: number;

  @Limit(SL.maxTrainImages, { description: 'Train on the first N training images only. Default: all.', optional: true })
  maxTrainImages?: number;

  @Limit(SL.evalImages, { description: 'Test images the stand-alone accuracy is measured on.' })
  evalImages?: number;
}
