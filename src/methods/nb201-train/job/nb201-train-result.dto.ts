import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EvidenceDto } from '../../../jobs/dto/evidence.dto';
import { BUILTIN_DATASETS } from '../../../datasets/formats';
import { TrainerBackendDto } from '../../../jobs/dto/trainer-backend.dto';
import type { Nb201EpochRecord, Nb201TrainResult } from '../training/nb201-train.task';

/** OpenAPI description of the result of an `nb201-train` job (the job result is the trainer task's result). */

export class Nb201TrainEpochDto implements Nb201EpochRecord {
  @ApiProperty({ description: 'Epoch number, from 1' }) epoch!: number;
  @ApiProperty({ description: 'Mean (label-smoothed) training loss over the epoch' }) trainLoss!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Accuracy (0..1) on the held-out valid split, BN in eval mode; null when validFraction is 0' })
  validAccuracy!: number | null;
  @ApiProperty({ description: 'Learning rate at the last step of the epoch' }) lrAtEnd!: number;
}

export class Nb201TrainAugmentDto {
  @ApiProperty({ description: 'Random-crop padding in pixels (0 = none)' }) cropPadding!: number;
  @ApiProperty() horizontalFlip!: boolean;
}

export class Nb201TrainScheduleDto {
  @ApiProperty() epochs!: number;
  @ApiProperty({ description: 'SGD steps taken' }) steps!: number;
  @ApiProperty() batchSize!: number;
  @ApiProperty({ description: 'Training images (after the valid split)' }) trainImages!: number;
  @ApiProperty() validImages!: number;
  @ApiProperty() testImages!: number;
  @ApiProperty() lr!: number;
  @ApiProperty() warmupEpochs!: number;
  @ApiProperty() momentum!: number;
  @ApiProperty() weightDecay!: number;
  @ApiProperty() nesterov!: boolean;
  @ApiProperty() labelSmoothing!: number;
  @ApiProperty({ description: 'Decay of the weight EMA (0 = none)' }) emaDecay!: number;
  @ApiProperty({ description: 'Images per forward/backward chunk' }) microBatch!: number;
  @ApiProperty({ type: Nb201TrainAugmentDto }) augment!: Nb201TrainAugmentDto;
  @ApiProperty({ description: "True unless this is NB201's schedule (200 epochs) on the full dataset: the accuracy is then not comparable with NB201's table" })
  shortened!: boolean;
  @ApiProperty() description!: string;
}

export class Nb201TrainResultDto implements Omit<Nb201TrainResult, 'imageShape'> {
  @ApiProperty({ type: TrainerBackendDto }) backend!: TrainerBackendDto;
  @ApiProperty({ description: 'Official NB201 arch string of the trained cell' }) arch!: string;
  @ApiProperty() C!: number;
  @ApiProperty() N!: number;
  @ApiProperty({ description: 'Trainable parameters' }) params!: number;
  @ApiProperty({ enum: BUILTIN_DATASETS }) dataset!: string;
  @ApiProperty({ description: 'Where the data was read from' }) datasetSource!: string;
  @ApiProperty() numClasses!: number;
  @ApiProperty({ type: [Number], description: '[height, width, channels]' }) imageShape!: number[];
  @ApiProperty({ type: Nb201TrainScheduleDto }) schedule!: Nb201TrainScheduleDto;
  @ApiProperty({ type: [Nb201TrainEpochDto], description: 'One record per epoch' }) curve!: Nb201TrainEpochDto[];
  @ApiProperty({ description: 'Accuracy on the (first maxTestImages) test images, 0..1' }) testAccuracy!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Test accuracy with the exponential moving average of the weights; null without emaDecay' })
  emaTestAccuracy!: number | null;
  @ApiProperty() testLoss!: number;
  @ApiProperty({ description: 'Training throughput (images per second of step time)' }) imagesPerSecond!: number;
  @ApiProperty() trainSeconds!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Step of the checkpoint this run resumed from; null for an uninterrupted run' })
  resumedFromStep!: number | null;
  @ApiProperty({ description: 'SHA-256 of all parameters and BN statistics: equal hashes = identical models' }) weightsSha256!: string;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the model file training started from (spec.initFrom), null for the seeded init' })
  initWeightsSha256!: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'The `model` artifact holding the trained weights (absent when spec.exportModel is false)' })
  modelArtifactId?: string;
  @ApiProperty({ type: [String], description: 'Caveats, e.g. that the schedule was shortened' }) notes!: string[];
  @ApiProperty({ type: EvidenceDto, description: 'What was evaluated how: evaluation, data, schedule (shortened?), backend, ground-truth comparison' }) evidence!: EvidenceDto;
}
