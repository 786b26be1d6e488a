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
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Percentile bootstrap intervals { kendallTau, spearmanRho }, each { level, lo, hi, resamples, used, seed } (1000 resamples of the n archs, seed 1)',
  })
  ci!: object;
}

export class StageRankingCheckDto extends RankingCheckDto {
  @ApiProperty({ description: '1-based block: SE-NAS stage, or SPOS after block x epochsPerStage epochs (equal epochs)' }) block!: number;
  @ApiProperty({ description: 'Supernet training epochs done when measured' }) epochs!: number;
  @ApiProperty({ enum: ['full-space-sample', 'current-space', 'compare-archs'] }) set!: string;
  @ApiProperty({ description: 'Archs in the space trained at that moment' }) spaceSize!: number;
  @ApiProperty({ type: [String], description: 'NB201 arch strings of the archs ranked' }) archs!: string[];
  @ApiProperty({ type: [Number], description: 'Supernet accuracy (0..1) of each arch' }) supernetAccuracies!: number[];
  @ApiProperty({ type: [Number], description: 'Ground truth of each arch (NB201 cifar10 test accuracy, %, 200 epochs)' }) groundTruth!: number[];
}

export class OneShotCorrelationDto {
  @ApiProperty({ type: RankingCheckDto, nullable: true, description: 'Table 1: fixed seeded sample of the full space, scored by the SPOS supernet at the end of training or by SE-NAS at the end of stage 1' })
  fullSpaceSample!: RankingCheckDto | null;
  @ApiProperty({
    type: [StageRankingCheckDto],
    description: 'Figs. 7-8: at the end of each block of epochsPerStage epochs; SE-NAS ranks (a sample of) its current space, SPOS the full-space sample and the compared archs',
  })
  perStage!: StageRankingCheckDto[];
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
    description:
      'Per training stage: space, weight groups, last-epoch loss; for shrinking stages scoring rule, k, T, the sampled children (ops, accuracy), ' +
      'per-operator scores (edge, op, samples, si = Eq. 5, sc = Eq. 6 of its edge, score = Eq. 7; null = +Infinity, never removed), removed operators, shrunk space and merged groups',
  })
  stages!: object[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Search of the final space: how (exhaustive | evolution), evaluated children, best' })
  search!: object;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'NB201 record of the searched arch (cifar10-subset only): table3 (cifar10Valid, cifar10Test, cifar100Valid, cifar100Test, imageNet16Valid, imageNet16Test, %, 200 epochs), table3Optimum (each column\'s best over the table), regret = optimum - cifar10 test' })
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
