import * as path from 'node:path';
import { REPO_ROOT } from '../../src/config/config';
import type { Nb201Table } from '../../src/benchmarks/nb201/types';
import { allOf } from '../../src/search/common/evaluator';
import { nb201Constraints } from '../../src/methods/nb201-search/science/constraints';
import { searchMetricOf } from '../../src/methods/nb201-search/science/metrics';
import type { Nb201SearchConstraints, Nb201SearchDataset, Nb201SearchResult, Nb201TrajectoryPoint } from '../../src/methods/nb201-search/science/types';

/** Datasets and constraint settings of the NB201 regret benchmarks (bench:nb201-regret, bench:nb201-evolution-tuning). */
export const DATASETS: Nb201SearchDataset[] = ['cifar10', 'cifar100', 'ImageNet16-120'];
export const SETTINGS: Array<{ key: string; label: string; constraints?: Nb201SearchConstraints }> = [
  { key: 'unconstrained', label: 'unconstrained' },
  { key: 'pixel3-10ms', label: 'latency on pixel3 <= 10 ms', constraints: { maxLatencyMs: 10, device: 'pixel3' } },
];

/** A seed count from the environment variable `name` (at least 50), or `fallback`. */
export function envSeeds(name: string, fallback: number): number {
  const seeds = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(seeds) || seeds < 50) throw new Error(`${name} must be an integer >= 50, got ${process.env[name]}`);
  return seeds;
}

/** Where the JSON results go: REGRET_OUT_DIR or <repo>/benchmarks/results. */
export function regretOutDir(): string {
  return path.resolve(process.env.REGRET_OUT_DIR ?? path.join(REPO_ROOT, 'benchmarks', 'results'));
}

/**
 * Best search metric (valid accuracy) among feasible archs, and the test regret of that arch: the regret a perfect
 * optimiser of the search metric would have (it comes from the valid/test mismatch, not from the search).
 */
export function searchOptimum(table: Nb201Table, dataset: Nb201SearchDataset, constraints: Nb201SearchConstraints | undefined, testOptimum: number): { index: number; searchAccuracy: number; testRegret: number } {
  const m = searchMetricOf(dataset);
  const c = allOf(nb201Constraints(table, dataset, constraints));
  let best = -1;
  for (let i = 0; i < table.size; i++) {
    if (!c.feasible({ index: i, ops: table.ops(i) })) continue;
    if (best < 0 || table.accuracy(i, m.dataset, m.split, m.epochs) > table.accuracy(best, m.dataset, m.split, m.epochs)) best = i;
  }
  return { index: best, searchAccuracy: table.accuracy(best, m.dataset, m.split, m.epochs), testRegret: testOptimum - table.accuracy(best, dataset, 'test', 200) };
}

/** The best-so-far point of a run after q queries (the last trajectory point at or before q), or null before the first. */
export function trajectoryAt(r: Nb201SearchResult, q: number): Nb201TrajectoryPoint | null {
  let at: Nb201TrajectoryPoint | null = null;
  for (const p of r.trajectory) if (p.queries <= q) at = p;
  return at;
}
