/**
 * Speed of super-supernet training (issue #12, evidence 5): images/s of SGD steps on the ScaleNet super-supernet of the
 * `small` preset (M = 3), one path per batch sampled by HSS (equal eta) or uniformly, on the CIFAR-10 subset, on this
 * machine's trainer backend (wasm here). Also the images/s of a path evaluation forward pass (eval mode) per scaling
 * stage. A short measurement (STEPS steps after WARMUP untimed ones), not a training run.
 * Usage: npm run build && node dist/benchmarks/scalenet/train-speed.js   (env STEPS, WARMUP, BATCH, SEED)
 * Writes benchmarks/results/scalenet-train-speed.json.
 */
import { RunProvenance } from '../common/provenance';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { loadConfig } from '../../src/config/config';
import { loadDatasetRef } from '../../src/datasets/dataset-ref';
import { trainValidStreams } from '../../src/datasets/pipeline';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { Sgd } from '../../src/trainer/engine/train-loop';
import { pathSampler } from '../../src/methods/scalenet/science/hss';
import { SMALL_PRESET, scalingSpace } from '../../src/methods/scalenet/science/space';
import { ScaleNetSupernet } from '../../src/methods/scalenet/training/super-supernet';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const CONFIG = { preset: 'small', M: 3, steps: env('STEPS', 20), warmup: env('WARMUP', 2), batch: env('BATCH', 32), seed: env('SEED', 1) };

async function main(): Promise<void> {
  const backend = await selectBackend();
  const ds = loadDatasetRef({ kind: 'builtin', name: 'cifar10-subset', dataDir: loadConfig().dataDir });
  const streams = trainValidStreams(ds.train, { validFraction: 0.1, seed: CONFIG.seed, batchSize: CONFIG.batch });
  const space = scalingSpace(SMALL_PRESET, CONFIG.M);
  const out: Record<string, unknown> = {};
  for (const sampler of ['hss', 'uniform'] as const) {
    const net = new ScaleNetSupernet(SMALL_PRESET, space, CONFIG.seed);
    const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 4e-5, nesterov: false });
    const sample = pathSampler(SMALL_PRESET, space, sampler);
    const rng = Rng.fromSeed(CONFIG.seed);
    let images = 0;
    let seconds = 0;
    let step = 0;
    for (const batch of streams.train.epoch(0)) {
      if (step >= CONFIG.warmup + CONFIG.steps) break;
      net.set(sample(rng));
      const t0 = performance.now();
      sgd.step(batch, 0.05, 0);
      if (step >= CONFIG.warmup) {
        seconds += (performance.now() - t0) / 1000;
        images += batch.shape[0];
      }
      step++;
    }
    out[sampler] = { trainImagesPerSecond: images / seconds, images, seconds };
    console.log(`${sampler}: ${(images / seconds).toFixed(1)} images/s over ${CONFIG.steps} steps of ${CONFIG.batch}`);
    if (sampler === 'hss') {
      const evalSpeed: Record<string, number> = {};
      const valid = [...(streams.valid?.epoch(0) ?? [])][0];
      for (let j = 0; j <= CONFIG.M; j++) {
        let n = 0;
        let s = 0;
        for (let k = 0; k < 5; k++) {
          const p = pathSampler(SMALL_PRESET, space, 'hss', { eta: space.stages.map((_, i) => (i === j ? 1 : 0)) })(rng);
          net.set(p);
          const t0 = performance.now();
          tf.tidy(() => net.forward(tf.tensor4d(valid.x, valid.shape), false).dataSync());
          s += (performance.now() - t0) / 1000;
          n += valid.shape[0];
        }
        evalSpeed[`stage${j}`] = n / s;
      }
      out.evalForwardImagesPerSecond = evalSpeed;
      console.log(`eval forward images/s per scaling stage: ${JSON.stringify(evalSpeed)}`);
    }
    sgd.dispose();
    net.dispose();
  }
  const result = { config: CONFIG, backend, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg(), note: 'measured on a machine shared with other jobs: see loadAverage', ...out };
  const dir = path.join(__dirname, '..', '..', '..', 'benchmarks', 'results');
  fs.mkdirSync(dir, { recursive: true });
  new RunProvenance('dist/benchmarks/scalenet/train-speed.js', [], { config: CONFIG }).writeResultJson(path.join(dir, 'scalenet-train-speed.json'), result);
  console.log('wrote benchmarks/results/scalenet-train-speed.json');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
