/**
 * NAS-Bench-201 ground truth for a one-shot result: when the training data is CIFAR-10 (the cifar10-subset), the
 * benchmark's cifar10 test accuracy after 200 epochs is the truth the supernet's ranking is compared with (Kendall
 * tau-b and Spearman rho by the correlation endpoint's code).
 */
import { formatArchStr } from '../../../benchmarks/nb201/arch';
import { loadNb201Table } from '../../../benchmarks/nb201/load';
import type { Nb201Table } from '../../../benchmarks/nb201/types';
import { CorrelationSummary, correlate } from '../../../benchmarks/stats/correlation';
import type { DatasetRef } from '../../../datasets/dataset-ref';

export const GROUND_TRUTH_METRIC = 'NB201 cifar10 test accuracy (%) after 200 epochs';

export interface Nb201Record {
  index: number;
  arch: string;
  cifar10Test200: number;
  cifar10ValidValid200: number;
  flopsM: number;
  paramsM: number;
  /** Best cifar10 test accuracy in the whole table, and this arch's gap to it (pp). */
  optimumTest200: number;
  regret: number;
}

export interface RankingCheck extends CorrelationSummary {
  what: string;
  truth: string;
}

export class GroundTruth {
  private constructor(private readonly table: Nb201Table) {}

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

  record(ops: readonly number[]): Nb201Record {
    const index = this.index(ops);
    let optimum = -Infinity;
    for (let i = 0; i < this.table.size; i++) optimum = Math.max(optimum, this.table.accuracy(i, 'cifar10', 'test', 200));
    const test = this.table.accuracy(index, 'cifar10', 'test', 200);
    return {
      index, arch: formatArchStr(ops), cifar10Test200: test, cifar10ValidValid200: this.table.accuracy(index, 'cifar10-valid', 'valid', 200),
      flopsM: this.table.flops(index, 'cifar10'), paramsM: this.table.params(index, 'cifar10'), optimumTest200: optimum, regret: optimum - test,
    };
  }

  /** Ranking correlation of supernet accuracies against the truth over `archs` (null with fewer than 3 archs). */
  check(what: string, archs: readonly (readonly number[])[], scores: readonly number[]): RankingCheck | null {
    if (archs.length < 3) return null;
    const truth = archs.map((o) => this.accuracy(o));
    return { what, truth: GROUND_TRUTH_METRIC, ...correlate(scores, truth, [Math.max(1, Math.round(archs.length / 10))]) };
  }
}
