/**
 * Wall time of NSS search steps on this machine (tfjs wasm), `small` preset at 32x32x3, 10 classes, on random images
 * (timing only: the data does not matter for the cost of a step). Reports ms per warm-up step (weights only; the
 * first steps enable every channel and block) and per search step (weights + Theta through the relaxation), and
 * extrapolates the cost of a whole search: the paper schedule on the small preset, and on the `paper` preset with the
 * step time scaled by the mean FLOPs of a uniformly sampled network (paper / small; extrapolations, not runs). Also the
 * wall time of the whole (tiny) search it runs. Writes benchmarks/results/nss-step-time.json.
 * Usage: node dist/benchmarks/nss/step-time.js [batch=32] [steps=4]
 */
import { RunProvenance } from '../common/provenance';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { RelaxedFlops, expandedSearchSpace, initialTheta, thetaProbabilities } from '../../src/methods/nss/science';
import { NSS_SEARCH_DEFAULTS, NssSearchRun } from '../../src/methods/nss/training/runner';

async function main(): Promise<void> {
  const batch = Number(process.argv[2] ?? 32);
  const steps = Number(process.argv[3] ?? 4);
  const backend = await selectBackend();
  const space = expandedSearchSpace('small', [32, 32, 3], 10);
  const n = batch * 4;
  const r = Rng.fromSeed(1);
  const data = { count: n, height: 32, width: 32, channels: 3, images: Uint8Array.from({ length: n * 3072 }, () => r.int(256)), labels: Uint8Array.from({ length: n }, () => r.int(10)) };
  // 2 train batches per epoch; 2 * steps epochs with warm-up = the first half
  const run = new NssSearchRun(data, { ...NSS_SEARCH_DEFAULTS, space, flopsTarget: 12e6, epochs: steps, warmupFraction: 0.5, seed: 1, batchSize: batch });
  const times: Array<{ step: number; warmup: boolean; ms: number; arch: unknown }> = [];
  const tRun = performance.now();
  while (!run.done) {
    const t = performance.now();
    const s = run.runStep();
    times.push({ step: s.step, warmup: s.warmup, ms: Math.round(performance.now() - t), arch: s.arch });
    console.log(`step ${s.step} ${s.warmup ? 'warm-up' : 'search '} ${times[times.length - 1].ms} ms ${JSON.stringify(s.arch)}`);
  }
  run.dispose();
  const oneSearchSeconds = (performance.now() - tRun) / 1000;
  // the first step includes the backend's kernel set-up: reported apart, left out of the warm-up mean
  const mean = (w: boolean): number => {
    const t = times.filter((x) => x.warmup === w && x.step !== 0);
    return t.reduce((a, x) => a + x.ms, 0) / Math.max(1, t.length);
  };
  const warm = mean(true);
  const search = mean(false);
  // the paper's schedule on CIFAR-10: 25,000 train images, batch 64 -> 391 steps/epoch, 15 warm-up + 35 search epochs
  const perEpoch = Math.ceil(25000 / batch);
  const hours = (15 * perEpoch * warm + 35 * perEpoch * search) / 3.6e6;
  const estimateHours = hours.toFixed(1);
  // mean FLOPs of a uniformly sampled network of the whole space = the relaxed FLOPs at uniform Theta (exact)
  const meanFlops = (sp: typeof space): number => new RelaxedFlops(sp).value(thetaProbabilities(initialTheta(sp)));
  const paper = expandedSearchSpace('paper', [32, 32, 3], 10);
  const ratio = meanFlops(paper) / meanFlops(space);
  const out = {
    benchmark: 'NSS step time (small preset, 32x32x3, random images: timing only)',
    backend,
    batch,
    cpus: os.cpus().length,
    loadAverage: os.loadavg(),
    firstStepMs: times[0]?.ms ?? null,
    msPerWarmupStep: Math.round(warm),
    msPerSearchStep: Math.round(search),
    oneSearch: { steps: times.length, seconds: oneSearchSeconds, description: `the whole search run here: ${steps} epochs x 2 steps (half warm-up) at batch ${batch} on ${n} random images, first step included` },
    paperPreset: {
      meanFlopsSmall: meanFlops(space),
      meanFlopsPaper: meanFlops(paper),
      ratio,
      hours: hours * ratio,
      note: 'extrapolation, not a run: the small-preset paper-schedule hours scaled by the ratio of the mean FLOPs of a uniformly sampled network (paper / small preset); the paper preset supernet (~225 M parameters) is refused by the CPU trainer anyway',
    },
    estimate: `small preset, CIFAR-10 train half (25,000 images) at batch ${batch}, 50 epochs (15 warm-up): ~${estimateHours} h at these step times (extrapolated, not run)`,
    steps: times,
  };
  const dir = path.join(__dirname, '..', '..', '..', 'benchmarks', 'results');
  fs.mkdirSync(dir, { recursive: true });
  new RunProvenance('dist/benchmarks/nss/step-time.js', [], { args: process.argv.slice(2) }).writeResultJson(path.join(dir, 'nss-step-time.json'), out);
  console.log(`${backend.name}: ${Math.round(warm)} ms per warm-up step, ${Math.round(search)} ms per search step (batch ${batch}, load ${os.loadavg()[0].toFixed(1)}); ${out.estimate}`);
  console.log(`one search of ${times.length} steps: ${oneSearchSeconds.toFixed(0)} s; paper preset (mean FLOPs ${(ratio).toFixed(0)}x the small preset's): ~${(hours * ratio).toExponential(2)} h (extrapolated)`);
}

void main();
