import { ApiProperty } from '@nestjs/swagger';
import { EvidenceDto } from '../../../jobs/dto/evidence.dto';

/** OpenAPI description of the result of a `dataset-baseline` job (the trainer task's result). */
export class DatasetBaselineResultDto {
  @ApiProperty({ description: 'What was trained', example: 'linear softmax baseline on raw pixels (not a NAS result)' }) model!: string;
  @ApiProperty() dataset!: string;
  @ApiProperty({ description: 'Files the images were read from' }) datasetSource!: string;
  @ApiProperty() trainImages!: number;
  @ApiProperty() testImages!: number;
  @ApiProperty() numClasses!: number;
  @ApiProperty({ type: [Number], description: '[height, width, channels]' }) imageShape!: number[];
  @ApiProperty() epochs!: number;
  @ApiProperty() steps!: number;
  @ApiProperty() batchSize!: number;
  @ApiProperty() lr!: number;
  @ApiProperty() momentum!: number;
  @ApiProperty() weightDecay!: number;
  @ApiProperty() seed!: number;
  @ApiProperty({ type: 'object', properties: { mean: { type: 'array', items: { type: 'number' } }, std: { type: 'array', items: { type: 'number' } } } })
  normalisation!: { mean: number[]; std: number[] };
  @ApiProperty({ description: 'Accuracy (0..1) on the test images' }) testAccuracy!: number;
  @ApiProperty() testLoss!: number;
  @ApiProperty({ type: [Number], description: 'Mean training cross-entropy of each epoch' }) trainLoss!: number[];
  @ApiProperty() imagesPerSecond!: number;
  @ApiProperty() trainSeconds!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Step this run resumed from, or null' }) resumedFromStep!: number | null;
  @ApiProperty({ description: 'SHA-256 of the final weights: equal hashes = identical models' }) weightsSha256!: string;
  @ApiProperty({ type: [String] }) notes!: string[];
  @ApiProperty({ type: EvidenceDto, description: 'What was evaluated how: evaluation, data, schedule (shortened?), backend, ground-truth comparison' }) evidence!: EvidenceDto;
}
