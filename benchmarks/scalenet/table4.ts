/**
 * ScaleNet Table 4 (issue #12, evidence 2): Pearson, Spearman and Kendall coefficients of supernet accuracy vs FLOPs
 * over sampled paths, for a super-supernet trained with HSS (Eq. 1-2) and one trained with uniform sampling over the
 * joint space (the ablation, `sampler: "uniform"`): the `small` preset (M = 3), the CIFAR-10 subset (data/images),
 * the same data order, path RNG seed, initialisation and schedule for both. The same fixed set of PATHS paths (drawn
 * by HSS with equal eta, so every scaling stage is covered) is evaluated on both supernets with the job's evaluator
 * (BN recalibrated per path on RECAL training batches, top-1 on EVAL held-out images); percentile bootstrap 95 % CIs.
 * SHORTENED SCHEDULE / PROXY: STEPS SGD steps of batch BATCH (a fraction of one epoch) on 2 shared CPU cores
 * (wasm), PATHS paths; the paper trains on ImageNet-100 and samples 6,000 paths. The output says the scale.
 * The HSS supernet is written to SUPERNET_FILE for family-claim.ts (same supernet, same budgets).
 *
 *   npx tsc -p tsconfig.build.json && nice -n 10 npm run bench:scalenet-table4
 * Env: STEPS (60), BATCH (16), LR (0.05), PATHS (50), EVAL (96), RECAL (2), SEED (0), SUPERNET_FILE
 * (<tmpdir>/scalenet-bench-hss-supernet.ckpt). Writes benchmarks/results/scalenet-table4.json / .svg.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bootstrapCorrelation, pairedBootstrap } from '../../src/benchmarks/stats/bootstrap';
import { kendallTauB, pearsonR, spearmanRho } from '../../src/benchmarks/stats/correlation';
import { Rng } from '../../src/common/rng';
import { REPO_ROOT } from '../../src/config/config';
import { selectBackend } from '../../src/trainer/engine/backend';
import { estimateF0 } from '../../src/methods/scalenet/science/budgets';
import { pathFlops } from '../../src/methods/scalenet/science/cost';
import { pathSampler } from '../../src/methods/scalenet/science/hss';
import { SMALL_PRESET, ScaleNetPath } from '../../src/methods/scalenet/science/space';
import { envNumber } from '../common/env';
import { RunProvenance } from '../common/provenance';
import { renderScatter } from '../macro/scatter-svg';
import { SupernetBenchConfig, benchData, evaluatorOf, noBoundary, saveSupernet, trainSupernet } from './bench-supernet';

/** The paper's Table 4 (%), ImageNet-100, 6,000 paths. */
const PAPER = { original: { pearson: 35.3, spearman: 80.1, kendall: 64.1 }, hss: { pearson: 73.6, spearman: 83.9, kendall: 66.2 } };

export function benchConfig(): SupernetBenchConfig {
  const steps = envNumber('STEPS', 60);
  return { M: 3, steps, batch: envNumber('BATCH', 16), lr: envNumber('LR', 0.05), warmupSteps: Math.round(steps / 10), momentum: 0.9, weightDecay: 4e-5, seed: envNumber('SEED', 0), validFraction: 0.1, evalImages: envNumber('EVAL', 96), recalBatches: envNumber('RECAL', 2) };
}

export const defaultSupernetFile = (): string => process.env.SUPERNET_FILE ?? path.join(os.tmpdir(), 'scalenet-bench-hss-supernet.ckpt');

async function main(): Promise<void> {
  const cfg = benchConfig();
  const nPaths = envNumber('PATHS', 50);
  const file = defaultSupernetFile();
  const prov = new RunProvenance('benchmarks/scalenet/table4.ts', ['STEPS', 'BATCH', 'LR', 'PATHS', 'EVAL', 'RECAL', 'SEED', 'SUPERNET_FILE'], { ...cfg, paths: nPaths, supernetFile: file });
  const wall0 = performance.now();
  const backend = await selectBackend({ force: 'wasm' });
  const data = benchData(cfg);
  const f0 = estimateF0(SMALL_PRESET, Rng.fromSeed(17), 100_000).f0;
  const budgets = Array.from({ length: cfg.M + 1 }, (_, j) => 2 ** j * f0);
  const rng = Rng.fromSeed(cfg.seed + 5);
  const sample = pathSampler(SMALL_PRESET, data.space, 'hss');
  const paths: Array<ScaleNetPath & { stage: number; flops: number }> = [];
  for (let i = 0; i < nPaths; i++) {
    const p = sample(rng);
    paths.push({ base: p.base, strategy: p.strategy, stage: p.stage, flops: pathFlops(SMALL_PRESET, p) });
  }
  console.log(`Table 4 (small preset, M=3, CIFAR-10 subset: ${data.trainImages} train / ${data.evalSet.reduce((n, b) => n + b.shape[0], 0)} held-out images used); ${cfg.steps} steps of ${cfg.batch} per supernet; ${nPaths} paths; backend ${backend.name}`);
  const results: Record<string, unknown> = {};
  const scatter: Array<{ label: string; color: string; points: Array<{ x: number; y: number }> }> = [];
  for (const sampler of ['hss', 'uniform'] as const) {
    const { net, record } = trainSupernet(cfg, data, sampler, console.log);
    console.log(`${sampler}: trained ${record.steps} steps (${record.epochs.toFixed(2)} epochs) in ${record.seconds.toFixed(0)} s, loss ${record.lossFirst10.toFixed(3)} -> ${record.lossLast10.toFixed(3)}`);
    if (sampler === 'hss') saveSupernet(file, net, cfg, record);
    const ev = evaluatorOf(net, data);
    const t0 = performance.now();
    const accs: number[] = [];
    for (const p of paths) accs.push(await ev.accuracy(p, noBoundary));
    const evalSeconds = (performance.now() - t0) / 1000;
    const flops = paths.map((p) => p.flops);
    const pearson = pearsonR(accs, flops);
    const spearman = spearmanRho(accs, flops);
    const kendall = kendallTauB(accs, flops);
    const ci = bootstrapCorrelation(accs, flops, { resamples: 2000, seed: 1 });
    const pci = pairedBootstrap(accs, flops, (a, b) => pearsonR(a, b), 2000, 0.95, 1);
    const paper = sampler === 'hss' ? PAPER.hss : PAPER.original;
    results[sampler] = {
      training: record, evalSeconds, pathsEvaluated: accs.length,
      pearson: { value: pearson, ci95: [pci.lo, pci.hi] }, spearman: { value: spearman, ci95: [ci.spearmanRho.lo, ci.spearmanRho.hi] }, kendall: { value: kendall, ci95: [ci.kendallTau.lo, ci.kendallTau.hi] },
      paperPercent: paper, meanAccuracy: accs.reduce((s, a) => s + a, 0) / accs.length,
      accuracies: accs,
    };
    const pct = (v: number): string => (100 * v).toFixed(1);
    console.log(`${sampler}: Pearson ${pct(pearson)} [${pct(pci.lo)}, ${pct(pci.hi)}] (paper ${paper.pearson}), Spearman ${pct(spearman)} [${pct(ci.spearmanRho.lo)}, ${pct(ci.spearmanRho.hi)}] (paper ${paper.spearman}), Kendall ${pct(kendall)} [${pct(ci.kendallTau.lo)}, ${pct(ci.kendallTau.hi)}] (paper ${paper.kendall}); ${evalSeconds.toFixed(0)} s for ${accs.length} paths`);
    scatter.push({ label: `${sampler === 'hss' ? 'HSS' : 'uniform'}-trained supernet (Pearson ${pct(pearson)}, Kendall ${pct(kendall)})`, color: sampler === 'hss' ? '#1f77b4' : '#d62728', points: paths.map((p, i) => ({ x: p.flops / 1e6, y: 100 * accs[i] })) });
    net.dispose();
  }
  const description =
    `SHORTENED SCHEDULE / PROXY: two super-supernets of the small preset (M = 3) trained ${cfg.steps} SGD steps of batch ${cfg.batch} (${((cfg.steps * cfg.batch) / data.trainImages).toFixed(2)} epochs) ` +
    `on the CIFAR-10 subset on 2 shared CPU cores, ${nPaths} HSS-drawn paths evaluated on ${cfg.evalImages} held-out images each (BN recalibrated on ${cfg.recalBatches} batches); ` +
    `the paper (Table 4) trains on ImageNet-100 and samples 6,000 paths. Coefficients in [-1, 1]; the paper's are in %.`;
  const out = path.join(REPO_ROOT, 'benchmarks', 'results', 'scalenet-table4');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  prov.writeResultJson(`${out}.json`, {
    description, preset: SMALL_PRESET.name, presetDoc: SMALL_PRESET.doc, backend, f0, budgets, wallSeconds: (performance.now() - wall0) / 1000, loadAverageAtEnd: os.loadavg(),
    paths: paths.map((p) => ({ stage: p.stage, strategy: p.strategy, flops: p.flops })), supernetFile: file, ...results, paper: PAPER,
  });
  fs.writeFileSync(`${out}.svg`, renderScatter({ title: 'ScaleNet Table 4: supernet accuracy vs FLOPs, HSS- vs uniform-trained (small preset, CIFAR-10 subset)', subtitle: description.slice(0, 150), xLabel: 'MFLOPs (multiply-adds)', yLabel: 'held-out accuracy (%)', series: scatter }));
  console.log(`wrote ${out}.json and .svg (${((performance.now() - wall0) / 60000).toFixed(1)} min)`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
