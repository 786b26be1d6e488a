/**
 * ScaleNet's family claim (issue #12, evidence 4): with ONE trained super-supernet and the same budgets f_j = 2^j f0
 * (j = 0..M, band +-15 %), compare the supernet accuracy per budget of
 * - ScaleNet: MCEA (Eq. 4-8) jointly searching one base model and strategies S_1..S_M;
 * - independent per-budget search: for each f_j its own NSGA-II (search core) over (base model, strategy of stage
 *   j's grid; S_0 = [1,1,1]) with the supernet evaluator, with about the same number of evaluations per budget as
 *   ScaleNet used in total divided by M + 1;
 * - EfficientNet compound scaling of S0 (ScaleNet's base model): (d1, w1, r1) on the grid [1, 2] step 0.01 with
 *   |d w^2 r^2 - 2| <= 0.1 (appendix G), restricted to the coefficients whose members S_1..S_M stay inside the
 *   supernet (d^M, w^M <= max d, w; r^M <= max r); CANDIDATES of them (seeded) evaluated at phi = 1, the best one
 *   scaled to S_phi = (d1^phi, w1^phi, r1^phi).
 * The supernet is the HSS one table4.ts trained (SUPERNET_FILE), or trained here with the same configuration when
 * the file is absent. Every accuracy is the supernet's (BN recalibrated per path), a PROXY with a SHORTENED schedule;
 * no stand-alone retraining of the members is run here (2 shared CPU cores; the JSON says so): family-retrain.ts
 * reads this script's JSON and retrains every member on its own (scalenet-family-claim-retrain.json).
 *
 *   npx tsc -p tsconfig.build.json && nice -n 10 npm run bench:scalenet-family-claim
 * Env: as table4.ts (STEPS, BATCH, LR, SEED, SUPERNET_FILE), EVAL (48), RECAL (1), T (1), K (1), P (4), N (1),
 * CANDIDATES (8). Writes benchmarks/results/scalenet-family-claim.json / .svg.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../../src/common/rng';
import { REPO_ROOT } from '../../src/config/config';
import { Nsga2, runNsga2 } from '../../src/search/core/nsga2-loop';
import { selectBackend } from '../../src/trainer/engine/backend';
import { estimateF0 } from '../../src/methods/scalenet/science/budgets';
import { pathFlops } from '../../src/methods/scalenet/science/cost';
import { sampleBaseModel } from '../../src/methods/scalenet/science/hss';
import { budgetViolation, mceaConfig, runMcea } from '../../src/methods/scalenet/science/mcea';
import { SMALL_PRESET, ScaleNetPath, ScalingStrategy, cloneBase, pathKey, stageStrategies } from '../../src/methods/scalenet/science/space';
import { largestStrategy } from '../../src/methods/scalenet/training/super-supernet';
import { envNumber } from '../common/env';
import { RunProvenance } from '../common/provenance';
import { renderScatter } from '../macro/scatter-svg';
import { benchData, evaluatorOf, loadSupernet, noBoundary, saveSupernet, trainSupernet } from './bench-supernet';
import { benchConfig, defaultSupernetFile } from './table4';

/** One member of a family in this script's JSON (family-retrain.ts reads it back). */
export interface FamilyClaimRow {
  stage: number;
  budget: number;
  strategy: ScalingStrategy;
  flops: number;
  withinBudget: boolean;
  supernetAccuracy: number | null;
}

async function main(): Promise<void> {
  const cfg = { ...benchConfig(), evalImages: envNumber('EVAL', 48), recalBatches: envNumber('RECAL', 1) };
  const mc = { T: envNumber('T', 1), K: envNumber('K', 1), P: envNumber('P', 4), N: envNumber('N', 1) };
  const candidates = envNumber('CANDIDATES', 8);
  const tolerance = 0.15;
  const file = defaultSupernetFile();
  const prov = new RunProvenance('benchmarks/scalenet/family-claim.ts', ['STEPS', 'BATCH', 'LR', 'SEED', 'SUPERNET_FILE', 'EVAL', 'RECAL', 'T', 'K', 'P', 'N', 'CANDIDATES'], { ...cfg, mcea: mc, candidates, tolerance, supernetFile: file });
  const wall0 = performance.now();
  const backend = await selectBackend({ force: 'wasm' });
  const data = benchData(cfg);
  let loaded = loadSupernet(file, cfg, data);
  const supernetSource = loaded ? `loaded from ${file} (trained by table4.ts)` : 'trained here (no matching SUPERNET_FILE)';
  if (!loaded) {
    loaded = trainSupernet(cfg, data, 'hss', console.log);
    saveSupernet(file, loaded.net, cfg, loaded.record);
  }
  const { net, record } = loaded;
  const f0 = estimateF0(SMALL_PRESET, Rng.fromSeed(17), 100_000).f0;
  const M = cfg.M;
  const budgets = Array.from({ length: M + 1 }, (_, j) => 2 ** j * f0);
  const space = data.space;
  const ev = evaluatorOf(net, data);
  const acc = (p: ScaleNetPath): Promise<number> => ev.accuracy(p, noBoundary);
  // the evaluator caches by path: a path evaluated by one method is free for the next (counts are new evaluations)
  const count = (): number => ev.evaluated;
  console.log(`family claim: supernet ${supernetSource} (${record.steps} steps of ${cfg.batch}, sha ${record.weightsSha256.slice(0, 12)}); budgets ${budgets.map((b) => (b / 1e6).toFixed(1)).join(' / ')} MFLOPs; backend ${backend.name}`);
  const row = (j: number, p: ScaleNetPath, a: number | null): FamilyClaimRow => {
    const flops = pathFlops(SMALL_PRESET, p);
    return { stage: j, budget: budgets[j], strategy: p.strategy, flops, withinBudget: budgetViolation(flops, budgets[j], 'band', tolerance) === 0, supernetAccuracy: a };
  };

  // 1. ScaleNet: MCEA
  let t0 = performance.now();
  const { result: mres } = await runMcea({ preset: SMALL_PRESET, space, budgets }, mceaConfig(M, { ...mc, tolerance, budgetMode: 'band', seed: cfg.seed }), acc);
  if (!mres) throw new Error('MCEA did not finish');
  const mceaSeconds = (performance.now() - t0) / 1000;
  const scalenetEvals = count();
  const scalenet = mres.strategies.map((S, j) => row(j, { base: mres.alpha, strategy: S }, mres.accs[j]));
  console.log(`ScaleNet (MCEA T=${mc.T} K=${mc.K} P=${mc.P} N=${mc.N}): ${scalenetEvals} evaluations in ${mceaSeconds.toFixed(0)} s; accuracies ${mres.accs.map((a) => (100 * a).toFixed(1)).join(' / ')}`);

  // 2. independent per-budget NSGA-II with about the same evaluations per budget
  const perBudgetEvals = Math.max(4, Math.round(scalenetEvals / (M + 1)));
  const pop = Math.max(2, Math.min(8, Math.round(perBudgetEvals / 4)));
  const gens = Math.max(0, Math.floor(perBudgetEvals / pop) - 1);
  const independent: FamilyClaimRow[] = [];
  const independentEvals: number[] = [];
  const independentBases: ScaleNetPath['base'][] = [];
  t0 = performance.now();
  for (let j = 0; j <= M; j++) {
    const grid = j === 0 ? [{ d: 1, w: 1, r: 1 }] : stageStrategies(space, j);
    const before = count();
    let best: { p: ScaleNetPath; a: number } | null = null;
    const nsga = new Nsga2<ScaleNetPath>(
      {
        sample: (rng) => ({ base: sampleBaseModel(SMALL_PRESET, rng), strategy: { ...grid[rng.int(grid.length)] } }),
        mutate: (g, rng) => {
          const base = cloneBase(g.base);
          const fresh = sampleBaseModel(SMALL_PRESET, rng);
          let changed = false;
          base.stages.forEach((_, i) => {
            if (rng.next() < 0.2) {
              base.stages[i] = fresh.stages[i];
              changed = true;
            }
          });
          const strategy = grid.length > 1 && (!changed || rng.next() < 0.5) ? { ...grid[rng.int(grid.length)] } : { ...g.strategy };
          return { base, strategy };
        },
        key: (g) => pathKey(g),
        violation: (g) => budgetViolation(pathFlops(SMALL_PRESET, g), budgets[j], 'band', tolerance),
      },
      { populationSize: pop, generations: gens, seed: cfg.seed + 31 * (j + 1) },
    );
    await runNsga2(nsga, async (g) => {
      const a = await acc(g);
      if (!best || a > best.a) best = { p: g, a };
      return [-a];
    });
    const b = best as { p: ScaleNetPath; a: number } | null;
    if (!b) throw new Error(`per-budget search found nothing at f${j}`);
    independent.push(row(j, b.p, b.a));
    independentBases.push(b.p.base);
    independentEvals.push(count() - before);
  }
  const independentSeconds = (performance.now() - t0) / 1000;
  console.log(`independent per-budget NSGA-II (P=${pop}, ${gens} generations each): evaluations ${independentEvals.join(' / ')} in ${independentSeconds.toFixed(0)} s; accuracies ${independent.map((r) => (100 * (r.supernetAccuracy ?? 0)).toFixed(1)).join(' / ')}`);

  // 3. EfficientNet compound scaling of S0 (appendix G's grid), within the supernet's reach
  t0 = performance.now();
  const big = largestStrategy(space);
  const all: ScalingStrategy[] = [];
  for (let d = 100; d <= 200; d++) {
    for (let w = 100; w <= 200; w++) {
      for (let r = 100; r <= 200; r++) {
        const S = { d: d / 100, w: w / 100, r: r / 100 };
        if (Math.abs(S.d * S.w ** 2 * S.r ** 2 - 2) <= 0.1) all.push(S);
      }
    }
  }
  const reach = all.filter((S) => S.d ** M <= big.d + 1e-9 && S.w ** M <= big.w + 1e-9 && S.r ** M <= big.r + 1e-9);
  const rng = Rng.fromSeed(cfg.seed + 99);
  const pool = [...reach];
  const tried: Array<{ S: ScalingStrategy; flops: number; acc: number }> = [];
  for (let i = 0; i < candidates && pool.length; i++) {
    const S = pool.splice(rng.int(pool.length), 1)[0];
    const p = { base: mres.alpha, strategy: S };
    tried.push({ S, flops: pathFlops(SMALL_PRESET, p), acc: await acc(p) });
  }
  const bestS = tried.reduce((a, b) => (b.acc > a.acc ? b : a));
  const compound: FamilyClaimRow[] = [scalenet[0]];
  for (let phi = 1; phi <= M; phi++) {
    const S = { d: bestS.S.d ** phi, w: bestS.S.w ** phi, r: bestS.S.r ** phi };
    const p = { base: mres.alpha, strategy: S };
    compound.push(row(phi, p, await acc(p)));
  }
  const compoundSeconds = (performance.now() - t0) / 1000;
  console.log(`compound scaling: ${all.length} grid cases (appendix G counts 10,285), ${reach.length} within the supernet, ${tried.length} evaluated; best (d, w, r) = (${bestS.S.d}, ${bestS.S.w}, ${bestS.S.r}); accuracies ${compound.map((r) => (100 * (r.supernetAccuracy ?? 0)).toFixed(1)).join(' / ')}`);

  const mean = (rows: FamilyClaimRow[]): number => rows.reduce((s, r) => s + (r.supernetAccuracy ?? 0), 0) / rows.length;
  const description =
    `PROXY / SHORTENED SCHEDULE: supernet accuracies (BN recalibrated per path on ${cfg.recalBatches} batch(es) of ${cfg.batch}, ${cfg.evalImages} held-out images) of ONE HSS super-supernet ` +
    `of the small preset trained ${record.steps} steps of batch ${cfg.batch} (${record.epochs.toFixed(2)} epochs) on the CIFAR-10 subset; small MCEA (T=${mc.T} K=${mc.K} P=${mc.P} N=${mc.N}) vs ` +
    `the paper's T=8 K=20 P=50 N=40; stand-alone retraining of the members NOT run (2 shared CPU cores, time).`;
  const out = path.join(REPO_ROOT, 'benchmarks', 'results', 'scalenet-family-claim');
  const familyWallSeconds = record.seconds + mceaSeconds;
  prov.writeResultJson(`${out}.json`, {
    description, preset: SMALL_PRESET.name, backend, f0, budgets, tolerance, supernet: { source: supernetSource, file, training: record },
    scalenet: { base: mres.alpha, members: scalenet, evaluations: scalenetEvals, seconds: mceaSeconds, meanAccuracy: mean(scalenet) },
    independent: { members: independent, bases: independentBases, evaluationsPerBudget: independentEvals, populationSize: pop, generations: gens, seconds: independentSeconds, meanAccuracy: mean(independent) },
    compound: { grid: { cases: all.length, withinSupernet: reach.length, evaluated: tried.length, tried }, coefficients: bestS.S, members: compound, seconds: compoundSeconds, meanAccuracy: mean(compound) },
    retraining: { run: false, reason: 'not run here: stand-alone retraining of 3 families x 4 members does not fit the ~25 min budget on 2 shared CPU cores together with the search; benchmarks/scalenet/family-retrain.ts retrains the members of this JSON (scalenet-family-claim-retrain.json); the job can do it too (spec.retrainEpochs)' },
    familyWall: { seconds: familyWallSeconds, trainSeconds: record.seconds, mceaSeconds, note: 'wall time of one ScaleNet family on this machine at this (shortened) scale: super-supernet SGD time + MCEA time (evaluations included)' },
    wallSeconds: (performance.now() - wall0) / 1000, loadAverageAtEnd: os.loadavg(),
  });
  const pts = (rows: FamilyClaimRow[]): Array<{ x: number; y: number }> => rows.map((r) => ({ x: r.flops / 1e6, y: 100 * (r.supernetAccuracy ?? 0) }));
  fs.writeFileSync(
    `${out}.svg`,
    renderScatter({
      title: 'ScaleNet family vs per-budget search vs compound scaling (supernet accuracy, small preset, CIFAR-10 subset)',
      subtitle: description.slice(0, 150),
      xLabel: 'MFLOPs (multiply-adds)',
      yLabel: 'supernet held-out accuracy (%)',
      series: [
        { label: `ScaleNet (MCEA), mean ${(100 * mean(scalenet)).toFixed(1)}`, color: '#1f77b4', points: pts(scalenet), steps: false, radius: 5 },
        { label: `independent per-budget NSGA-II, mean ${(100 * mean(independent)).toFixed(1)}`, color: '#2ca02c', points: pts(independent), radius: 4 },
        { label: `compound scaling of S0, mean ${(100 * mean(compound)).toFixed(1)}`, color: '#d62728', points: pts(compound), radius: 4 },
      ],
    }),
  );
  console.log(`wrote ${out}.json and .svg (${((performance.now() - wall0) / 60000).toFixed(1)} min)`);
  net.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
