/**
 * NAS-Bench-Macro ground truth vs this project's weight-sharing supernet: an MBConv supernet over the Macro space
 * (src/trainer/supernet/macro-supernet.ts: 8 layers, identity / MB3_K3 / MB6_K5, MB3_K3 sharing MB6_K5's weights by
 * channel masking + kernel crop) trained with uniform single-path sampling (a new path per batch, each layer's op
 * uniform, i.e. uniform over the 6,561 keys) on the builtin CIFAR-10 subset; then, for a fixed seeded sample of
 * distinct networks (uniform over the 3,969 networks), supernet accuracy on a held-out split of the training images
 * (BN running statistics recalibrated per path over training batches) vs the table's mean test accuracy: Kendall
 * tau-b and Spearman rho with n and a paired percentile bootstrap 95 % CI.
 * SHORTENED SCHEDULE / PROXY: a narrow supernet (width multiplier), a few epochs on a few thousand 32x32 images on
 * the wasm backend (2 CPU cores), vs the table's 50-epoch full-CIFAR-10 stand-alone trainings. The output says the scale.
 *
 *   NAS_DATA_DIR=data npm run bench:macro-supernet-tau
 * Env: TAU_WIDTH (0.25), TAU_EPOCHS (4), TAU_BATCH (64), TAU_LR (0.1), TAU_VALID (600 held-out images), TAU_NETS (40),
 * TAU_RECAL_BATCHES (4), TAU_SEED (0), TAU_OUT_DIR (benchmarks/results), TAU_STEM (macro-supernet-tau). Writes <stem>.json / .svg.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadMacroTable } from '../../src/benchmarks/macro/load';
import { pairedBootstrap } from '../../src/benchmarks/stats/bootstrap';
import { kendallTauB, spearmanRho } from '../../src/benchmarks/stats/correlation';
import { Rng } from '../../src/common/rng';
import { loadConfig, REPO_ROOT } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { trainValidStreams } from '../../src/datasets/pipeline';
import { selectBackend } from '../../src/trainer/engine/backend';
import { recalibrateBatchNorm } from '../../src/trainer/engine/bn-recalibration';
import { Sgd, evaluate, learningRate } from '../../src/trainer/engine/train-loop';
import { MacroSupernet } from '../../src/trainer/supernet/macro-supernet';
import { MACRO_NUM_LAYERS, MACRO_OPS } from '../../src/search/spaces/macro';
import { RunProvenance } from '../common/provenance';
import { renderScatter } from './scatter-svg';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got ${process.env[name]}`);
  return v;
};

async function main(): Promise<void> {
  const cfg = {
    widthMultiplier: env('TAU_WIDTH', 0.25), epochs: env('TAU_EPOCHS', 3), trainSeconds: env('TAU_TRAIN_SECONDS', 420), batch: env('TAU_BATCH', 64), lr: env('TAU_LR', 0.1),
    validImages: env('TAU_VALID', 300), networks: env('TAU_NETS', 24), recalBatches: env('TAU_RECAL_BATCHES', 2), seed: Number(process.env.TAU_SEED ?? 0),
    momentum: 0.9, weightDecay: 5e-4, nesterov: true, warmupEpochs: 0.5, augment: 'random crop (pad 4) + horizontal flip', bootstrapResamples: 2000,
  };
  const outDir = path.resolve(process.env.TAU_OUT_DIR ?? path.join(REPO_ROOT, 'benchmarks', 'results'));
  const stem = process.env.TAU_STEM ?? 'macro-supernet-tau';
  if (!/^[\w.-]+$/.test(stem)) throw new Error(`TAU_STEM must be a plain file stem, got ${stem}`);
  const prov = new RunProvenance('benchmarks/macro/supernet-tau.ts', ['TAU_WIDTH', 'TAU_EPOCHS', 'TAU_TRAIN_SECONDS', 'TAU_BATCH', 'TAU_LR', 'TAU_VALID', 'TAU_NETS', 'TAU_RECAL_BATCHES', 'TAU_SEED', 'TAU_OUT_DIR', 'TAU_STEM'], cfg);
  const t0 = performance.now();
  const backend = await selectBackend({ force: 'wasm' });
  const dataDir = loadConfig().dataDir;
  const table = loadMacroTable(dataDir);
  const ds = loadBuiltinDataset('cifar10-subset', dataDir);
  const total = ds.train.count;
  const { train, valid, split } = trainValidStreams(ds.train, {
    validFraction: cfg.validImages / total, seed: cfg.seed, batchSize: cfg.batch, evalBatchSize: 200, augment: { cropPadding: 4, horizontalFlip: true },
  });
  if (!valid) throw new Error('no held-out split');
  const net = new MacroSupernet({ widthMultiplier: cfg.widthMultiplier, seed: cfg.seed });
  const paramCount = net.paramCount();
  const layout = net.layout;
  const sgd = new Sgd(net, { momentum: cfg.momentum, weightDecay: cfg.weightDecay, nesterov: cfg.nesterov });
  const pathRng = Rng.fromSeed(cfg.seed + 1);
  const samplePath = (): number[] => Array.from({ length: MACRO_NUM_LAYERS }, () => pathRng.int(MACRO_OPS.length)); // uniform single path
  // the schedule length: TAU_EPOCHS, cut so that training fits TAU_TRAIN_SECONDS at the speed of 6 probe steps
  // (probe steps train too, at the warm-up's first learning rate; on a shared machine the speed varies)
  // (the first probe step sets up the kernels and is not timed)
  const PROBE = 6;
  let probeStart = performance.now();
  for (let i = 0; i < PROBE; i++) {
    if (i === 1) probeStart = performance.now();
    net.set(samplePath());
    sgd.step(train.batchAt(0, i), cfg.lr / 100, 0);
  }
  const secondsPerStep = (performance.now() - probeStart) / 1000 / (PROBE - 1);
  const steps = Math.max(10, Math.min(Math.round(cfg.epochs * train.batchesPerEpoch), Math.floor(cfg.trainSeconds / secondsPerStep)));
  const epochsRun = steps / train.batchesPerEpoch;
  const schedule = { baseLr: cfg.lr, minLr: 0, totalSteps: steps, warmupSteps: Math.round(Math.min(cfg.warmupEpochs * train.batchesPerEpoch, steps / 10)) };
  console.log(`Macro supernet: width x${cfg.widthMultiplier} (stem ${net.layout.stem}, stages ${net.layout.layers.map((l) => l.cout).join('/')}, head ${net.layout.head}), ${net.paramCount()} params; ${split.train.length} train / ${split.valid.length} held-out images of cifar10-subset; ${epochsRun.toFixed(2)} epochs = ${steps} steps of batch ${cfg.batch} (${secondsPerStep.toFixed(2)} s/step probed); backend ${backend.reason}`);
  let step = 0;
  let lossSum = 0;
  let cutAtStep: number | null = null; // wall-clock guard: the shared machine may slow down after the probe
  const trainStart = performance.now();
  for (let epoch = 0; step < steps && cutAtStep === null; epoch++) {
    for (const b of train.epoch(epoch)) {
      if (step >= steps) break;
      if ((performance.now() - trainStart) / 1000 > 1.25 * cfg.trainSeconds) {
        cutAtStep = step;
        console.log(`  wall-clock guard: training stopped at step ${step} of ${steps} (cosine schedule cut)`);
        break;
      }
      net.set(samplePath());
      lossSum += sgd.step(b, learningRate(step, schedule), 0);
      step++;
      if (step % 10 === 0) {
        console.log(`  step ${step}/${steps} loss ${(lossSum / 10).toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        lossSum = 0;
      }
    }
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  // a fixed seeded sample of distinct networks (uniform over the 3,969 networks)
  const sampleRng = Rng.fromSeed(1000 + cfg.seed);
  const picked = new Set<number>();
  while (picked.size < cfg.networks) picked.add(table.space.sampleNetwork(sampleRng));
  const keys = [...picked];
  const supernetAcc: number[] = [];
  const tableAcc: number[] = [];
  for (const [k, idx] of keys.entries()) {
    net.set(table.ops(idx));
    const recal = (function* () {
      for (let i = 0; i < cfg.recalBatches; i++) yield train.batchAt(10_000, i);
    })();
    recalibrateBatchNorm(net, recal);
    const r = await evaluate(net, valid);
    supernetAcc.push(100 * r.accuracy);
    tableAcc.push(table.meanAccuracy(idx));
    if ((k + 1) % 10 === 0) console.log(`  evaluated ${k + 1}/${keys.length} networks (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const tau = pairedBootstrap(supernetAcc, tableAcc, kendallTauB, cfg.bootstrapResamples, 0.95, cfg.seed);
  const rho = pairedBootstrap(supernetAcc, tableAcc, spearmanRho, cfg.bootstrapResamples, 0.95, cfg.seed);
  const seconds = (performance.now() - t0) / 1000;
  sgd.dispose();
  net.dispose();
  tf.disposeVariables();

  const stepsDone = cutAtStep ?? steps;
  const scale = `${split.train.length} training images (cifar10-subset), ${(stepsDone / train.batchesPerEpoch).toFixed(2)} epochs (${stepsDone} steps${cutAtStep === null ? '' : ` of a ${steps}-step cosine schedule, cut by the wall-clock guard`}), width x${cfg.widthMultiplier}, batch ${cfg.batch}, wasm on ${'2 shared CPU cores'}`;
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  fs.mkdirSync(outDir, { recursive: true });
  const json = prov.writeResultJson(path.join(outDir, `${stem}.json`), {
    scale: `SHORTENED SCHEDULE / PROXY: ${scale}; ground truth = NAS-Bench-Macro table (50-epoch stand-alone trainings on full CIFAR-10, mean of 3)`,
    sampling: 'uniform single-path: a new path per batch, each layer op uniform over identity / MB3_K3 / MB6_K5',
    evaluation: `supernet top-1 on ${split.valid.length} held-out training images, BN running statistics recalibrated per path over ${cfg.recalBatches} training batches of ${cfg.batch}`,
    networks: `${keys.length} distinct networks, uniform over the 3,969 networks (seed ${1000 + cfg.seed})`,
    n: keys.length,
    kendallTauB: { estimate: r3(tau.estimate), ci95: [r3(tau.lo), r3(tau.hi)], resamples: tau.resamples },
    spearman: { estimate: r3(rho.estimate), ci95: [r3(rho.lo), r3(rho.hi)], resamples: rho.resamples },
    supernet: { params: paramCount, layout },
    timing: { cosineScheduleCutAtStep: cutAtStep, trainSeconds: r3(trainSeconds), totalSeconds: r3(seconds), steps, epochsRun: r3(epochsRun), probedSecondsPerStep: r3(secondsPerStep) },
    points: keys.map((idx, i) => ({ key: table.keyOf(idx), supernetAccuracy: r3(supernetAcc[i]), tableMeanAccuracy: tableAcc[i], mflops: table.flops(idx) / 1e6 })),
  });
  fs.writeFileSync(path.join(outDir, `${stem}.svg`), renderScatter({
    title: `NAS-Bench-Macro: supernet accuracy vs table (n = ${keys.length}, tau-b ${tau.estimate.toFixed(3)}, Spearman ${rho.estimate.toFixed(3)})`,
    subtitle: `PROXY: ${scale}`,
    xLabel: 'table mean test accuracy (%), 50-epoch stand-alone', yLabel: 'supernet accuracy (%), held-out, BN recalibrated',
    series: [{ label: 'sampled networks', color: '#1f77b4', points: keys.map((_, i) => ({ x: tableAcc[i], y: supernetAcc[i] })), radius: 3 }],
  }));
  console.log(`n = ${keys.length}: Kendall tau-b ${tau.estimate.toFixed(3)} [${tau.lo.toFixed(3)}, ${tau.hi.toFixed(3)}], Spearman ${rho.estimate.toFixed(3)} [${rho.lo.toFixed(3)}, ${rho.hi.toFixed(3)}] (95 % bootstrap)`);
  console.log(`scale: ${scale}; ${seconds.toFixed(0)} s; wrote ${json} and ${stem}.svg`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
