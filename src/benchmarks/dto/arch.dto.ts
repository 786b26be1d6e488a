import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { NB201_DATASETS, NB201_OPS, Nb201Dataset, Nb201Epochs } from '../nb201/types';

export class Nb201ArchQuery {
  @ApiPropertyOptional({ enum: NB201_DATASETS, description: 'Only this dataset (default: all).' })
  @IsOptional()
  @IsIn(NB201_DATASETS as unknown as string[])
  dataset?: Nb201Dataset;

  @ApiPropertyOptional({ enum: [12, 200], description: 'Only this schedule (default: both).' })
  @IsOptional()
  @Type(() => Number)
  @IsIn([12, 200], { message: 'epochs must be 12 or 200' })
  epochs?: Nb201Epochs;
}

export class Nb201AccuracyDto {
  @ApiProperty({ enum: NB201_DATASETS }) dataset!: string;
  @ApiProperty({ enum: ['test', 'valid'] }) split!: string;
  @ApiProperty({ enum: [12, 200] }) epochs!: number;
  @ApiProperty({ description: 'Top-1 accuracy in percent (mean over seeds).' }) accuracy!: number;
}

export class Nb201SeedAccuraciesDto {
  @ApiProperty({ enum: ['cifar10-valid', 'cifar100', 'ImageNet16-120'] }) dataset!: string;
  @ApiProperty({ enum: ['valid'] }) split!: string;
  @ApiProperty({ enum: [200] }) epochs!: number;
  @ApiProperty({ type: [Number], description: 'Per-run valid accuracy (%) at epoch 199, seeds in the order 777, 888, 999 (2 or 3 runs).' })
  runs!: number[];
}

export class Nb201CostDto {
  @ApiProperty({ enum: NB201_DATASETS }) dataset!: string;
  @ApiProperty({ description: 'MFLOPs (millions of multiply-adds, official NB201 convention).' }) flops!: number;
  @ApiProperty({ description: 'Millions of parameters.' }) params!: number;
}

export class Nb201LatencyDto {
  @ApiProperty({ example: 'pixel3' }) device!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Measured inference latency in ms (HELP).' }) ms!: number | null;
}

export class Nb201ArchRecordDto {
  @ApiProperty({ minimum: 0, maximum: 15624 }) index!: number;
  @ApiProperty({ example: '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|' }) archStr!: string;
  @ApiProperty({ example: '333132', description: 'Edge ops e0..e5 as digits: none=0, skip_connect=1, nor_conv_1x1=2, nor_conv_3x3=3, avg_pool_3x3=4.' })
  opCode!: string;
  @ApiProperty({ enum: NB201_OPS, isArray: true }) ops!: string[];
  @ApiProperty({ description: 'Isomorphism class id (archs of one class compute the same function).' }) isoClass!: number;
  @ApiProperty({ description: 'NATS get_unique_str key of the class.' }) isoClassKey!: string;
  @ApiProperty({ type: [Number], description: 'Indices of all archs in the class.' }) isoClassMembers!: number[];
  @ApiProperty({ type: [Nb201AccuracyDto] }) accuracies!: Nb201AccuracyDto[];
  @ApiProperty({ type: [Nb201SeedAccuraciesDto] }) seedValidAccuracies!: Nb201SeedAccuraciesDto[];
  @ApiProperty({ type: [Nb201CostDto] }) costs!: Nb201CostDto[];
  @ApiProperty({ type: [Nb201LatencyDto] }) latencies!: Nb201LatencyDto[];
  @ApiProperty() source!: string;
}
