/**
 * NAS-Bench-Macro: per-FLOPs-budget regret of random search and regularised evolution against the exact constrained
 * optimum, with the table as the evaluator (benchmark look-up, no training). For each FLOPs budget B the optimum is
 * the best mean test accuracy over all keys with FLOPs <= B (exhaustive scan of 6,561 keys); a run's regret after q
 * queries is that optimum minus the mean accuracy of the best key it has queried. The search runs on the cost-only
 * MacroSearchSpace through the shared ask/tell core (CellSearch): an infeasible proposal is rejected by the exact
 * FLOPs count without a query; a query is one evaluation of a not-yet-seen feasible key.
 *
 * Keys vs networks: the search core knows keys, not the key equivalence, so a key equivalent to a queried one costs a
 * query (the answer is identical). Every cell also reports the distinct networks queried.
 *
 * The benchmark has no validation split: search metric = report metric = mean test accuracy of the three runs
 * (REGRET_SEARCH=run1 searches on the first run's accuracy instead and still reports regret on the mean).
 *
 *   NAS_DATA_DIR=<repo>/data node dist/benchmarks/macro/regret.js
 *
 * Env: REGRET_SEEDS (default 50, at least 50), REGRET_OUT_DIR (default <repo>/benchmarks/results), REGRET_SEARCH.
 * Writes macro-regret.json and macro-regret.svg (mean regret vs queries per budget, band = IQR over seeds).
 */
import { RunProvenance } from '../common/provenance';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMacroTable } from '../../src/benchmarks/macro/load';
import type { MacroData } from '../../src/benchmarks/macro/table';
import { loadConfig, REPO_ROOT } from '../../src/config/config';
import { ArchEvaluator } from '../../src/search/common/evaluator';
import { AlgorithmConfig, CellSearch, EVOLUTION_DEFAULTS, runCellSearchSync } from '../../src/search/core';
import { MACRO_SIZE, macroFlopsConstraint } from '../../src/search/spaces/macro';
import { Spread, r4, spread } from '../benchmark/regret-stats';
import { Series, renderPlot } from '../benchmark/regret-svg';

/** FLOPs budgets (multiply-adds); the table spans 7.7 M .. 105.7 M. `Infinity` = unconstrained. */
const BUDGETS_M = [15, 25, 35, 50, 75, Infinity];
const ALGORITHMS: Array<{ key: string; label: string; color: string; config: AlgorithmConfig }> = [
  { key: 'random', label: 'random search', color: '#7f7f7f', config: { name: 'random' } },
  {
    key: 'evolution',
    label: `regularised evolution (P=${EVOLUTION_DEFAULTS.populationSize}, S=${EVOLUTION_DEFAULTS.sampleSize})`,
    color: '#d62728',
    config: { name: 'evolution', ...EVOLUTION_DEFAULTS },
  },
];
/** Query budgets reported in the table; the curves are read off the trajectories of the longest run. */
const QUERY_BUDGETS = [25, 50, 100, 200];
const CURVE_X = [5, 10, 15, 20, 25, 30, 40, 50, 70, 100, 150, 200];

interface Optimum {
  budgetM: number | null;
  feasibleKeys: number;
  feasibleNetworks: number;
  key: string;
  meanAccuracy: number;
  flops: number;
}

function constrainedOptimum(t: MacroData, maxFlops: number): Optimum & { index: number } {
  let best = -1;
  let keys = 0;
  const nets = new Set<number>();
  for (let i = 0; i < MACRO_SIZE; i++) {
    if (!(t.flops(i) <= maxFlops)) continue;
    keys++;
    nets.add(t.network(i));
    if (best < 0 || t.meanAccuracy(i) > t.meanAccuracy(best)) best = i;
  }
  return {
    index: best,
    budgetM: Number.isFinite(maxFlops) ? maxFlops / 1e6 : null,
    feasibleKeys: keys,
    feasibleNetworks: nets.size,
    key: t.keyOf(best),
    meanAccuracy: t.meanAccuracy(best),
    flops: t.flops(best),
  };
}

const round = (s: Spread): Record<string, number> => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'n' ? v : r4(v)]));

function main(): void {
  const seeds = Number(process.env.REGRET_SEEDS ?? 50);
  if (!Number.isInteger(seeds) || seeds < 50) throw new Error(`REGRET_SEEDS must be an integer >= 50, got ${process.env.REGRET_SEEDS}`);
  const searchOn = process.env.REGRET_SEARCH ?? 'mean';
  if (searchOn !== 'mean' && searchOn !== 'run1') throw new Error(`REGRET_SEARCH must be mean or run1, got ${searchOn}`);
  const outDir = path.resolve(process.env.REGRET_OUT_DIR ?? path.join(REPO_ROOT, 'benchmarks', 'results'));
  const t = loadMacroTable(loadConfig().dataDir);
  const space = t.space;
  const evaluator: ArchEvaluator = {
    description: searchOn === 'mean' ? 'NAS-Bench-Macro mean test accuracy (%), table look-up' : 'NAS-Bench-Macro test accuracy of run 1 (%), table look-up',
    evaluate: (a) => (searchOn === 'mean' ? t.meanAccuracy(a.index) : t.testAccuracies(a.index)[0]),
  };
  const maxQueries = QUERY_BUDGETS[QUERY_BUDGETS.length - 1];

  const optima: Optimum[] = [];
  const cells: Array<Record<string, unknown>> = [];
  const curves: Array<Record<string, unknown>> = [];
  const panels: Series[][] = BUDGETS_M.map(() => []);
  let runs = 0;
  let queries = 0;
  const t0 = performance.now();
  for (const [bi, budgetM] of BUDGETS_M.entries()) {
    const maxFlops = budgetM * 1e6;
    const opt = constrainedOptimum(t, maxFlops);
    optima.push({ budgetM: opt.budgetM, feasibleKeys: opt.feasibleKeys, feasibleNetworks: opt.feasibleNetworks, key: opt.key, meanAccuracy: opt.meanAccuracy, flops: opt.flops });
    const constraint = Number.isFinite(maxFlops) ? macroFlopsConstraint(space, maxFlops) : undefined;
    for (const alg of ALGORITHMS) {
      const at = QUERY_BUDGETS.map(() => [] as number[]);
      const networksAt = QUERY_BUDGETS.map(() => [] as number[]);
      const curve = CURVE_X.map(() => [] as number[]);
      const infeasible: number[] = [];
      let hits = 0;
      for (let seed = 0; seed < seeds; seed++) {
        const search = CellSearch.start({ space, constraint }, alg.config, maxQueries, seed);
        runCellSearchSync(search, evaluator);
        runs++;
        queries += search.queries;
        infeasible.push(search.infeasibleSkipped);
        // best-so-far by search metric after q queries -> regret on the mean accuracy
        const regretAt = (q: number): number => {
          let idx = -1;
          for (const s of search.trajectory) if (s.queries <= q) idx = s.index;
          return idx < 0 ? NaN : opt.meanAccuracy - t.meanAccuracy(idx);
        };
        const evaluated = search.evaluatedArchs();
        QUERY_BUDGETS.forEach((q, k) => {
          at[k].push(regretAt(q));
          networksAt[k].push(new Set(evaluated.slice(0, q).map((e) => t.network(e.index))).size);
        });
        CURVE_X.forEach((q, k) => curve[k].push(regretAt(q)));
        if (regretAt(maxQueries) === 0) hits++;
        for (const e of evaluated) if (constraint && t.flops(e.index) > maxFlops) throw new Error(`infeasible key ${t.keyOf(e.index)} was queried`);
      }
      QUERY_BUDGETS.forEach((q, k) => {
        cells.push({
          budgetM: opt.budgetM,
          algorithm: alg.key,
          queries: q,
          regret: round(spread(at[k])),
          foundOptimum: r4(at[k].filter((x) => x === 0).length / seeds),
          meanDistinctNetworksQueried: r4(spread(networksAt[k]).mean),
        });
      });
      const stats = curve.map((xs) => spread(xs));
      curves.push({ budgetM: opt.budgetM, algorithm: alg.key, points: CURVE_X.map((q, k) => ({ queries: q, mean: r4(stats[k].mean), median: r4(stats[k].median), q1: r4(stats[k].q1), q3: r4(stats[k].q3) })) });
      panels[bi].push({ label: alg.label, color: alg.color, points: CURVE_X.map((q, k) => ({ x: q, y: stats[k].mean, lo: stats[k].q1, hi: stats[k].q3 })), marks: QUERY_BUDGETS });
      cells.push({ budgetM: opt.budgetM, algorithm: alg.key, queries: maxQueries, summary: true, optimumHitRate: r4(hits / seeds), meanInfeasibleSkipped: r4(spread(infeasible).mean) });
    }
  }
  const seconds = (performance.now() - t0) / 1000;

  const meta = {
    evaluation: `NAS-Bench-Macro table look-up (no training). Search metric: ${evaluator.description}. Report metric: mean CIFAR-10 test accuracy of the three 50-epoch runs (the benchmark has no validation split).`,
    regretDefinition: 'best mean test accuracy over all keys with FLOPs <= budget (exhaustive scan of 6,561 keys) minus the mean test accuracy of the best key queried (by search metric); percentage points',
    flopsDefinition: 'multiply-adds of convolutions and classifier weights as stored in the table (reproduced exactly by macroCost); budgets in millions',
    queryAccounting: 'a query = one evaluation of a distinct feasible key; infeasible proposals are rejected by the exact FLOPs count without a query; keys equivalent to a queried key (same network) still cost a query: meanDistinctNetworksQueried says how many networks were seen',
    seeds: `0..${seeds - 1}`,
    budgetsM: BUDGETS_M.map((b) => (Number.isFinite(b) ? b : null)),
    queryBudgets: QUERY_BUDGETS,
    algorithms: ALGORITHMS.map(({ key, label, config }) => ({ key, label, config })),
    timing: { seconds: r4(seconds), runs, queries, node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown' },
  };
  fs.mkdirSync(outDir, { recursive: true });
  const stem = searchOn === 'mean' ? 'macro-regret' : 'macro-regret-run1';
  const prov = new RunProvenance('dist/benchmarks/macro/regret.js', ['REGRET_OUT_DIR', 'REGRET_SEARCH', 'REGRET_SEEDS'], { seeds, searchOn, budgetsM: meta.budgetsM, queryBudgets: QUERY_BUDGETS });
  prov.writeResultJson(path.join(outDir, `${stem}.json`), { ...meta, optima, results: cells, curves });
  const label = (b: number): string => (Number.isFinite(b) ? `FLOPs <= ${b} M` : 'unconstrained');
  fs.writeFileSync(
    path.join(outDir, `${stem}.svg`),
    renderPlot({
      title: 'NAS-Bench-Macro: regret vs queries under FLOPs budgets (table look-up, no training)',
      subtitle: `line = mean over ${seeds} seeds, band = interquartile range, dots = 25/50/100/200 queries; search metric: ${searchOn === 'mean' ? 'mean test accuracy' : 'run-1 test accuracy'}`,
      xLabel: 'queries (distinct feasible keys evaluated)',
      yLabel: 'regret (percentage points of mean test accuracy)',
      panels: [BUDGETS_M.slice(0, 3), BUDGETS_M.slice(3)].map((row, r) => row.map((b, c) => ({ title: label(b), series: panels[r * 3 + c] }))),
      xTicks: [5, 10, 25, 50, 100, 200],
      logX: true,
      fitYFromX: 10,
    }),
  );

  console.log('budget          feasible keys/networks   optimum (key, mean acc, MFLOPs)');
  for (const o of optima) {
    console.log(`${(o.budgetM === null ? 'unconstrained' : `<= ${o.budgetM} M`).padEnd(15)} ${`${o.feasibleKeys}/${o.feasibleNetworks}`.padStart(22)}   ${o.key} ${o.meanAccuracy.toFixed(3)}% ${(o.flops / 1e6).toFixed(2)}`);
  }
  console.log('');
  console.log(['budget'.padEnd(15), 'queries', ...ALGORITHMS.map((a) => a.key.padStart(34))].join(' '));
  for (const o of optima) {
    for (const q of QUERY_BUDGETS) {
      const row = ALGORITHMS.map((a) => {
        const c = cells.find((x) => x.budgetM === o.budgetM && x.algorithm === a.key && x.queries === q && !x.summary) as { regret: Spread; foundOptimum: number; meanDistinctNetworksQueried: number };
        return `${c.regret.mean.toFixed(3)}±${c.regret.std.toFixed(3)} hit ${(c.foundOptimum * 100).toFixed(0)}% nets ${c.meanDistinctNetworksQueried.toFixed(0)}`.padStart(34);
      });
      console.log([(o.budgetM === null ? 'unconstrained' : `<= ${o.budgetM} M`).padEnd(15), String(q).padStart(7), ...row].join(' '));
    }
  }
  console.log(`cells: mean±std of regret (pp) over seeds ${meta.seeds}; hit = share of seeds that found the constrained optimum; nets = distinct networks among the queried keys`);
  console.log(`${runs} runs, ${queries} queries in ${seconds.toFixed(1)} s; wrote ${path.join(outDir, `${stem}.json`)} and ${stem}.svg`);
}

main();
