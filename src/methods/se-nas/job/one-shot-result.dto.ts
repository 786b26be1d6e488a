import { ApiProperty } from '@nestjs/swagger';
import { EvidenceDto } from '../../../jobs/dto/evidence.dto';
import { TrainerBackendDto } from '../../../jobs/dto/trainer-backend.dto';

// No runtime import of the trainer engine: the API process must not load TensorFlow.js.

export class RankingCheckDto {
  @ApiProperty({ description: 'Which archs were ranked' }) what!: string;
  @ApiProperty({ description: 'Ground-truth metric' }) truth!: string;
  @ApiProperty() n!: number;
  @ApiProperty({ description: 'Kendall tau-b of supernet accuracy against the truth' }) kendallTau!: number;
  @ApiProperty() spearmanRho!: number;
  @ApiProperty() pearsonR!: number;
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { k: { type: 'integer' }, precision: { type: 'number' } } } })
  topK!: Array<{ k: number; precision: number }>;
}

export class OneShotCorrelationDto {
  @ApiProperty({ type: RankingCheckDto, nullable: true, description: '(a) fixed seeded sample of the full space' }) fullSpaceSample!: RankingCheckDto | null;
  @ApiProperty({ type: RankingCheckDto, nullable: true, description: '(b) archs of the final (shrunk) space that were evaluated' }) finalSpace!: RankingCheckDto | null;
  @ApiProperty({ description: 'When sample (a) was scored, or why there is no ground truth' }) note!: string;
}

/** OpenAPI description of the result of `spos-nb201` and `se-nas-nb201` jobs. */
export class OneShotResultDto {
  @ApiProperty({ enum: ['spos', 'se-nas'] }) method!: string;
  @ApiProperty({ type: TrainerBackendDto }) backend!: TrainerBackendDto;
  @ApiProperty({ description: 'Searched arch (NB201 arch string): best child of the final space by supernet accuracy' }) arch!: string;
  @ApiProperty({ type: [Number], description: 'Op index per edge e0..e5' }) ops!: number[];
  @ApiProperty({ description: 'Supernet accuracy (0..1) of the searched arch on the held-out images' }) supernetAccuracy!: number;
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'Operators left on each edge e0..e5' })
  survivingOperators!: string[][];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Per training stage: space, weight groups, last-epoch loss; for shrinking stages the sampled children, operator scores (SI, SC, score) and removed operators',
  })
  stages!: object[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Search of the final space: how (exhaustive | evolution), evaluated children, best' })
  search!: object;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'NB201 record of the searched arch (cifar10-subset only), with its regret to the table optimum' })
  benchmarkRecord!: object | null;
  @ApiProperty({ type: OneShotCorrelationDto }) correlation!: OneShotCorrelationDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Data and schedule actually used; shortened is always true for these jobs, with a description' })
  schedule!: object;
  @ApiProperty() imagesPerSecond!: number;
  @ApiProperty() trainSeconds!: number;
  @ApiProperty() childrenEvaluated!: number;
  @ApiProperty({ type: Number, nullable: true }) resumedFromStep!: number | null;
  @ApiProperty({ type: [String] }) notes!: string[];
  @ApiProperty({ type: EvidenceDto, description: 'What was evaluated how: evaluation, data, schedule (shortened?), backend, ground-truth comparison' }) evidence!: EvidenceDto;
}
