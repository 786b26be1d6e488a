/**
 * CONet rank vs accuracy (the paper, Fig. 1(c): Spearman 0.913 between layer rank at epoch 90 and test accuracy over
 * NATS): a seeded sample of NAS-Bench-201 architectures is trained on the first images of the bundled CIFAR-10 subset
 * at a small width for a few epochs (tfjs `wasm`); each one's mean rank (R̄ averaged over its measured conv layers
 * after training) is correlated with (a) NB201's CIFAR-10 test accuracy (200 epochs, table lookup) and (b) the
 * arch's own test accuracy after this short training (on the first test images of the subset).
 *
 *   node dist/benchmarks/conet/rank-accuracy.js          (npm run bench:conet-rank-accuracy)
 *
 * Env: BENCH_ARCHS (8), BENCH_IMAGES (256), BENCH_TEST_IMAGES (256), BENCH_EPOCHS (2), BENCH_CHANNELS (8),
 *      BENCH_CELLS (1 per stage), BENCH_SEED (1), BENCH_OUT (benchmarks/results/conet-rank-accuracy.json).
 * 95 % intervals: Fisher z of the coefficient with standard error 1.03/sqrt(n-3) for Spearman (Fieller, Hartley &
 * Pearson 1957) and 0.437/sqrt(n-4) for Kendall (same source); approximate, and wide at small n.
 * Scale: PROXY — a handful of archs, a few hundred images, a few epochs; the paper uses all 15,625 archs at epoch 90.
 */
import { RunProvenance } from '../common/provenance';
import * as path from 'node:path';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { correlate } from '../../src/benchmarks/stats/correlation';
import { REPO_ROOT, loadConfig } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { nb201Spec } from '../../src/methods/conet/training/nb201-preset';
import { retrainAndTest } from '../../src/methods/conet/training/retrain';
import { measureNetwork } from '../../src/methods/conet/training/trial-runner';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const ARCHS = Number(env('BENCH_ARCHS', '8'));
const IMAGES = Number(env('BENCH_IMAGES', '256'));
const TEST_IMAGES = Number(env('BENCH_TEST_IMAGES', '256'));
const EPOCHS = Number(env('BENCH_EPOCHS', '2'));
const CHANNELS = Number(env('BENCH_CHANNELS', '8'));
const CELLS = Number(env('BENCH_CELLS', '1'));
const SEED = Number(env('BENCH_SEED', '1'));
const OUT = env('BENCH_OUT', path.join(REPO_ROOT, 'benchmarks', 'results', 'conet-rank-accuracy.json'));

function interval(r: number, n: number, se: number): [number, number] | null {
  if (!(n > 4) || !Number.isFinite(r)) return null;
  const z = Math.atanh(Math.max(-0.999999, Math.min(0.999999, r)));
  return [Math.tanh(z - 1.96 * se), Math.tanh(z + 1.96 * se)];
}

function summary(x: number[], y: number[]): Record<string, unknown> {
  const c = correlate(x, y);
  return {
    n: c.n,
    spearman: c.spearmanRho,
    spearmanCi95: interval(c.spearmanRho, c.n, 1.03 / Math.sqrt(c.n - 3)),
    kendall: c.kendallTau,
    kendallCi95: interval(c.kendallTau, c.n, 0.437 / Math.sqrt(c.n - 4)),
    pearson: c.pearsonR,
  };
}

async function main(): Promise<void> {
  const backend = await selectBackend({ force: 'wasm' });
  const { dataDir } = loadConfig();
  const table = loadNb201Table(dataDir);
  const ds = loadBuiltinDataset('cifar10-subset', dataDir);
  const trainIdx = Array.from({ length: Math.min(IMAGES, ds.train.count) }, (_, i) => i);
  const testIdx = Array.from({ length: Math.min(TEST_IMAGES, ds.test.count) }, (_, i) => i);
  const stats = channelStats(ds.train, trainIdx);
  const train = new BatchStream(ds.train, { indices: trainIdx, batchSize: 32, seed: SEED, stats, augment: { cropPadding: 4, horizontalFlip: true } });
  const test = new BatchStream(ds.test, { indices: testIdx, batchSize: 64, seed: SEED, stats, shuffle: false });
  const picks = Rng.fromSeed(SEED).sampleIndices(table.size, ARCHS);
  const rows: Array<{ index: number; arch: string; meanRank: number; nb201TestAcc: number; ownTestAcc: number; params: number; seconds: number }> = [];
  for (const index of picks) {
    const t0 = Date.now();
    const spec = nb201Spec({ ops: table.ops(index), channels: CHANNELS, cellsPerStage: CELLS, inputShape: [32, 32, 3], numClasses: ds.numClasses });
    let meanRank = NaN;
    const r = await retrainAndTest(spec, spec.initialSizes, train, test, { epochs: EPOCHS, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, seed: SEED + index }, undefined, (net) => {
      const layers = measureNetwork(net, spec.measured);
      meanRank = layers.reduce((a, l) => a + l.rBar, 0) / layers.length;
    });
    const row = { index, arch: table.archStr(index), meanRank, nb201TestAcc: table.accuracy(index, 'cifar10', 'test', 200), ownTestAcc: r.testAccuracy, params: r.params, seconds: (Date.now() - t0) / 1000 };
    rows.push(row);
    process.stdout.write(`${row.arch}  mean R-bar ${meanRank.toFixed(4)}  NB201 ${row.nb201TestAcc.toFixed(2)} %  own ${(100 * row.ownTestAcc).toFixed(1)} %  (${row.seconds.toFixed(0)} s)\n`);
  }
  const ranks = rows.map((r) => r.meanRank);
  const out = {
    benchmark: 'conet-rank-accuracy',
    scale: `PROXY: ${rows.length} NB201 archs (seed ${SEED}), C=${CHANNELS}, ${CELLS} cell(s)/stage, ${trainIdx.length} CIFAR-10-subset train images, ${EPOCHS} epochs, own accuracy on ${testIdx.length} test images; the paper: 15,625 archs at epoch 90`,
    backend: backend.name,
    vsNb201Cifar10Test: summary(ranks, rows.map((r) => r.nb201TestAcc)),
    vsOwnShortTrainingTest: summary(ranks, rows.map((r) => r.ownTestAcc)),
    rows,
  };
  new RunProvenance('dist/benchmarks/conet/rank-accuracy.js', []).writeResultJson(OUT, out);
  process.stdout.write(`${JSON.stringify(out.vsNb201Cifar10Test)}\n${JSON.stringify(out.vsOwnShortTrainingTest)}\nwrote ${path.relative(REPO_ROOT, OUT)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
