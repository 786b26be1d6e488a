import { ApiProperty } from '@nestjs/swagger';
import { NB201_DATASETS } from '../nb201/types';

export const BENCHMARK_STATUSES = ['ready', 'loading', 'missing', 'error'] as const;
export type BenchmarkStatus = (typeof BENCHMARK_STATUSES)[number];

export class BenchmarkMetricDto {
  @ApiProperty({ enum: NB201_DATASETS }) dataset!: string;
  @ApiProperty({ enum: ['test', 'valid'] }) split!: string;
  @ApiProperty({ enum: [12, 50, 200], description: 'Training schedule: NB201 12 or 200 epochs; NAS-Bench-Macro 50.' }) epochs!: number;
}

export class BenchmarkInfoDto {
  @ApiProperty({ enum: ['nb201', 'macro'] }) name!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'Whether the tables are loaded and the look-up endpoints answer.' }) available!: boolean;
  @ApiProperty({ enum: BENCHMARK_STATUSES }) status!: BenchmarkStatus;
  @ApiProperty({ nullable: true, type: String, description: 'Why the benchmark is unavailable (names the expected directory).' })
  message!: string | null;
  @ApiProperty({ description: 'Directory the tables are read from (config dataDir + /nasbench201 or /nasbench_macro).' }) dataDir!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Number of architectures once loaded (NB201 15,625; Macro 6,561 keys).' }) size!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Number of equivalence classes once loaded: archs of one class compute the same network (NB201 isomorphism classes 6,466; Macro distinct networks 3,969).',
  })
  isoClassCount!: number | null;
  @ApiProperty({ enum: NB201_DATASETS, isArray: true }) datasets!: string[];
  @ApiProperty({ type: [BenchmarkMetricDto], description: 'Accuracy metrics present in the tables (empty until loaded).' })
  metrics!: BenchmarkMetricDto[];
  @ApiProperty({ type: [String], description: 'HELP latency devices (empty until loaded; none for Macro).' }) devices!: string[];
  @ApiProperty({ type: [String], example: ['flops', 'params', 'latency'] }) costMetrics!: string[];
  @ApiProperty({ nullable: true, type: Number, description: 'Milliseconds the table took to load in this process.' }) loadMs!: number | null;
}

export class BenchmarksCatalogDto {
  @ApiProperty({ type: [BenchmarkInfoDto] }) benchmarks!: BenchmarkInfoDto[];
}
