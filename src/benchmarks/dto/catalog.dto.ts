import { ApiProperty } from '@nestjs/swagger';
import { NB201_DATASETS } from '../nb201/types';

export const BENCHMARK_STATUSES = ['ready', 'loading', 'missing', 'error'] as const;
export type BenchmarkStatus = (typeof BENCHMARK_STATUSES)[number];

export class BenchmarkMetricDto {
  @ApiProperty({ enum: NB201_DATASETS }) dataset!: string;
  @ApiProperty({ enum: ['test', 'valid'] }) split!: string;
  @ApiProperty({ enum: [12, 200] }) epochs!: number;
}

export class BenchmarkInfoDto {
  @ApiProperty({ example: 'nb201' }) name!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'Whether the tables are loaded and the look-up endpoints answer.' }) available!: boolean;
  @ApiProperty({ enum: BENCHMARK_STATUSES }) status!: BenchmarkStatus;
  @ApiProperty({ nullable: true, type: String, description: 'Why the benchmark is unavailable (names the expected directory).' })
  message!: string | null;
  @ApiProperty({ description: 'Directory the tables are read from (config dataDir + /nasbench201).' }) dataDir!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Number of architectures (15,625) once loaded.' }) size!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Number of isomorphism classes once loaded.' }) isoClassCount!: number | null;
  @ApiProperty({ enum: NB201_DATASETS, isArray: true }) datasets!: string[];
  @ApiProperty({ type: [BenchmarkMetricDto], description: 'Accuracy metrics present in the tables (empty until loaded).' })
  metrics!: BenchmarkMetricDto[];
  @ApiProperty({ type: [String], description: 'HELP latency devices (empty until loaded).' }) devices!: string[];
  @ApiProperty({ type: [String], example: ['flops', 'params', 'latency'] }) costMetrics!: string[];
  @ApiProperty({ nullable: true, type: Number, description: 'Milliseconds the table took to load in this process.' }) loadMs!: number | null;
}

export class BenchmarksCatalogDto {
  @ApiProperty({ type: [BenchmarkInfoDto] }) benchmarks!: BenchmarkInfoDto[];
}
