/**
 * Selection of regularised evolution's hyper-parameters (population P, sample S) for `nb201-search`, on the search
 * metric only: every (P, S) of the grid runs on each dataset x setting of bench:nb201-regret (unconstrained and
 * Pixel 3 <= 10 ms) for 1,000 queries, and its search-metric regret (best valid accuracy among feasible archs minus the
 * valid accuracy of the arch found; what the searcher sees) is read off the trajectory after 100, 300 and 1,000
 * queries. The configurations are ranked in each of those 18 cells by mean search-metric regret (ties share ranks);
 * the lowest mean rank wins, ties broken by the lower mean search-metric regret over the cells. Test accuracy is not
 * read. The seeds (TUNING_SEED_BASE + 0..seeds-1) are disjoint from bench:nb201-regret's 0..499, which then measures
 * the chosen setting on test accuracy. This is a benchmark lookup (no training).
 *
 *   node dist/benchmarks/benchmark/evolution-tuning.js   (data: NAS_DATA_DIR, default the bundled data/)
 *
 * Env: TUNING_SEEDS (default 300, at least 50), REGRET_OUT_DIR (default <repo>/benchmarks/results).
 * Writes nb201-evolution-tuning.json (provenance block first).
 */
import * as path from 'node:path';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { loadConfig } from '../../src/config/config';
import { runNb201Search } from '../../src/methods/nb201-search/science/search';
import type { Nb201SearchResult } from '../../src/methods/nb201-search/science/types';
import { EVOLUTION_FEASIBLE_TRIES, EVOLUTION_STALL_LIMIT } from '../../src/search/core';
import { RunProvenance } from '../common/provenance';
import { DATASETS, SETTINGS, envSeeds, regretOutDir, searchOptimum, trajectoryAt } from './regret-setup';
import { r4, spread } from './regret-stats';

/** First seed of the tuning runs: far from bench:nb201-regret's seeds 0..499. */
const TUNING_SEED_BASE = 1_000_000;
const BUDGETS = [100, 300, 1000];
/** P in {10, 20, 30, 50, 100}, S about P/10, P/4 (Real et al.'s ratio), P/3 and P/2. */
const GRID: Array<[number, number]> = [
  [10, 2], [10, 3], [10, 5],
  [20, 2], [20, 5], [20, 10],
  [30, 3], [30, 10], [30, 15],
  [50, 5], [50, 10], [50, 25],
  [100, 10], [100, 25], [100, 50],
];

/** Search-metric regret after q queries, from the trajectory (best-so-far search metric). */
function searchRegretAt(r: Nb201SearchResult, optimum: number, q: number): number {
  return optimum - (trajectoryAt(r, q)?.bestSearchMetric ?? NaN);
}

/** Ranks 1..n of the values (lower value = better rank), ties get the mean of their ranks. */
export function fractionalRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

async function main(): Promise<void> {
  const seeds = envSeeds('TUNING_SEEDS', 300);
  const outDir = regretOutDir();
  const dataDir = loadConfig().dataDir;
  const prov = new RunProvenance('dist/benchmarks/benchmark/evolution-tuning.js', ['TUNING_SEEDS', 'REGRET_OUT_DIR'], {
    seeds,
    seedBase: TUNING_SEED_BASE,
    grid: GRID,
    budgets: BUDGETS,
    datasets: DATASETS,
    settings: SETTINGS,
    evolution: { stallLimit: EVOLUTION_STALL_LIMIT, feasibleTries: EVOLUTION_FEASIBLE_TRIES },
    queriesPerRun: BUDGETS[BUDGETS.length - 1],
  });
  const table = loadNb201Table(path.join(dataDir, 'nasbench201'));
  const t0 = performance.now();

  const cells: Array<{ dataset: string; setting: string; budget: number; searchOptimum: number; means: number[]; sems: number[] }> = [];
  for (const setting of SETTINGS) {
    for (const dataset of DATASETS) {
      const queries = BUDGETS[BUDGETS.length - 1];
      let optimum: number | null = null;
      const perBudget = BUDGETS.map(() => GRID.map(() => [] as number[]));
      for (const [g, [populationSize, sampleSize]] of GRID.entries()) {
        for (let s = 0; s < seeds; s++) {
          const r = await runNb201Search(table, { algorithm: 'evolution', populationSize, sampleSize, dataset, queries, seed: TUNING_SEED_BASE + s, ...(setting.constraints ? { constraints: setting.constraints } : {}) });
          optimum ??= searchOptimum(table, dataset, setting.constraints, r.constrainedOptimum.testAccuracy).searchAccuracy;
          BUDGETS.forEach((q, b) => perBudget[b][g].push(searchRegretAt(r, optimum as number, q)));
        }
      }
      BUDGETS.forEach((budget, b) => {
        const stats = perBudget[b].map((xs) => spread(xs));
        cells.push({ dataset, setting: setting.key, budget, searchOptimum: optimum as number, means: stats.map((x) => x.mean), sems: stats.map((x) => x.sem) });
      });
      console.log(`${dataset} ${setting.key}: done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }

  const ranks = cells.map((c) => fractionalRanks(c.means.map(r4)));
  const rows = GRID.map(([populationSize, sampleSize], g) => ({
    populationSize,
    sampleSize,
    meanRank: r4(ranks.reduce((a, rk) => a + rk[g], 0) / cells.length),
    meanSearchRegret: r4(cells.reduce((a, c) => a + c.means[g], 0) / cells.length),
  }));
  const order = rows.map((_, g) => g).sort((a, b) => rows[a].meanRank - rows[b].meanRank || rows[a].meanSearchRegret - rows[b].meanSearchRegret);
  const chosen = rows[order[0]];
  prov.writeResultJson(path.join(outDir, 'nb201-evolution-tuning.json'), {
    evaluation: 'NAS-Bench-201 table lookup (no training); search metric = valid accuracy after 200 epochs (cifar10: cifar10-valid); test accuracy is not read',
    criterion:
      'per cell (dataset x setting x budget) rank the (P, S) settings by mean search-metric regret over the seeds (rounded to 1e-4 pp, ties share ranks); choose the lowest mean rank over the 18 cells, ties broken by the lower mean search-metric regret',
    seeds: `${TUNING_SEED_BASE}..${TUNING_SEED_BASE + seeds - 1} (bench:nb201-regret uses 0..499)`,
    chosen: { populationSize: chosen.populationSize, sampleSize: chosen.sampleSize },
    ranking: order.map((g) => rows[g]),
    cells: cells.map((c) => ({
      dataset: c.dataset,
      setting: c.setting,
      budget: c.budget,
      searchOptimum: c.searchOptimum,
      searchRegret: GRID.map(([P, S], g) => ({ populationSize: P, sampleSize: S, mean: r4(c.means[g]), sem: r4(c.sems[g]) })),
    })),
    timing: { seconds: r4((performance.now() - t0) / 1000), runs: GRID.length * seeds * DATASETS.length * SETTINGS.length },
  });
  console.log('P    S    mean rank  mean search-metric regret (pp) over 18 cells');
  for (const g of order) console.log(`${String(rows[g].populationSize).padEnd(4)} ${String(rows[g].sampleSize).padEnd(4)} ${rows[g].meanRank.toFixed(2).padStart(9)}  ${rows[g].meanSearchRegret.toFixed(4)}`);
  console.log(`chosen: P=${chosen.populationSize}, S=${chosen.sampleSize}; wrote ${path.join(outDir, 'nb201-evolution-tuning.json')}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
