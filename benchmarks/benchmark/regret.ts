/**
 * Evidence for the `nb201-search` job kind: final constrained regret (percentage points of 200-epoch test accuracy
 * below the best arch that satisfies the constraints) of random search, regularised evolution and local search
 * (best- and first-improvement) over many seeds, at 100, 300 and 1,000 queries, on cifar10, cifar100 and
 * ImageNet16-120, unconstrained and with a pixel3 latency bound. Every run goes through runNb201Search, the function
 * the pool task runs: search on the valid split, report test accuracy, regret from an exhaustive scan of the table.
 * This is a benchmark lookup (no training).
 *
 *   node dist/benchmarks/benchmark/regret.js   (data: NAS_DATA_DIR, default the bundled data/)
 *
 * Env: REGRET_SEEDS (default 500, at least 50), REGRET_OUT_DIR (default <repo>/benchmarks/results).
 * The JSON starts with the provenance block (benchmarks/common/provenance.ts).
 * Writes search-regret.json and search-regret.svg (mean regret vs queries, band = interquartile range over seeds).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { loadConfig } from '../../src/config/config';
import { runNb201Search } from '../../src/methods/nb201-search/science/search';
import type { Nb201Table } from '../../src/benchmarks/nb201/types';
import type { Nb201SearchParams, Nb201SearchResult } from '../../src/methods/nb201-search/science/types';
import { EVOLUTION_FEASIBLE_TRIES, EVOLUTION_STALL_LIMIT } from '../../src/search/core';
import { NB201_EVOLUTION_DEFAULTS as EVO } from '../../src/methods/nb201-search/science/params';
import { RunProvenance } from '../common/provenance';
import { Spread, r4, spread } from './regret-stats';
import { DATASETS, SETTINGS, envSeeds, regretOutDir, searchOptimum, trajectoryAt } from './regret-setup';
import { Series, renderPlot } from './regret-svg';

const ALGORITHMS: Array<{ key: string; label: string; color: string; params: Pick<Nb201SearchParams, 'algorithm' | 'improvement'> }> = [
  { key: 'random', label: 'random search', color: '#7f7f7f', params: { algorithm: 'random' } },
  { key: 'evolution', label: `regularised evolution (P=${EVO.populationSize}, S=${EVO.sampleSize})`, color: '#d62728', params: { algorithm: 'evolution' } },
  { key: 'local-best', label: 'local search, best improvement', color: '#1f77b4', params: { algorithm: 'local', improvement: 'best' } },
  { key: 'local-first', label: 'local search, first improvement', color: '#2ca02c', params: { algorithm: 'local', improvement: 'first' } },
];
const BUDGETS = [100, 300, 1000];
/**
 * Sensitivity of constrained evolution to its hyper-parameters (P, S), cifar10 under Pixel 3 <= 10 ms, every budget:
 * reported, not used to pick the defaults (NB201_EVOLUTION_DEFAULTS, selected on the search metric with other seeds by
 * bench:nb201-evolution-tuning). Shows how much of a test-regret difference is a tie in the search metric that the searcher cannot see.
 */
const SENSITIVITY_PS: Array<[number, number]> = [[30, 15], [30, 10], [40, 20], [50, 25], [50, 10], [100, 25], [20, 5]];
/** Query counts of the anytime curves (read off the trajectories of the 1,000-query runs). */
const CURVE_X = [10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000];

/** Regret after q queries, from a result's trajectory (best-so-far by search metric). */
function regretAt(r: Nb201SearchResult, q: number): number {
  return r.constrainedOptimum.testAccuracy - (trajectoryAt(r, q)?.bestReportMetric ?? NaN);
}

const round = (s: Spread): Record<string, number> => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'n' ? v : r4(v)]));

async function main(): Promise<void> {
  const seeds = envSeeds('REGRET_SEEDS', 500);
  const outDir = regretOutDir();
  const dataDir = loadConfig().dataDir;
  const prov = new RunProvenance('dist/benchmarks/benchmark/regret.js', ['REGRET_SEEDS', 'REGRET_OUT_DIR'], {
    seeds,
    outDir,
    dataDir,
    datasets: DATASETS,
    settings: SETTINGS,
    algorithms: ALGORITHMS.map(({ key, label, params }) => ({ key, label, params })),
    evolution: { ...EVO, stallLimit: EVOLUTION_STALL_LIMIT, feasibleTries: EVOLUTION_FEASIBLE_TRIES },
    budgets: BUDGETS,
    curveQueries: CURVE_X,
  });
  const t0 = performance.now();
  const table = loadNb201Table(path.join(dataDir, 'nasbench201'));
  const loadSeconds = (performance.now() - t0) / 1000;

  const cells: Array<Record<string, unknown>> = [];
  const curves: Array<Record<string, unknown>> = [];
  const optima: Array<Record<string, unknown>> = [];
  const panels: Series[][][] = SETTINGS.map(() => DATASETS.map(() => []));
  let runs = 0;
  let queries = 0;
  let mismatches = 0;
  const tSearch = performance.now();

  for (const [si, setting] of SETTINGS.entries()) {
    for (const [di, dataset] of DATASETS.entries()) {
      let optimum: Nb201SearchResult['constrainedOptimum'] | null = null;
      let searchOpt: ReturnType<typeof searchOptimum> | null = null;
      for (const alg of ALGORITHMS) {
        const finals = new Map<number, number[]>(BUDGETS.map((b) => [b, []]));
        const searchFinals = new Map<number, number[]>(BUDGETS.map((b) => [b, []]));
        const extra = new Map<number, { dup: number[]; inf: number[] }>(BUDGETS.map((b) => [b, { dup: [], inf: [] }]));
        const ends = new Map<number, Map<number, { runs: number; searchRegret: number; regret: number }>>(BUDGETS.map((b) => [b, new Map()]));
        const curve = CURVE_X.map(() => [] as number[]);
        for (let seed = 0; seed < seeds; seed++) {
          for (const budget of BUDGETS) {
            const r = await runNb201Search(table, { ...alg.params, dataset, queries: budget, seed, ...(setting.constraints ? { constraints: setting.constraints } : {}) });
            runs++;
            queries += r.queriesUsed;
            optimum ??= r.constrainedOptimum;
            searchOpt ??= searchOptimum(table, dataset, setting.constraints, r.constrainedOptimum.testAccuracy);
            finals.get(budget)?.push(r.regret);
            searchFinals.get(budget)?.push(searchOpt.searchAccuracy - r.bestRecord.searchAccuracy);
            extra.get(budget)?.dup.push(r.duplicatesSkipped);
            extra.get(budget)?.inf.push(r.infeasibleSkipped);
            const end = ends.get(budget) as Map<number, { runs: number; searchRegret: number; regret: number }>;
            const e = end.get(r.bestArch.index) ?? { runs: 0, searchRegret: searchOpt.searchAccuracy - r.bestRecord.searchAccuracy, regret: r.regret };
            e.runs++;
            end.set(r.bestArch.index, e);
            if (budget === BUDGETS[BUDGETS.length - 1]) {
              CURVE_X.forEach((q, i) => curve[i].push(regretAt(r, q)));
              // the algorithms do not depend on the budget: a shorter run must equal the prefix of the longest one
              for (const b of BUDGETS.slice(0, -1)) {
                const short = finals.get(b) as number[];
                if (short[short.length - 1] !== regretAt(r, b)) mismatches++;
              }
            }
          }
        }
        for (const budget of BUDGETS) {
          const reg = finals.get(budget) as number[];
          const ex = extra.get(budget) as { dup: number[]; inf: number[] };
          cells.push({
            dataset,
            setting: setting.key,
            algorithm: alg.key,
            budget,
            regret: round(spread(reg)),
            foundOptimum: r4(reg.filter((x) => x === 0).length / reg.length),
            searchRegret: round(spread(searchFinals.get(budget) as number[])),
            meanDuplicatesSkipped: r4(spread(ex.dup).mean),
            meanInfeasibleSkipped: r4(spread(ex.inf).mean),
            // where the runs end: the most frequent final archs, with their search-metric and test regret
            mostFoundArchs: [...(ends.get(budget) as Map<number, { runs: number; searchRegret: number; regret: number }>)]
              .sort((a, b) => b[1].runs - a[1].runs || a[0] - b[0])
              .slice(0, 5)
              .map(([index, e]) => ({ index, runs: e.runs, searchRegret: r4(e.searchRegret), regret: r4(e.regret) })),
          });
        }
        const stats = curve.map((xs) => spread(xs));
        curves.push({ dataset, setting: setting.key, algorithm: alg.key, points: CURVE_X.map((q, i) => ({ queries: q, mean: r4(stats[i].mean), median: r4(stats[i].median), q1: r4(stats[i].q1), q3: r4(stats[i].q3) })) });
        panels[si][di].push({ label: alg.label, color: alg.color, points: CURVE_X.map((q, i) => ({ x: q, y: stats[i].mean, lo: stats[i].q1, hi: stats[i].q3 })), marks: BUDGETS });
      }
      optima.push({ dataset, setting: setting.key, ...optimum, searchMetricOptimum: searchOpt });
    }
  }
  const sensitivity = await evolutionSensitivity(table, seeds);
  const searchSeconds = (performance.now() - tSearch) / 1000;

  const meta = {
    evaluation: 'NAS-Bench-201 table lookup (no training); search metric = valid accuracy after 200 epochs (cifar10: cifar10-valid), report metric = 200-epoch test accuracy',
    searchRegretDefinition: 'best search metric (valid accuracy) over feasible archs minus the search metric of the found arch; percentage points (optimiser quality without the valid/test mismatch)',
    regretDefinition: 'best test accuracy over all archs satisfying the constraints (exhaustive scan of 15,625) minus the test accuracy of the arch with the best search metric among those queried; percentage points',
    queryAccounting:
      'a query = one evaluation of a distinct feasible arch; duplicates (cache) and infeasible candidates are not counted: a constraint is a cost look-up (HELP latency table), checked by the search core before a query (feasible random draws, evolution mutates until the child is feasible, local search visits feasible neighbours only); meanInfeasibleSkipped counts those rejected candidates',
    latencyNote: 'pixel3 latency is the HELP measurement (CIFAR-size input per the data provenance), used for all three datasets',
    seeds: `0..${seeds - 1}`,
    budgets: BUDGETS,
    settings: SETTINGS,
    algorithms: ALGORITHMS.map(({ key, label, params }) => ({ key, label, params })),
    consistency: { check: 'final regret of each 100- and 300-query run equals the regret after 100/300 queries of the 1,000-query run with the same seed', mismatches },
    timing: { tableLoadSeconds: r4(loadSeconds), searchSeconds: r4(searchSeconds), runs, queries },
  };
  prov.writeResultJson(path.join(outDir, 'search-regret.json'), { ...meta, optima, results: cells, curves, evolutionSensitivity: sensitivity });
  const svg = renderPlot({
    title: 'NAS-Bench-201 search: constrained test regret vs queries (table lookup, no training)',
    subtitle: `line = mean over ${seeds} seeds, band = interquartile range, dots = budgets 100/300/1000; y axis fitted to >= 30 queries (earlier points clipped)`,
    xLabel: 'queries (distinct feasible archs evaluated)',
    yLabel: 'regret (percentage points)',
    panels: SETTINGS.map((s, si) => DATASETS.map((d, di) => ({ title: `${d}, ${s.label}`, series: panels[si][di] }))),
    xTicks: [10, 30, 100, 300, 1000],
    logX: true,
    fitYFromX: 30,
  });
  fs.writeFileSync(path.join(outDir, 'search-regret.svg'), svg);

  // compact table
  const line = (cols: string[]): string => cols.map((c, i) => (i < 3 ? c.padEnd(i === 0 ? 15 : i === 1 ? 14 : 6) : c.padStart(24))).join(' ');
  console.log(line(['dataset', 'setting', 'budget', ...ALGORITHMS.map((a) => a.key)]));
  for (const setting of SETTINGS) {
    for (const dataset of DATASETS) {
      for (const budget of BUDGETS) {
        const row = ALGORITHMS.map((a) => {
          const c = cells.find((x) => x.dataset === dataset && x.setting === setting.key && x.algorithm === a.key && x.budget === budget) as { regret: Spread };
          return `${c.regret.mean.toFixed(3)}±${c.regret.std.toFixed(3)} [${c.regret.median.toFixed(2)},${c.regret.iqr.toFixed(2)}]`;
        });
        console.log(line([dataset, setting.key, String(budget), ...row]));
      }
    }
  }
  console.log('cells: mean±std [median, IQR] of final test regret (pp) over seeds ' + meta.seeds);
  console.log('');
  console.log(line(['dataset', 'setting', 'budget', ...ALGORITHMS.map((a) => a.key)]));
  for (const setting of SETTINGS) {
    for (const dataset of DATASETS) {
      for (const budget of BUDGETS) {
        const row = ALGORITHMS.map((a) => {
          const c = cells.find((x) => x.dataset === dataset && x.setting === setting.key && x.algorithm === a.key && x.budget === budget) as { searchRegret: Spread };
          return `${c.searchRegret.mean.toFixed(3)}±${c.searchRegret.std.toFixed(3)}`;
        });
        console.log(line([dataset, setting.key, String(budget), ...row]));
      }
    }
  }
  console.log('cells: mean±std of final search-metric (valid) regret (pp)');
  console.log('');
  for (const o of optima as Array<{ dataset: string; setting: string; index: number; testAccuracy: number; feasibleArchs: number; searchMetricOptimum: { index: number; testRegret: number } }>) {
    console.log(`${o.dataset.padEnd(15)} ${o.setting.padEnd(14)} feasible ${String(o.feasibleArchs).padStart(5)}  test optimum #${o.index} ${o.testAccuracy.toFixed(3)}%  valid optimum #${o.searchMetricOptimum.index} has test regret ${o.searchMetricOptimum.testRegret.toFixed(3)} pp`);
  }
  console.log(`evolution (P, S) sensitivity, ${sensitivity.dataset} ${sensitivity.setting}: mean test regret / mean search-metric accuracy at ${BUDGETS.join('/')} queries`);
  for (const r of sensitivity.rows) console.log(`  P=${r.populationSize} S=${r.sampleSize}: ${r.cells.map((c) => `${c.testRegret.toFixed(3)} / ${c.searchAccuracy.toFixed(3)}`).join('   ')}`);
  console.log(`consistency mismatches: ${mismatches}; ${runs} runs, ${queries} queries in ${searchSeconds.toFixed(1)} s (+ table load ${loadSeconds.toFixed(1)} s)`);
  console.log(`wrote ${path.join(outDir, 'search-regret.json')} and search-regret.svg`);
}

interface SensitivityRow {
  populationSize: number;
  sampleSize: number;
  cells: Array<{ budget: number; testRegret: number; testRegretSem: number; searchAccuracy: number }>;
}

/** Evolution at each (P, S) of SENSITIVITY_PS, cifar10 under Pixel 3 <= 10 ms: mean test regret and mean search metric of the found arch. */
async function evolutionSensitivity(table: Nb201Table, seeds: number): Promise<{ dataset: string; setting: string; note: string; rows: SensitivityRow[] }> {
  const setting = SETTINGS[1];
  const rows: SensitivityRow[] = [];
  for (const [populationSize, sampleSize] of SENSITIVITY_PS) {
    const cells = [];
    for (const budget of BUDGETS) {
      const regrets: number[] = [];
      const search: number[] = [];
      for (let seed = 0; seed < seeds; seed++) {
        const r = await runNb201Search(table, { algorithm: 'evolution', populationSize, sampleSize, dataset: 'cifar10', queries: budget, seed, constraints: setting.constraints });
        regrets.push(r.regret);
        search.push(r.bestRecord.searchAccuracy);
      }
      const s = spread(regrets);
      cells.push({ budget, testRegret: r4(s.mean), testRegretSem: r4(s.sem), searchAccuracy: r4(spread(search).mean) });
    }
    rows.push({ populationSize, sampleSize, cells });
  }
  return {
    dataset: 'cifar10',
    setting: setting.key,
    note: `reported only; the defaults (P=${EVO.populationSize}, S=${EVO.sampleSize}) were selected on the search metric by bench:nb201-evolution-tuning (other seeds), not on this test regret`,
    rows,
  };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
