import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsPositive, Max, Min, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { LOCAL_SEARCH_IMPROVEMENTS, LocalSearchImprovement, SEARCH_ALGORITHMS, SearchAlgorithmName } from '../../../search/core/types';
import { NB201_SPACE_SIZE } from '../science/params';
import { NB201_SEARCH_DATASETS, Nb201SearchConstraints, Nb201SearchDataset, Nb201SearchParams } from '../science/types';

const FINITE = { allowNaN: false, allowInfinity: false } as const;

/** Cost constraints of an NB201 search; an arch violating one is skipped without evaluation (no query). */
export class Nb201SearchConstraintsDto implements Nb201SearchConstraints {
  @ApiPropertyOptional({
    description: 'Maximum FLOPs in millions (multiply-adds, NB201 convention) on the searched dataset. Range in the space: 7.78-220.12 (CIFAR), 1.95-55.04 (ImageNet16-120).',
    example: 100,
    exclusiveMinimum: true,
    minimum: 0,
  })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  maxFlopsM?: number;

  @ApiPropertyOptional({ description: 'Maximum parameters in millions. Range in the space: about 0.07-1.54.', example: 0.8, exclusiveMinimum: true, minimum: 0 })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  maxParamsM?: number;

  @ApiPropertyOptional({ description: 'Maximum HELP-measured inference latency in ms on `device` (device required). Archs without a measurement are infeasible.', example: 10, exclusiveMinimum: true, minimum: 0 })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  maxLatencyMs?: number;

  @ApiPropertyOptional({
    description: 'HELP latency device (e.g. pixel3, raspi4, 1080ti_1; GET the benchmark devices for the list). Required with maxLatencyMs; alone it adds the latency of the found arch to the result.',
    example: 'pixel3',
    maxLength: 64,
  })
  @ValidateIf((o: Nb201SearchConstraintsDto) => o.device !== undefined || o.maxLatencyMs !== undefined)
  @ValidateBy({
    name: 'deviceName',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 64,
      defaultMessage: (a) => (a?.value === undefined ? 'device is required when maxLatencyMs is set' : 'device must be a device name of 1-64 characters'),
    },
  })
  device?: string;
}

/**
 * Spec of an `nb201-search` job: architecture search over the 15,625 NAS-Bench-201 cells with the benchmark table as
 * evaluator (no training). The search optimises the dataset's validation accuracy (cifar10: the cifar10-valid run) and
 * the result reports the found arch's 200-epoch test accuracy and its regret against the best feasible test accuracy.
 */
export class Nb201SearchSpec implements Nb201SearchParams {
  @ApiProperty({
    enum: SEARCH_ALGORITHMS,
    description: 'random: uniform sampling; evolution: regularised (aging) evolution, Real et al. 2019; local: hill climbing over the 1-edge-change neighbourhood with random restarts, White et al. 2020.',
    example: 'evolution',
  })
  @IsIn(SEARCH_ALGORITHMS)
  algorithm!: SearchAlgorithmName;

  @ApiProperty({
    enum: NB201_SEARCH_DATASETS,
    description: 'Search metric: valid accuracy (cifar10 -> cifar10-valid valid split). Report metric: 200-epoch test accuracy of this dataset.',
    example: 'cifar10',
  })
  @IsIn(NB201_SEARCH_DATASETS)
  dataset!: Nb201SearchDataset;

  @ApiProperty({ description: 'Query budget: evaluations of distinct feasible archs (duplicates and infeasible archs do not count).', minimum: 1, maximum: NB201_SPACE_SIZE, example: 300 })
  @IsInt()
  @Min(1)
  @Max(NB201_SPACE_SIZE)
  queries!: number;

  @ApiProperty({ description: 'Seed of the search RNG: the same spec gives the same result.', minimum: 0, example: 1 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  seed!: number;

  @ApiPropertyOptional({ type: Nb201SearchConstraintsDto, description: 'Cost constraints (all must hold).' })
  @IsOptional()
  @ValidateNested()
  @Type(() => Nb201SearchConstraintsDto)
  constraints?: Nb201SearchConstraintsDto;

  @ApiPropertyOptional({ description: "algorithm 'evolution' only: population size P (default 30).", minimum: 1, maximum: NB201_SPACE_SIZE, example: 30 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(NB201_SPACE_SIZE)
  populationSize?: number;

  @ApiPropertyOptional({ description: "algorithm 'evolution' only: tournament sample size S <= populationSize (default min(15, P)).", minimum: 1, maximum: NB201_SPACE_SIZE, example: 15 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(NB201_SPACE_SIZE)
  sampleSize?: number;

  @ApiPropertyOptional({
    enum: LOCAL_SEARCH_IMPROVEMENTS,
    description: "algorithm 'local' only: 'best' scores the whole neighbourhood then moves to the best neighbour (default, White et al.); 'first' moves to the first better neighbour.",
    example: 'best',
  })
  @IsOptional()
  @IsIn(LOCAL_SEARCH_IMPROVEMENTS)
  improvement?: LocalSearchImprovement;

  @ApiPropertyOptional({ enum: [200, 12], description: 'Training epochs behind the search metric: 200 (default) or the 12-epoch short schedule (a cheaper, noisier proxy). The report metric is always 200-epoch test accuracy.', example: 200 })
  @IsOptional()
  @IsIn([200, 12])
  searchEpochs?: 200 | 12;
}
