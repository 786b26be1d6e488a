/**
 * NAS-Bench-201 ground truth for a one-shot result: when the training data is CIFAR-10 (the cifar10-subset), the
 * benchmark's cifar10 test accuracy after 200 epochs is the truth the supernet's ranking is compared with (Kendall
 * tau-b and Spearman rho by the correlation endpoint's code).
 */
import { formatArchStr } from '../../../benchmarks/nb201/arch';
import { loadNb201Table } from '../../../benchmarks/nb201/load';
import type { Nb201Table } from '../../../benchmarks/nb201/types';
import { CorrelationIntervals, bootstrapCorrelation } from '../../../benchmarks/stats/bootstrap';
import { CorrelationSummary, correlate } from '../../../benchmarks/stats/correlation';
import type { Nb201Dataset, Nb201Split } from '../../../benchmarks/nb201/types';
import type { DatasetRef } from '../../../datasets/dataset-ref';

export const GROUND_TRUTH_METRIC = 'NB201 cifar10 test accuracy (%) after 200 epochs';

/**
 * The six columns of the paper's Table 3 (NB201, 200 epochs, %): CIFAR-10 validation = `cifar10-valid` on the valid
 * split (trained on train); CIFAR-10 test = `cifar10` on the test split (trained on train+valid; the bundled table
 * has no cifar10-valid test); CIFAR-100 and ImageNet16-120 valid (x-valid) and test (x-test).
 */
export const TABLE3_COLUMNS = [
  { key: 'cifar10Valid', dataset: 'cifar10-valid', split: 'valid' },
  { key: 'cifar10Test', dataset: 'cifar10', split: 'test' },
  { key: 'cifar100Valid', dataset: 'cifar100', split: 'valid' },
  { key: 'cifar100Test', dataset: 'cifar100', split: 'test' },
  { key: 'imageNet16Valid', dataset: 'ImageNet16-120', split: 'valid' },
  { key: 'imageNet16Test', dataset: 'ImageNet16-120', split: 'test' },
] as const satisfies ReadonlyArray<{ key: string; dataset: Nb201Dataset; split: Nb201Split }>;
export type Table3Key = (typeof TABLE3_COLUMNS)[number]['key'];
export type Table3Row = Record<Table3Key, number>;

export interface Nb201Record {
  index: number;
  arch: string;
  /** = table3.cifar10Test (kept for readers of earlier results). */
  cifar10Test200: number;
  /** = table3.cifar10Valid. */
  cifar10ValidValid200: number;
  flopsM: number;
  paramsM: number;
  /** Best cifar10 test accuracy in the whole table, and this arch's gap to it (pp). */
  optimumTest200: number;
  regret: number;
  /** The searched arch's six Table 3 numbers (200 epochs, %). */
  table3: Table3Row;
  /** The best value of each column over all 15,625 archs (each column's own optimum). */
  table3Optimum: Table3Row;
}

export interface RankingCheck extends CorrelationSummary {
  what: string;
  truth: string;
  /** Percentile bootstrap 95% intervals of tau-b and rho (1000 resamples, seed 1). */
  ci: CorrelationIntervals;
}

export class GroundTruth {
  private optimum: Table3Row | null = null;

  constructor(private readonly table: Nb201Table) {}

  /** Ground truth when the dataset corresponds to NB201's cifar10 and the tables load; else null with the reason. */
  static forDataset(ref: DatasetRef, benchmarkDir: string | null): { truth: GroundTruth | null; reason: string } {
    if (ref.kind !== 'builtin' || ref.name !== 'cifar10-subset') return { truth: null, reason: `dataset ${ref.name} has no NAS-Bench-201 counterpart; no ground-truth correlation` };
    if (!benchmarkDir) return { truth: null, reason: 'no benchmark directory configured; no ground-truth correlation' };
    try {
      return { truth: new GroundTruth(loadNb201Table(benchmarkDir)), reason: GROUND_TRUTH_METRIC };
    } catch (e) {
      return { truth: null, reason: `NAS-Bench-201 tables unavailable (${(e as Error).message}); no ground-truth correlation` };
    }
  }

  accuracy(ops: readonly number[]): number {
    return this.table.accuracy(this.index(ops), 'cifar10', 'test', 200);
  }

  private index(ops: readonly number[]): number {
    const i = this.table.indexOfOps(ops);
    if (i < 0) throw new RangeError(`arch ${ops.join(',')} is not in NB201`);
    return i;
  }

  /** The six Table 3 numbers of arch `index`. */
  table3(index: number): Table3Row {
    return Object.fromEntries(TABLE3_COLUMNS.map((c) => [c.key, this.table.accuracy(index, c.dataset, c.split, 200)])) as Table3Row;
  }

  /** The best value of each Table 3 column over the whole table. */
  table3Optimum(): Table3Row {
    if (!this.optimum) {
      const best = Object.fromEntries(TABLE3_COLUMNS.map((c) => [c.key, -Infinity])) as Table3Row;
      for (let i = 0; i < this.table.size; i++) {
        const row = this.table3(i);
        for (const c of TABLE3_COLUMNS) if (row[c.key] > best[c.key]) best[c.key] = row[c.key];
      }
      this.optimum = best;
    }
    return { ...this.optimum };
  }

  record(ops: readonly number[]): Nb201Record {
    const index = this.index(ops);
    const table3 = this.table3(index);
    const table3Optimum = this.table3Optimum();
    return {
      index, arch: formatArchStr(ops), cifar10Test200: table3.cifar10Test, cifar10ValidValid200: table3.cifar10Valid,
      flopsM: this.table.flops(index, 'cifar10'), paramsM: this.table.params(index, 'cifar10'),
      optimumTest200: table3Optimum.cifar10Test, regret: table3Optimum.cifar10Test - table3.cifar10Test, table3, table3Optimum,
    };
  }

  /** Ranking correlation of supernet accuracies against the truth over `archs` (null with fewer than 3 archs). */
  check(what: string, archs: readonly (readonly number[])[], scores: readonly number[]): RankingCheck | null {
    if (archs.length < 3) return null;
    const truth = archs.map((o) => this.accuracy(o));
    return { what, truth: GROUND_TRUTH_METRIC, ...correlate(scores, truth, [Math.max(1, Math.round(archs.length / 10))]), ci: bootstrapCorrelation(scores, truth, { resamples: 1000, seed: 1 }) };
  }
}
