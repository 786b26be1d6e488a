/**
 * NAS-Bench-Macro: NSGA-II (accuracy vs FLOPs, two objectives) with the table as the evaluator (benchmark look-up,
 * no training), against random search and regularised evolution at equal query budgets, 50 seeds.
 *
 * Objectives (both minimised): f1 = FLOPs in millions (multiply-adds, the table's count), f2 = 100 - mean test
 * accuracy (%). Hypervolume: exact 2-D (src/search/core/hypervolume.ts) of the non-dominated set of all keys queried
 * so far, against the reference point REF = (110 MFLOPs, 60 % error) (beyond the table's maxima 105.7 M and 54.6 %),
 * reported as a fraction of the exact Pareto front's hypervolume (exhaustive over all 6,561 keys).
 * Regret per FLOPs budget B: best mean accuracy over keys with FLOPs <= B (exhaustive) minus the best mean accuracy
 * among the queried keys with FLOPs <= B. Algorithms:
 * - random / evolution: the shared single-objective ask/tell core (CellSearch), constrained per budget (infeasible
 *   proposals rejected by the exact FLOPs count, no query), unconstrained for the hypervolume;
 * - nsga2: the generic NSGA-II loop (src/search/core/nsga2-loop.ts, cellNsga2Problem: uniform crossover, one-layer
 *   mutation), P = 20, two objectives; per budget with the constraint violation max(0, FLOPs - B) / B (Deb 2000
 *   constrained domination, mutation until feasible), and one unconstrained run for the hypervolume;
 * - nsga2-readoff: the unconstrained NSGA-II run, its queried keys read off per budget (one run serves all budgets).
 * A query = one evaluation of a distinct feasible key (keys equivalent to a queried one still cost a query).
 *
 *   NAS_DATA_DIR=data npm run bench:macro-nsga2
 * Env: NSGA2_SEEDS (default 50), NSGA2_OUT_DIR (default benchmarks/results). Writes macro-nsga2.json, macro-nsga2-hv.svg,
 * macro-nsga2-regret.svg and macro-nsga2-fronts.svg.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadMacroTable } from '../../src/benchmarks/macro/load';
import type { MacroData } from '../../src/benchmarks/macro/table';
import { loadConfig, REPO_ROOT } from '../../src/config/config';
import { ArchEvaluator } from '../../src/search/common/evaluator';
import { cellNsga2Problem, hypervolume2d, Nsga2, paretoFront2d } from '../../src/search/core';
import { AlgorithmConfig, CellSearch, EVOLUTION_DEFAULTS, runCellSearchSync } from '../../src/search/core';
import { MACRO_SIZE, macroFlopsConstraint } from '../../src/search/spaces/macro';
import { RunProvenance } from '../common/provenance';
import { r4, spread } from '../benchmark/regret-stats';
import { renderPlot, Series } from '../benchmark/regret-svg';
import { renderScatter } from './scatter-svg';

const REF: [number, number] = [110, 60];
const BUDGETS_M = [15, 25, 35, 50, 75, Infinity];
const MAX_QUERIES = 200;
const QUERY_BUDGETS = [25, 50, 100, 200];
const CURVE_X = [10, 20, 30, 40, 50, 70, 100, 150, 200];
const NSGA2_P = 20;
const ALGS = ['random', 'evolution', 'nsga2', 'nsga2-readoff'] as const;
type Alg = (typeof ALGS)[number];
const COLORS: Record<Alg, string> = { random: '#7f7f7f', evolution: '#d62728', nsga2: '#1f77b4', 'nsga2-readoff': '#2ca02c' };
const CONFIGS: Record<'random' | 'evolution', AlgorithmConfig> = { random: { name: 'random' }, evolution: { name: 'evolution', ...EVOLUTION_DEFAULTS } };

const objectives = (t: MacroData, i: number): [number, number] => [t.flops(i) / 1e6, 100 - t.meanAccuracy(i)];

/** Query order (distinct feasible keys) of a single-objective core run. */
function coreRun(t: MacroData, alg: 'random' | 'evolution', maxFlops: number, seed: number): number[] {
  const ev: ArchEvaluator = { description: 'NAS-Bench-Macro mean test accuracy (%), table look-up', evaluate: (a) => t.meanAccuracy(a.index) };
  const constraint = Number.isFinite(maxFlops) ? macroFlopsConstraint(t.space, maxFlops) : undefined;
  const s = CellSearch.start({ space: t.space, constraint }, CONFIGS[alg], MAX_QUERIES, seed);
  runCellSearchSync(s, ev);
  return s.evaluatedArchs().map((e) => e.index);
}

/** Query order of an NSGA-II run (evaluations in ask order), stopped at MAX_QUERIES evaluations. */
function nsga2Run(t: MacroData, maxFlops: number, seed: number): number[] {
  const violation = (i: number): number => (Number.isFinite(maxFlops) ? Math.max(0, t.flops(i) - maxFlops) / maxFlops : 0);
  const nsga = new Nsga2(cellNsga2Problem(t.space, violation), { populationSize: NSGA2_P, generations: 10_000, seed });
  const order: number[] = [];
  let idle = 0;
  while (order.length < MAX_QUERIES && !nsga.done) {
    const asked = nsga.ask();
    idle = asked.length === 0 ? idle + 1 : 0;
    nsga.tell(asked.map((g) => objectives(t, g)));
    if (idle >= 10) break; // 10 generations without a new feasible key: a small feasible set is exhausted for NSGA-II
    order.push(...asked);
  }
  return order.slice(0, MAX_QUERIES);
}

function optimum(t: MacroData, maxFlops: number): { index: number; feasibleKeys: number } {
  let best = -1;
  let n = 0;
  for (let i = 0; i < MACRO_SIZE; i++) {
    if (!(t.flops(i) <= maxFlops)) continue;
    n++;
    if (best < 0 || t.meanAccuracy(i) > t.meanAccuracy(best)) best = i;
  }
  return { index: best, feasibleKeys: n };
}

/** Regret after q queries under a budget: optimum - best mean accuracy among the first q queried feasible keys. */
function regretAt(t: MacroData, order: readonly number[], q: number, maxFlops: number, opt: number): number {
  let best = -Infinity;
  for (const i of order.slice(0, q)) if (t.flops(i) <= maxFlops) best = Math.max(best, t.meanAccuracy(i));
  return best === -Infinity ? NaN : opt - best;
}

function main(): void {
  const seeds = Number(process.env.NSGA2_SEEDS ?? 50);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`NSGA2_SEEDS must be a positive integer, got ${process.env.NSGA2_SEEDS}`);
  const outDir = path.resolve(process.env.NSGA2_OUT_DIR ?? path.join(REPO_ROOT, 'benchmarks', 'results'));
  const prov = new RunProvenance('benchmarks/macro/nsga2.ts', ['NSGA2_SEEDS', 'NSGA2_OUT_DIR'], {
    seeds, referencePoint: { mflops: REF[0], errorPercent: REF[1] }, budgetsM: BUDGETS_M.map((b) => (Number.isFinite(b) ? b : null)),
    maxQueries: MAX_QUERIES, queryBudgets: QUERY_BUDGETS, nsga2: { populationSize: NSGA2_P, crossover: 'uniform, rate 0.9', mutation: 'one layer to another op' },
    evolution: EVOLUTION_DEFAULTS,
  });
  const t0 = performance.now();
  const t = loadMacroTable(loadConfig().dataDir);
  const allPts = Array.from({ length: MACRO_SIZE }, (_, i) => objectives(t, i));
  const exactFront = paretoFront2d(allPts);
  const hvExact = hypervolume2d(allPts, REF);

  // ---- unconstrained runs: hypervolume vs queries (and the read-off regret) ----
  const unconstrained: Record<Exclude<Alg, 'nsga2-readoff'>, number[][]> = { random: [], evolution: [], nsga2: [] };
  for (let seed = 0; seed < seeds; seed++) {
    unconstrained.random.push(coreRun(t, 'random', Infinity, seed));
    unconstrained.evolution.push(coreRun(t, 'evolution', Infinity, seed));
    unconstrained.nsga2.push(nsga2Run(t, Infinity, seed));
  }
  const hvOf = (order: readonly number[], q: number): number => hypervolume2d(order.slice(0, q).map((i) => allPts[i]), REF) / hvExact;
  const hvCurves: Record<string, unknown>[] = [];
  const hvSeries: Series[] = [];
  const hvTable: Record<string, unknown>[] = [];
  for (const alg of ['random', 'evolution', 'nsga2'] as const) {
    const stats = CURVE_X.map((q) => spread(unconstrained[alg].map((o) => hvOf(o, q))));
    hvCurves.push({ algorithm: alg, points: CURVE_X.map((q, k) => ({ queries: q, mean: r4(stats[k].mean), median: r4(stats[k].median), q1: r4(stats[k].q1), q3: r4(stats[k].q3) })) });
    hvSeries.push({ label: alg, color: COLORS[alg], points: CURVE_X.map((q, k) => ({ x: q, y: stats[k].mean, lo: stats[k].q1, hi: stats[k].q3 })), marks: QUERY_BUDGETS });
    for (const q of QUERY_BUDGETS) {
      const s = spread(unconstrained[alg].map((o) => hvOf(o, q)));
      hvTable.push({ algorithm: alg, queries: q, hvFraction: { mean: r4(s.mean), std: r4(s.std), median: r4(s.median), q1: r4(s.q1), q3: r4(s.q3), n: s.n } });
    }
  }

  // ---- per-budget regret ----
  const optima: Record<string, unknown>[] = [];
  const regretCells: Record<string, unknown>[] = [];
  const panels: Series[][] = BUDGETS_M.map(() => []);
  for (const [bi, budgetM] of BUDGETS_M.entries()) {
    const maxFlops = budgetM * 1e6;
    const opt = optimum(t, maxFlops);
    const optAcc = t.meanAccuracy(opt.index);
    optima.push({ budgetM: Number.isFinite(budgetM) ? budgetM : null, feasibleKeys: opt.feasibleKeys, key: t.keyOf(opt.index), meanAccuracy: optAcc, mflops: t.flops(opt.index) / 1e6 });
    const orders: Record<Alg, number[][]> = { random: [], evolution: [], nsga2: [], 'nsga2-readoff': unconstrained.nsga2 };
    for (let seed = 0; seed < seeds; seed++) {
      orders.random.push(Number.isFinite(budgetM) ? coreRun(t, 'random', maxFlops, seed) : unconstrained.random[seed]);
      orders.evolution.push(Number.isFinite(budgetM) ? coreRun(t, 'evolution', maxFlops, seed) : unconstrained.evolution[seed]);
      orders.nsga2.push(Number.isFinite(budgetM) ? nsga2Run(t, maxFlops, seed) : unconstrained.nsga2[seed]);
    }
    for (const alg of ALGS) {
      if (!Number.isFinite(budgetM) && alg === 'nsga2-readoff') continue;
      for (const o of orders[alg]) if (alg !== 'nsga2-readoff') for (const i of o) if (t.flops(i) > maxFlops) throw new Error(`${alg} queried infeasible key ${t.keyOf(i)}`);
      for (const q of QUERY_BUDGETS) {
        const xs = orders[alg].map((o) => regretAt(t, o, q, maxFlops, optAcc));
        const found = xs.filter((x) => !Number.isNaN(x));
        const s = spread(found);
        regretCells.push({
          budgetM: Number.isFinite(budgetM) ? budgetM : null, algorithm: alg, queries: q,
          regret: { mean: r4(s.mean), std: r4(s.std), median: r4(s.median), q1: r4(s.q1), q3: r4(s.q3), n: s.n },
          seedsWithNoFeasibleQuery: xs.length - found.length, foundOptimum: r4(found.filter((x) => x === 0).length / seeds),
        });
      }
      const st = CURVE_X.map((q) => spread(orders[alg].map((o) => regretAt(t, o, q, maxFlops, optAcc)).filter((x) => !Number.isNaN(x))));
      panels[bi].push({ label: alg, color: COLORS[alg], points: CURVE_X.map((q, k) => ({ x: q, y: st[k].mean, lo: st[k].q1, hi: st[k].q3 })), marks: QUERY_BUDGETS });
    }
  }
  const seconds = (performance.now() - t0) / 1000;

  // fronts of seed 0 after MAX_QUERIES queries (unconstrained runs)
  const fronts = Object.fromEntries((['random', 'evolution', 'nsga2'] as const).map((a) => [a, paretoFront2d(unconstrained[a][0].map((i) => allPts[i]))]));
  fs.mkdirSync(outDir, { recursive: true });
  const jsonPath = prov.writeResultJson(path.join(outDir, 'macro-nsga2.json'), {
    evaluation: 'NAS-Bench-Macro table look-up (no training): mean CIFAR-10 test accuracy of the three 50-epoch runs (search metric = report metric; the benchmark has no validation split)',
    objectives: 'minimise [FLOPs / 1e6 (multiply-adds, table count), 100 - mean test accuracy (%)]',
    hypervolume: { referencePoint: { mflops: REF[0], errorPercent: REF[1] }, exact: r4(hvExact), exactFrontSize: exactFront.length, definition: 'exact 2-D hypervolume of the non-dominated set of the keys queried so far, divided by that of the exact Pareto front of all 6,561 keys' },
    regretDefinition: 'best mean test accuracy over keys with FLOPs <= budget (exhaustive) minus the best mean accuracy among the queried keys with FLOPs <= budget, percentage points; mean over seeds with at least one feasible query (seedsWithNoFeasibleQuery says how many had none)',
    queryAccounting: 'a query = one evaluation of a distinct feasible key; infeasible proposals are rejected by the exact FLOPs count without a query',
    seeds: `0..${seeds - 1}`,
    timing: { seconds: r4(seconds) },
    hypervolumeResults: hvTable, hypervolumeCurves: hvCurves, optima, regret: regretCells,
    exactFront: exactFront.map(([x, y]) => ({ mflops: r4(x), error: r4(y) })),
    seed0Fronts: Object.fromEntries(Object.entries(fronts).map(([a, f]) => [a, f.map(([x, y]) => ({ mflops: r4(x), error: r4(y) }))])),
  });
  fs.writeFileSync(path.join(outDir, 'macro-nsga2-hv.svg'), renderPlot({
    title: 'NAS-Bench-Macro: hypervolume of the queried set vs queries (table look-up, no training)',
    subtitle: `fraction of the exact front's hypervolume, ref (${REF[0]} MFLOPs, ${REF[1]} % error); mean over ${seeds} seeds, band = IQR`,
    xLabel: 'queries (distinct keys evaluated)', yLabel: 'hypervolume / exact', panels: [[{ title: 'accuracy vs FLOPs', series: hvSeries }]],
    xTicks: [10, 20, 50, 100, 200], logX: true,
  }));
  const label = (b: number): string => (Number.isFinite(b) ? `FLOPs <= ${b} M` : 'unconstrained');
  fs.writeFileSync(path.join(outDir, 'macro-nsga2-regret.svg'), renderPlot({
    title: 'NAS-Bench-Macro: regret vs queries per FLOPs budget (table look-up, no training)',
    subtitle: `mean over ${seeds} seeds, band = IQR; nsga2 = constrained per budget, nsga2-readoff = one unconstrained run read off per budget`,
    xLabel: 'queries', yLabel: 'regret (pp of mean test accuracy)',
    panels: [BUDGETS_M.slice(0, 3), BUDGETS_M.slice(3)].map((row, r) => row.map((b, c) => ({ title: label(b), series: panels[r * 3 + c] }))),
    xTicks: [10, 20, 50, 100, 200], logX: true, fitYFromX: 20,
  }));
  fs.writeFileSync(path.join(outDir, 'macro-nsga2-fronts.svg'), renderScatter({
    title: 'NAS-Bench-Macro: exact Pareto front vs fronts found in 200 queries (seed 0)',
    subtitle: 'table look-up, no training; grey dots = all 6,561 keys',
    xLabel: 'MFLOPs (multiply-adds)', yLabel: 'mean test accuracy (%)',
    series: [
      { label: 'all keys', color: '#dddddd', points: allPts.map(([x, y]) => ({ x, y: 100 - y })), radius: 1.2 },
      { label: `exact front (${exactFront.length} points)`, color: '#000000', points: exactFront.map(([x, y]) => ({ x, y: 100 - y })), steps: true, radius: 1.5 },
      ...(['random', 'evolution', 'nsga2'] as const).map((a) => ({ label: `${a} (seed 0, ${MAX_QUERIES} queries)`, color: COLORS[a], points: fronts[a].map(([x, y]) => ({ x, y: 100 - y })), steps: true })),
    ],
  }));

  console.log(`exact front: ${exactFront.length} points, hypervolume ${hvExact.toFixed(2)} (ref ${REF[0]} MFLOPs, ${REF[1]} % error)`);
  console.log('hypervolume / exact (mean±std over seeds):');
  for (const q of QUERY_BUDGETS) {
    console.log(`  q=${String(q).padStart(3)}  ` + (['random', 'evolution', 'nsga2'] as const).map((a) => {
      const c = hvTable.find((x) => x.algorithm === a && x.queries === q) as { hvFraction: { mean: number; std: number } };
      return `${a} ${c.hvFraction.mean.toFixed(4)}±${c.hvFraction.std.toFixed(4)}`;
    }).join('   '));
  }
  console.log('regret (pp, mean±std over seeds) at 25/50/100/200 queries:');
  for (const o of optima) {
    const b = o.budgetM as number | null;
    console.log(`  ${(b === null ? 'unconstrained' : `<= ${b} M`).padEnd(14)} optimum ${o.key} ${(o.meanAccuracy as number).toFixed(3)}%`);
    for (const a of ALGS) {
      const cs = regretCells.filter((c) => c.budgetM === b && c.algorithm === a) as Array<{ regret: { mean: number; std: number } }>;
      if (cs.length) console.log(`    ${a.padEnd(14)} ${cs.map((c) => `${c.regret.mean.toFixed(3)}±${c.regret.std.toFixed(3)}`).join('  ')}`);
    }
  }
  console.log(`${seconds.toFixed(1)} s; wrote ${jsonPath} and macro-nsga2-{hv,regret,fronts}.svg`);
}

main();
