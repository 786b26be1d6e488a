import type { Nb201Dataset, Nb201Epochs, Nb201Split, Nb201Table } from '../../../benchmarks/nb201/types';
import type { ArchEvaluator, ArchRef } from '../../../search/common/evaluator';
import type { Nb201MetricRef, Nb201SearchDataset } from './types';

function describe(dataset: Nb201Dataset, split: Nb201Split, epochs: Nb201Epochs): string {
  return `${dataset} ${split} accuracy (%) after ${epochs} training epochs, NAS-Bench-201 mean over seeds`;
}

export function metricRef(dataset: Nb201Dataset, split: Nb201Split, epochs: Nb201Epochs): Nb201MetricRef {
  return { dataset, split, epochs, description: describe(dataset, split, epochs) };
}

/**
 * What the search optimises, as in the NB201 papers: validation accuracy. For cifar10 that is the `cifar10-valid`
 * run (trained on train, evaluated on valid): the `cifar10` run is trained on train+valid and has no valid split.
 */
export function searchMetricOf(dataset: Nb201SearchDataset, epochs: Nb201Epochs = 200): Nb201MetricRef {
  return metricRef(dataset === 'cifar10' ? 'cifar10-valid' : dataset, 'valid', epochs);
}

/** What the result reports and the regret is measured on: 200-epoch test accuracy of the dataset. */
export function reportMetricOf(dataset: Nb201SearchDataset): Nb201MetricRef {
  return metricRef(dataset, 'test', 200);
}

/** Benchmark-lookup evaluator: the score of an arch is one accuracy column of the NB201 table (no training). */
export class Nb201LookupEvaluator implements ArchEvaluator {
  readonly description: string;

  constructor(
    private readonly table: Nb201Table,
    readonly metric: Omit<Nb201MetricRef, 'description'>,
  ) {
    this.description = `NAS-Bench-201 table lookup: ${describe(metric.dataset, metric.split, metric.epochs)}`;
    if (!Number.isFinite(table.accuracy(0, metric.dataset, metric.split, metric.epochs))) {
      throw new RangeError(`the NB201 table has no ${metric.dataset} ${metric.split} accuracy after ${metric.epochs} epochs`);
    }
  }

  evaluate(arch: ArchRef): number {
    return this.table.accuracy(arch.index, this.metric.dataset, this.metric.split, this.metric.epochs);
  }
}
