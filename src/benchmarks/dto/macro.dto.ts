import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { MACRO_SORT_KEYS, MacroSortKey } from '../macro/query';
import { MACRO_OPS, MACRO_SIZE } from '../../search/spaces/macro';

const finite = { allowNaN: false, allowInfinity: false };
const KEY_DOC = '8 digits 0-2, layer 0 first: 0 identity, 1 MB3_K3 (expand 3, kernel 3), 2 MB6_K5 (expand 6, kernel 5).';

export class MacroGroundTruthDto {
  @ApiProperty({ example: 'cifar10' }) dataset!: string;
  @ApiProperty({ example: 'test' }) split!: string;
  @ApiProperty({ example: 50, description: 'Epochs of the benchmark training schedule.' }) epochs!: number;
}

export class MacroLayerDto {
  @ApiProperty({ minimum: 0, maximum: 7 }) layer!: number;
  @ApiProperty({ minimum: 0, maximum: 2 }) stage!: number;
  @ApiProperty({ enum: MACRO_OPS }) op!: string;
  @ApiProperty({ enum: [1, 2] }) stride!: number;
  @ApiProperty() inChannels!: number;
  @ApiProperty() outChannels!: number;
  @ApiProperty({ description: 'Output feature-map side (pixels).' }) outResolution!: number;
  @ApiProperty({ description: 'True when this layer is a no-op (stride-1 identity).' }) noOp!: boolean;
}

export class MacroArchRecordDto {
  @ApiProperty({ example: '22212220', description: KEY_DOC }) key!: string;
  @ApiProperty({ minimum: 0, maximum: MACRO_SIZE - 1, description: 'The key read as a base-3 number.' }) index!: number;
  @ApiProperty({ enum: MACRO_OPS, isArray: true }) ops!: string[];
  @ApiProperty({ type: [MacroLayerDto] }) layers!: MacroLayerDto[];
  @ApiProperty({ description: 'Network id (0..3968); keys of one network are the same network with identical records.' }) network!: number;
  @ApiProperty({ description: "The network's canonical key (stride-1 identities moved to the end of each stage)." }) canonicalKey!: string;
  @ApiProperty({ type: [String], description: 'All keys of this network (ascending).' }) equivalentKeys!: string[];
  @ApiProperty({ type: [Number], description: 'CIFAR-10 test accuracy (%) of the three independent trainings.' }) testAccuracies!: number[];
  @ApiProperty({ description: 'Mean of the three test accuracies (%), as stored.' }) meanAccuracy!: number;
  @ApiProperty({ description: 'Standard deviation of the three accuracies, as stored.' }) std!: number;
  @ApiProperty({ description: 'Parameter count.' }) params!: number;
  @ApiProperty({ description: 'Multiply-adds (count) of the convolutions and the classifier weights.' }) flops!: number;
  @ApiProperty({ type: MacroGroundTruthDto }) groundTruth!: MacroGroundTruthDto;
  @ApiProperty() source!: string;
}

export class MacroQueryRequestDto {
  @ApiPropertyOptional({ type: [String], maxItems: MACRO_SIZE, description: `Keys (${KEY_DOC}); default: all 6,561.`, example: ['22212220', '00000000'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MACRO_SIZE)
  keys?: unknown[];

  @ApiPropertyOptional({ description: 'Keep keys with at most this many multiply-adds (count, e.g. 40000000).' })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  maxFlops?: number;

  @ApiPropertyOptional({ description: 'Keep keys with at most this many parameters (count).' })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  maxParams?: number;

  @ApiPropertyOptional({ description: 'Keep keys with at least this mean test accuracy (%).' })
  @IsOptional()
  @IsNumber(finite)
  minAccuracy?: number;

  @ApiPropertyOptional({ description: 'One row per distinct network (the first given key, or the canonical key when no keys are given). Default false.' })
  @IsOptional()
  @IsBoolean()
  distinct?: boolean;

  @ApiPropertyOptional({ enum: MACRO_SORT_KEYS, description: 'Default: request order (key order for all keys).' })
  @IsOptional()
  @IsIn(MACRO_SORT_KEYS as unknown as string[])
  sortBy?: MacroSortKey;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], description: 'Default: desc for accuracy, asc otherwise.' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({ minimum: 1, maximum: MACRO_SIZE })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MACRO_SIZE)
  limit?: number;
}

export class MacroQueryRowDto {
  @ApiProperty() key!: string;
  @ApiProperty() canonicalKey!: string;
  @ApiProperty() network!: number;
  @ApiProperty({ description: 'Mean test accuracy (%).' }) accuracy!: number;
  @ApiProperty({ description: 'Multiply-adds (count).' }) flops!: number;
  @ApiProperty({ description: 'Parameters (count).' }) params!: number;
}

export class MacroQueryResponseDto {
  @ApiProperty({ description: 'Keys considered (given, or 6,561; 3,969 canonical keys with distinct and no keys).' }) requested!: number;
  @ApiProperty({ description: 'Keys passing the filters (before limit).' }) matched!: number;
  @ApiProperty({ description: 'Distinct networks among the matched keys.' }) matchedNetworks!: number;
  @ApiProperty({ type: [MacroQueryRowDto] }) results!: MacroQueryRowDto[];
  @ApiProperty({ type: MacroGroundTruthDto }) groundTruth!: MacroGroundTruthDto;
  @ApiProperty() source!: string;
}

export const MACRO_COST_METRICS = ['flops', 'params'] as const;

export class MacroParetoQuery {
  @ApiPropertyOptional({ enum: MACRO_COST_METRICS, default: 'flops' })
  @IsOptional()
  @IsIn(MACRO_COST_METRICS as unknown as string[])
  cost?: (typeof MACRO_COST_METRICS)[number];
}

export class MacroParetoPointDto {
  @ApiProperty({ description: "The network's canonical key." }) key!: string;
  @ApiProperty() network!: number;
  @ApiProperty({ type: [String], description: 'All keys of the network (each is equally on the front).' }) equivalentKeys!: string[];
  @ApiProperty({ description: 'Mean test accuracy (%).' }) accuracy!: number;
  @ApiProperty({ description: 'Cost in costUnit.' }) cost!: number;
  @ApiProperty() flops!: number;
  @ApiProperty() params!: number;
}

export class MacroParetoResponseDto {
  @ApiProperty({ enum: MACRO_COST_METRICS }) cost!: string;
  @ApiProperty({ enum: ['multiply-adds', 'params'] }) costUnit!: string;
  @ApiProperty({ description: 'Keys considered (6,561).' }) candidateKeys!: number;
  @ApiProperty({ description: 'Distinct networks considered (3,969).' }) candidateNetworks!: number;
  @ApiProperty({ type: [MacroParetoPointDto], description: 'Non-dominated networks (max accuracy, min cost) by ascending cost.' })
  front!: MacroParetoPointDto[];
  @ApiProperty({ type: MacroGroundTruthDto }) groundTruth!: MacroGroundTruthDto;
  @ApiProperty() source!: string;
}

export class MacroScorePairDto {
  @ApiProperty({ example: '22212220', description: KEY_DOC }) arch!: string;
  @ApiProperty({ description: 'Finite score of any method (higher = predicted better).' }) score!: number;
}

export const MACRO_GROUP_BY = ['key', 'network'] as const;

export class MacroCorrelationRequestDto {
  @ApiProperty({ type: [MacroScorePairDto], minItems: 2, maxItems: MACRO_SIZE, description: 'One pair per distinct key.' })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(MACRO_SIZE)
  pairs!: MacroScorePairDto[];

  @ApiPropertyOptional({
    enum: MACRO_GROUP_BY,
    description: 'key (default): one point per given key; network: the keys of one network are one point with the mean of their scores.',
  })
  @IsOptional()
  @IsIn(MACRO_GROUP_BY as unknown as string[])
  groupBy?: (typeof MACRO_GROUP_BY)[number];

  @ApiPropertyOptional({ type: [Number], description: 'k values for top-k precision (default: 10 and 100 where <= n).', example: [10, 100] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsInt({ each: true })
  @Min(1, { each: true })
  topK?: number[];
}

export class MacroTopKDto {
  @ApiProperty() k!: number;
  @ApiProperty({ description: 'Fraction of the top-k by score that are in the top-k by ground truth.' }) precision!: number;
}

export class MacroCorrelationResponseDto {
  @ApiProperty({ enum: MACRO_GROUP_BY }) groupBy!: string;
  @ApiProperty({ description: 'Points correlated (keys, or networks with groupBy=network).' }) n!: number;
  @ApiProperty({ description: 'Keys given.' }) keys!: number;
  @ApiProperty({ description: 'Distinct networks among the given keys.' }) networks!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Kendall tau-b (ties handled); null when undefined.' }) kendallTau!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Spearman rho with average ranks for ties.' }) spearmanRho!: number | null;
  @ApiProperty({ nullable: true, type: Number }) pearsonR!: number | null;
  @ApiProperty({ type: [MacroTopKDto] }) topK!: MacroTopKDto[];
  @ApiProperty({ type: MacroGroundTruthDto, description: 'Mean CIFAR-10 test accuracy of the three runs.' }) groundTruth!: MacroGroundTruthDto;
  @ApiProperty() source!: string;
}
