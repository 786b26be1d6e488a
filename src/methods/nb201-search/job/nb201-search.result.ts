import { EvidenceDto } from '../../../jobs/dto/evidence.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NB201_DATASETS, Nb201Dataset, Nb201Epochs, Nb201Split } from '../../../benchmarks/nb201/types';
import { LOCAL_SEARCH_IMPROVEMENTS, LocalSearchImprovement, SEARCH_ALGORITHMS, SearchAlgorithmName } from '../../../search/core/types';
import { NB201_SEARCH_DATASETS, Nb201ArchRecord, Nb201ArchRef, Nb201MetricRef, Nb201SearchDataset, Nb201TrajectoryPoint } from '../science/types';

/** OpenAPI description of the result of an `nb201-search` job (the job result is this object). */

export class Nb201AlgorithmDto {
  @ApiProperty({ enum: SEARCH_ALGORITHMS }) name!: SearchAlgorithmName;
  @ApiPropertyOptional({ description: 'evolution: population size P' }) populationSize?: number;
  @ApiPropertyOptional({ description: 'evolution: tournament sample size S' }) sampleSize?: number;
  @ApiPropertyOptional({ enum: LOCAL_SEARCH_IMPROVEMENTS, description: 'local: neighbour selection' }) improvement?: LocalSearchImprovement;
}

export class Nb201MetricRefDto implements Nb201MetricRef {
  @ApiProperty({ enum: NB201_DATASETS }) dataset!: Nb201Dataset;
  @ApiProperty({ enum: ['valid', 'test'] }) split!: Nb201Split;
  @ApiProperty({ enum: [200, 12] }) epochs!: Nb201Epochs;
  @ApiProperty() description!: string;
}

export class Nb201ConstraintDto {
  @ApiProperty({ example: 'constraints.maxFlopsM' }) field!: string;
  @ApiProperty({ example: 'FLOPs <= 100 M (cifar10 input, NB201 multiply-add convention)' }) description!: string;
}

export class Nb201ArchRefDto implements Nb201ArchRef {
  @ApiProperty({ description: 'Official NB201 index 0..15624' }) index!: number;
  @ApiProperty({ example: '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|' }) archStr!: string;
  @ApiProperty({ type: [String], description: 'Op names of edges e0..e5' }) ops!: string[];
}

export class Nb201ArchRecordDto implements Nb201ArchRecord {
  @ApiProperty({ description: 'Search metric value (what the search saw), %' }) searchAccuracy!: number;
  @ApiProperty({ description: 'Report metric: 200-epoch test accuracy, %' }) testAccuracy!: number;
  @ApiProperty() flopsM!: number;
  @ApiProperty() paramsM!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Latency on `device` (when the spec names one), ms' }) latencyMs?: number | null;
  @ApiPropertyOptional() device?: string;
}

export class Nb201OptimumDto extends Nb201ArchRefDto {
  @ApiProperty({ description: 'Best report metric among feasible archs, %' }) testAccuracy!: number;
  @ApiProperty({ description: 'Number of archs satisfying the constraints' }) feasibleArchs!: number;
}

export class Nb201TrajectoryPointDto implements Nb201TrajectoryPoint {
  @ApiProperty() queries!: number;
  @ApiProperty() bestSearchMetric!: number;
  @ApiProperty() bestReportMetric!: number;
}

export class Nb201SearchResultDto {
  @ApiProperty({ example: 'NAS-Bench-201 table lookup (no training)' }) evaluation!: string;
  @ApiProperty({ type: Nb201AlgorithmDto }) algorithm!: Nb201AlgorithmDto;
  @ApiProperty({ enum: NB201_SEARCH_DATASETS }) dataset!: Nb201SearchDataset;
  @ApiProperty() seed!: number;
  @ApiProperty({ description: 'Query budget asked for' }) budget!: number;
  @ApiProperty({ type: Nb201MetricRefDto }) searchMetric!: Nb201MetricRefDto;
  @ApiProperty({ type: Nb201MetricRefDto }) reportMetric!: Nb201MetricRefDto;
  @ApiProperty({ type: [Nb201ConstraintDto] }) constraints!: Nb201ConstraintDto[];
  @ApiProperty({ type: Nb201ArchRefDto }) bestArch!: Nb201ArchRefDto;
  @ApiProperty({ type: Nb201ArchRecordDto }) bestRecord!: Nb201ArchRecordDto;
  @ApiProperty({ type: Nb201OptimumDto }) constrainedOptimum!: Nb201OptimumDto;
  @ApiProperty({ description: 'constrainedOptimum.testAccuracy - bestRecord.testAccuracy, percentage points (>= 0)' }) regret!: number;
  @ApiProperty() queriesUsed!: number;
  @ApiProperty({ description: 'Proposals answered from the cache (no query)' }) duplicatesSkipped!: number;
  @ApiProperty({ description: 'Proposals rejected by the constraints without evaluation (no query)' }) infeasibleSkipped!: number;
  @ApiProperty({ description: 'Every feasible arch was queried before the budget was spent' }) spaceExhausted!: boolean;
  @ApiProperty() accounting!: string;
  @ApiProperty({ type: [Nb201TrajectoryPointDto], description: 'Best-so-far by search metric: points where it changed, plus the last' }) trajectory!: Nb201TrajectoryPointDto[];
  @ApiProperty({ type: EvidenceDto, description: 'What was evaluated how: evaluation, data, schedule (shortened?), backend, ground-truth comparison' }) evidence!: EvidenceDto;
}
