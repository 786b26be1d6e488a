import { NB201_OPS, Nb201Table } from '../../../benchmarks/nb201/types';
import type { ArchConstraint } from '../../../search/common/evaluator';
import type { Nb201ArchRef, Nb201MetricRef } from './types';

export interface ConstrainedOptimum extends Nb201ArchRef {
  testAccuracy: number;
  feasibleArchs: number;
}

const optima = new WeakMap<Nb201Table, Map<string, ConstrainedOptimum>>();

export function archRef(table: Nb201Table, index: number): Nb201ArchRef {
  return { index, archStr: table.archStr(index), ops: table.ops(index).map((o) => NB201_OPS[o]) };
}

/**
 * Ground truth for the regret, computed after the search and never shown to it: the best report-metric value over
 * every arch of the table that satisfies the constraint (exhaustive scan of all archs; lowest index wins ties).
 * Memoised per table, metric and constraint description.
 */
export function constrainedOptimum(table: Nb201Table, metric: Omit<Nb201MetricRef, 'description'>, constraint: ArchConstraint): ConstrainedOptimum {
  let memo = optima.get(table);
  if (!memo) optima.set(table, (memo = new Map()));
  const key = `${metric.dataset}|${metric.split}|${metric.epochs}|${constraint.description}`;
  const hit = memo.get(key);
  if (hit) return hit;
  let best = -1;
  let bestAcc = -Infinity;
  let feasible = 0;
  for (let i = 0; i < table.size; i++) {
    if (!constraint.feasible({ index: i, ops: table.ops(i) })) continue;
    feasible++;
    const a = table.accuracy(i, metric.dataset, metric.split, metric.epochs);
    if (a > bestAcc) {
      bestAcc = a;
      best = i;
    }
  }
  if (best < 0) throw new RangeError(`no arch satisfies ${constraint.description}`);
  const out: ConstrainedOptimum = { ...archRef(table, best), testAccuracy: bestAcc, feasibleArchs: feasible };
  memo.set(key, out);
  return out;
}
