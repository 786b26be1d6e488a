import type { Nb201Dataset, Nb201Epochs, Nb201Split } from '../../../benchmarks/nb201/types';
import type { AlgorithmConfig, LocalSearchImprovement, SearchAlgorithmName } from '../../../search/core/types';

/** Datasets a search can target (cifar10 searches on the cifar10-valid valid split, see searchMetricOf). */
export const NB201_SEARCH_DATASETS = ['cifar10', 'cifar100', 'ImageNet16-120'] as const;
export type Nb201SearchDataset = (typeof NB201_SEARCH_DATASETS)[number];

export const NB201_SEARCH_EPOCHS: readonly Nb201Epochs[] = [200, 12];

/** Optional cost constraints; each is a feasibility predicate, checked without evaluating the arch. */
export interface Nb201SearchConstraints {
  /** FLOPs (multiply-adds, NB201 convention) in millions, on the searched dataset's input size. */
  maxFlopsM?: number;
  /** Parameters in millions. */
  maxParamsM?: number;
  /** HELP-measured inference latency in ms on `device` (required with this field). */
  maxLatencyMs?: number;
  /** HELP device name; alone it only adds the arch's latency on it to the result. */
  device?: string;
}

/** What a search job asks for (plain data; the job spec DTO has the same fields). */
export interface Nb201SearchParams {
  algorithm: SearchAlgorithmName;
  dataset: Nb201SearchDataset;
  /** Query budget: evaluations of distinct feasible archs. */
  queries: number;
  seed: number;
  constraints?: Nb201SearchConstraints;
  /** evolution only (default 30). */
  populationSize?: number;
  /** evolution only (default min(15, populationSize)). */
  sampleSize?: number;
  /** local only: 'best' (default, White et al.) or 'first' improvement. */
  improvement?: LocalSearchImprovement;
  /** Training epochs behind the search metric: 200 (default) or the 12-epoch short schedule. */
  searchEpochs?: Nb201Epochs;
}

/** Input of the 'nb201-search' pool task. */
export interface Nb201SearchInput extends Nb201SearchParams {
  /** config.dataDir; the table is read from <dataDir>/nasbench201. */
  dataDir: string;
}

/** One accuracy column of the benchmark. */
export interface Nb201MetricRef {
  dataset: Nb201Dataset;
  split: Nb201Split;
  epochs: Nb201Epochs;
  description: string;
}

export interface Nb201ArchRef {
  index: number;
  archStr: string;
  /** Op names of edges e0..e5. */
  ops: string[];
}

export interface Nb201ArchRecord {
  /** Search metric of the arch (what the search saw), %. */
  searchAccuracy: number;
  /** Report metric (test accuracy after 200 epochs), %. */
  testAccuracy: number;
  flopsM: number;
  paramsM: number;
  /** Latency on `device` in ms (present when the spec names a device; null when HELP has no value). */
  latencyMs?: number | null;
  device?: string;
}

export interface Nb201TrajectoryPoint {
  /** Queries used when the best-so-far (by search metric) changed, and at the end. */
  queries: number;
  bestSearchMetric: number;
  bestReportMetric: number;
}

export interface Nb201SearchResult {
  /** Always states that no network was trained. */
  evaluation: string;
  algorithm: AlgorithmConfig;
  dataset: Nb201SearchDataset;
  seed: number;
  budget: number;
  searchMetric: Nb201MetricRef;
  reportMetric: Nb201MetricRef;
  constraints: Array<{ field: string; description: string }>;
  bestArch: Nb201ArchRef;
  bestRecord: Nb201ArchRecord;
  /** Best report metric over all archs satisfying the constraints (exhaustive scan of the table after the search). */
  constrainedOptimum: Nb201ArchRef & { testAccuracy: number; feasibleArchs: number };
  /** constrainedOptimum.testAccuracy - bestRecord.testAccuracy, percentage points (>= 0). */
  regret: number;
  queriesUsed: number;
  duplicatesSkipped: number;
  infeasibleSkipped: number;
  /** True when every feasible arch was queried before the budget was spent. */
  spaceExhausted: boolean;
  /** How queries, duplicates and infeasible archs are counted. */
  accounting: string;
  trajectory: Nb201TrajectoryPoint[];
}
