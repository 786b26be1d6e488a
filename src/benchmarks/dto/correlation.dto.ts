import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, Min } from 'class-validator';
import { NB201_DATASETS } from '../nb201/types';
import { Nb201MetricSelector } from './common.dto';
import { NB201_MAX_BATCH } from './query.dto';

export class Nb201ScorePairDto {
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string' }], description: 'Index, six-digit op code or arch string.' })
  arch!: number | string;
  @ApiProperty({ description: 'Finite score of any method (higher = predicted better).' }) score!: number;
}

export class Nb201CorrelationRequestDto extends Nb201MetricSelector {
  @ApiProperty({ type: [Nb201ScorePairDto], minItems: 2, maxItems: NB201_MAX_BATCH, description: 'One pair per distinct arch.' })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(NB201_MAX_BATCH)
  pairs!: Nb201ScorePairDto[];

  @ApiPropertyOptional({ type: [Number], description: 'k values for top-k precision (default: 10 and 100 where <= n).', example: [10, 100] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsInt({ each: true })
  @Min(1, { each: true })
  topK?: number[];
}

export class Nb201TopKDto {
  @ApiProperty() k!: number;
  @ApiProperty({ description: 'Fraction of the top-k by score that are in the top-k by ground truth.' }) precision!: number;
}

export class Nb201GroundTruthDto {
  @ApiProperty({ enum: NB201_DATASETS }) dataset!: string;
  @ApiProperty({ enum: ['test', 'valid'] }) split!: string;
  @ApiProperty({ enum: [12, 200] }) epochs!: number;
}

export class Nb201CorrelationResponseDto {
  @ApiProperty() n!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Kendall tau-b (ties handled); null when undefined.' }) kendallTau!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Spearman rho with average ranks for ties.' }) spearmanRho!: number | null;
  @ApiProperty({ nullable: true, type: Number }) pearsonR!: number | null;
  @ApiProperty({ type: [Nb201TopKDto] }) topK!: Nb201TopKDto[];
  @ApiProperty({ type: Nb201GroundTruthDto }) groundTruth!: Nb201GroundTruthDto;
  @ApiProperty() source!: string;
}
