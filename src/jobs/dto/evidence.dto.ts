import { ApiProperty } from '@nestjs/swagger';
import { EVALUATIONS, Evaluation, Evidence, EvidenceBackend, EvidenceData, EvidenceGroundTruth, EvidenceSchedule } from '../evidence';

/** OpenAPI description of the `evidence` block of every job result (src/jobs/evidence.ts). */
export class EvidenceDataDto implements EvidenceData {
  @ApiProperty({ description: 'Dataset as the job named it' }) dataset!: string;
  @ApiProperty({ description: 'Where its images came from (files, benchmark table)' }) source!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Images trained on; null when nothing was trained (benchmark lookup)' }) trainImages!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Images the reported accuracy was measured on; null when it comes from a benchmark table' })
  evalImages!: number | null;
  @ApiProperty({ description: 'True when only part of the dataset was used' }) subset!: boolean;
}

export class EvidenceScheduleDto implements EvidenceSchedule {
  @ApiProperty({ type: Number, nullable: true, description: "Training epochs behind the reported accuracy (for a lookup: the benchmark's own)" }) epochs!: number | null;
  @ApiProperty({ description: "True when shorter than the reference schedule of the method's paper or benchmark" }) shortened!: boolean;
  @ApiProperty() description!: string;
}

export class EvidenceBackendDto implements EvidenceBackend {
  @ApiProperty({ description: 'Backend the computation ran on' }) name!: string;
  @ApiProperty({ description: 'Why this backend' }) reason!: string;
}

export class EvidenceGroundTruthDto implements EvidenceGroundTruth {
  @ApiProperty({ description: 'The ground truth, e.g. NAS-Bench-201 cifar10 test accuracy after 200 epochs' }) benchmark!: string;
  @ApiProperty({ description: 'What was compared with it' }) comparison!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number', nullable: true }, description: 'Figures of the comparison by name (regret in pp, Kendall tau ...)' })
  figures!: Record<string, number | null>;
}

export class EvidenceDto implements Evidence {
  @ApiProperty({ enum: EVALUATIONS, description: 'How the reported accuracies were obtained' }) evaluation!: Evaluation;
  @ApiProperty({ description: 'What was evaluated how, in one sentence' }) description!: string;
  @ApiProperty({ type: EvidenceDataDto }) data!: EvidenceDataDto;
  @ApiProperty({ type: EvidenceScheduleDto }) schedule!: EvidenceScheduleDto;
  @ApiProperty({ type: EvidenceBackendDto, nullable: true, description: 'Where the computation ran; null for a benchmark lookup' }) backend!: EvidenceBackendDto | null;
  @ApiProperty({ type: EvidenceGroundTruthDto, nullable: true, description: 'Comparison with ground truth; null when the data has none' })
  groundTruth!: EvidenceGroundTruthDto | null;
}
