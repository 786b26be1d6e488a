/**
 * Shared by the ScaleNet benchmarks that need a trained super-supernet (table4.ts, family-claim.ts): the CIFAR-10
 * subset split into train / held-out, super-supernet training with a fixed number of SGD steps (cosine schedule with
 * warm-up, one path per batch by HSS or uniformly: Eq. 3), the supernet evaluator of the job (BN recalibrated per
 * path on fixed training batches, accuracy on fixed held-out images), and the supernet file both scripts share.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Rng } from '../../src/common/rng';
import { loadConfig } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { BatchStream, TrainValidStreams, trainValidStreams } from '../../src/datasets/pipeline';
import { encodeCheckpoint, readCheckpointFile } from '../../src/trainer/checkpoint-file';
import { Sgd, learningRate } from '../../src/trainer/engine/train-loop';
import { SamplerKind, pathSampler } from '../../src/methods/scalenet/science/hss';
import { SMALL_PRESET, ScalingSpace, scalingSpace } from '../../src/methods/scalenet/science/space';
import { LabelledBatch, SupernetEvaluator } from '../../src/methods/scalenet/training/evaluator';
import { ScaleNetSupernet } from '../../src/methods/scalenet/training/super-supernet';
import { firstBatches } from '../../src/trainer/engine/fixed-batches';

export interface SupernetBenchConfig {
  M: number;
  steps: number;
  batch: number;
  lr: number;
  warmupSteps: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  validFraction: number;
  evalImages: number;
  recalBatches: number;
}

export interface BenchData {
  streams: TrainValidStreams;
  recal: LabelledBatch[];
  evalSet: LabelledBatch[];
  trainImages: number;
  space: ScalingSpace;
}

/** The CIFAR-10 subset (data/images) split as the job splits it, with the evaluator's fixed batches. */
export function benchData(cfg: SupernetBenchConfig): BenchData {
  const ds = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
  const streams = trainValidStreams(ds.train, { validFraction: cfg.validFraction, seed: cfg.seed, batchSize: cfg.batch, evalBatchSize: 64 });
  if (!streams.valid) throw new Error('no held-out split');
  const recalStream = new BatchStream(ds.train, { indices: streams.split.train, batchSize: cfg.batch, seed: cfg.seed + 1, stats: streams.stats, shuffle: true });
  return { streams, recal: firstBatches(recalStream, cfg.recalBatches), evalSet: firstBatches(streams.valid, Infinity, cfg.evalImages), trainImages: streams.split.train.length, space: scalingSpace(SMALL_PRESET, cfg.M) };
}

export interface TrainRecord {
  sampler: SamplerKind;
  steps: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  epochs: number;
  lossFirst10: number;
  lossLast10: number;
  weightsSha256: string;
}

/** Eq. 3 for cfg.steps SGD steps (same data order, path RNG and schedule for either sampler). */
export function trainSupernet(cfg: SupernetBenchConfig, data: BenchData, sampler: SamplerKind, log: (s: string) => void): { net: ScaleNetSupernet; record: TrainRecord } {
  const net = new ScaleNetSupernet(SMALL_PRESET, data.space, cfg.seed);
  const sgd = new Sgd(net, { momentum: cfg.momentum, weightDecay: cfg.weightDecay, nesterov: false });
  const sample = pathSampler(SMALL_PRESET, data.space, sampler);
  const rng = Rng.fromSeed(cfg.seed + 1000);
  const schedule = { baseLr: cfg.lr, minLr: 0, totalSteps: cfg.steps, warmupSteps: cfg.warmupSteps };
  const losses: number[] = [];
  let images = 0;
  let seconds = 0;
  const perEpoch = data.streams.train.batchesPerEpoch;
  for (let step = 0; step < cfg.steps; step++) {
    const batch = data.streams.train.batchAt(Math.floor(step / perEpoch), step % perEpoch);
    net.set(sample(rng));
    const t0 = performance.now();
    const loss = sgd.step(batch, learningRate(step, schedule), 0);
    seconds += (performance.now() - t0) / 1000;
    images += batch.shape[0];
    losses.push(loss);
    if ((step + 1) % 10 === 0) log(`  ${sampler} step ${step + 1}/${cfg.steps} loss ${loss.toFixed(3)} (${(images / seconds).toFixed(1)} images/s)`);
  }
  sgd.dispose();
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
  return {
    net,
    record: {
      sampler, steps: cfg.steps, images, seconds, imagesPerSecond: images / seconds, epochs: images / data.trainImages,
      lossFirst10: mean(losses.slice(0, 10)), lossLast10: mean(losses.slice(-10)), weightsSha256: net.weightsSha256(),
    },
  };
}

export function evaluatorOf(net: ScaleNetSupernet, data: BenchData): SupernetEvaluator {
  return new SupernetEvaluator(net, data.recal, data.evalSet);
}

export const noBoundary = (): Promise<void> => Promise.resolve();

/** Writes a trained supernet with the config and training record it came from. */
export function saveSupernet(file: string, net: ScaleNetSupernet, cfg: SupernetBenchConfig, record: TrainRecord): void {
  fs.writeFileSync(file, encodeCheckpoint({ meta: { format: 'scalenet-bench-supernet/1', cfg, record }, arrays: net.exportWeights() }));
}

/** Reads saveSupernet's file; null when it is absent or was trained with another configuration. */
export function loadSupernet(file: string, cfg: SupernetBenchConfig, data: BenchData): { net: ScaleNetSupernet; record: TrainRecord } | null {
  if (!fs.existsSync(file)) return null;
  const c = readCheckpointFile(file);
  // the evaluator settings (evalImages, recalBatches) may differ: they do not change the weights
  const training = (x: SupernetBenchConfig): string => JSON.stringify({ ...x, evalImages: 0, recalBatches: 0 });
  if (c.meta.format !== 'scalenet-bench-supernet/1' || training(c.meta.cfg as SupernetBenchConfig) !== training(cfg)) return null;
  const net = new ScaleNetSupernet(SMALL_PRESET, data.space, cfg.seed);
  net.importWeights(c.arrays);
  return { net, record: c.meta.record as TrainRecord };
}
