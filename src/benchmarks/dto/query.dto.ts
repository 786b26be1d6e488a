import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { NB201_DATASETS } from '../nb201/types';
import { Nb201MetricSelector } from './common.dto';

export const NB201_MAX_BATCH = 20000;
export const NB201_SORT_KEYS = ['index', 'accuracy', 'flops', 'params', 'latency'] as const;

const finite = { allowNaN: false, allowInfinity: false };

export class Nb201QueryRequestDto extends Nb201MetricSelector {
  @ApiPropertyOptional({
    type: 'array',
    maxItems: NB201_MAX_BATCH,
    items: { oneOf: [{ type: 'integer', minimum: 0, maximum: 15624 }, { type: 'string' }] },
    description: 'Indices, six-digit op codes or arch strings (default: all 15,625 archs).',
    example: [6111, '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(NB201_MAX_BATCH)
  keys?: Array<string | number>;

  @ApiPropertyOptional({ description: 'HELP latency device; required by maxLatencyMs and sortBy=latency, adds latencyMs to each row.' })
  @IsOptional()
  @IsString()
  device?: string;

  @ApiPropertyOptional({ description: 'Keep archs with at most this many MFLOPs.' })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  maxFlops?: number;

  @ApiPropertyOptional({ description: 'Keep archs with at most this many million parameters.' })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  maxParams?: number;

  @ApiPropertyOptional({ description: 'Keep archs whose latency on `device` is at most this (ms).' })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  maxLatencyMs?: number;

  @ApiPropertyOptional({ description: 'Keep archs with at least this accuracy (%).' })
  @IsOptional()
  @IsNumber(finite)
  minAccuracy?: number;

  @ApiPropertyOptional({ enum: NB201_SORT_KEYS, description: 'Default: request order (or index order for all archs).' })
  @IsOptional()
  @IsIn(NB201_SORT_KEYS as unknown as string[])
  sortBy?: (typeof NB201_SORT_KEYS)[number];

  @ApiPropertyOptional({ enum: ['asc', 'desc'], description: 'Default: desc for accuracy, asc otherwise.' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({ minimum: 1, maximum: NB201_MAX_BATCH })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(NB201_MAX_BATCH)
  limit?: number;
}

export class Nb201QueryRowDto {
  @ApiProperty() index!: number;
  @ApiProperty() archStr!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Accuracy (%) of the selected metric.' }) accuracy!: number | null;
  @ApiProperty({ description: 'MFLOPs.' }) flops!: number;
  @ApiProperty({ description: 'Millions of parameters.' }) params!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Latency (ms) on the requested device.' }) latencyMs?: number | null;
}

export class Nb201QueryResponseDto {
  @ApiProperty({ enum: NB201_DATASETS }) dataset!: string;
  @ApiProperty({ enum: ['test', 'valid'] }) split!: string;
  @ApiProperty({ enum: [12, 200] }) epochs!: number;
  @ApiProperty({ nullable: true, type: String }) device!: string | null;
  @ApiProperty({ description: 'Archs considered (keys given, or 15,625).' }) requested!: number;
  @ApiProperty({ description: 'Archs passing the filters (before limit).' }) matched!: number;
  @ApiProperty({ type: [Nb201QueryRowDto] }) results!: Nb201QueryRowDto[];
  @ApiProperty() source!: string;
}
