import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { NB201_DATASETS } from '../nb201/types';
import { Nb201MetricSelector } from './common.dto';

export const NB201_COST_METRICS = ['flops', 'params', 'latency'] as const;
export type Nb201CostMetric = (typeof NB201_COST_METRICS)[number];

export class Nb201ParetoQuery extends Nb201MetricSelector {
  @ApiPropertyOptional({ enum: NB201_COST_METRICS, default: 'flops' })
  @IsOptional()
  @IsIn(NB201_COST_METRICS as unknown as string[])
  cost?: Nb201CostMetric;

  @ApiPropertyOptional({ description: 'HELP device; required when cost=latency.', example: 'pixel3' })
  @IsOptional()
  @IsString()
  device?: string;
}

export class Nb201ParetoPointDto {
  @ApiProperty() index!: number;
  @ApiProperty() archStr!: string;
  @ApiProperty({ description: 'Accuracy (%).' }) accuracy!: number;
  @ApiProperty({ description: 'Cost in costUnit.' }) cost!: number;
}

export class Nb201ParetoResponseDto {
  @ApiProperty({ enum: NB201_DATASETS }) dataset!: string;
  @ApiProperty({ enum: ['test', 'valid'] }) split!: string;
  @ApiProperty({ enum: [12, 200] }) epochs!: number;
  @ApiProperty({ enum: NB201_COST_METRICS }) cost!: string;
  @ApiProperty({ nullable: true, type: String }) device!: string | null;
  @ApiProperty({ enum: ['MFLOPs', 'M params', 'ms'] }) costUnit!: string;
  @ApiProperty({ description: 'Archs with both values known.' }) candidates!: number;
  @ApiProperty({ type: [Nb201ParetoPointDto], description: 'Non-dominated archs by ascending cost (max accuracy, min cost).' })
  front!: Nb201ParetoPointDto[];
  @ApiProperty() source!: string;
}
