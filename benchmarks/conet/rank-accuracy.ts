/**
 * CONet rank vs accuracy (the paper, Sec. 5.1 and Fig. 1(c): Spearman 0.913 between layer rank at epoch 90 and test
 * accuracy over the 15,625 NATS/NB201 cells): a seeded sample of NB201 architectures is trained on the first images of
 * the bundled CIFAR-10 subset at a small width for a few epochs (tfjs `wasm`); after every epoch each one's mean rank
 * (R̄ = (R3 + R4)/2, Eq. 1, averaged over its measured conv layers) is recorded. The mean rank after the last epoch is
 * correlated with (a) NB201's CIFAR-10 test accuracy (200 epochs, table lookup) and (b) the arch's own test accuracy
 * after this short training (on the first test images of the subset); Spearman and Kendall tau-b with percentile
 * bootstrap 95 % intervals (src/benchmarks/stats), n, and the same per epoch (how many epochs the rank needs). Two
 * reference rows put the figure in context: the own short-training accuracy vs NB201's, and the count of conv edges
 * in the cell (a zero-cost structural proxy) vs NB201's accuracy.
 *
 *   node dist/benchmarks/conet/rank-accuracy.js          (npm run bench:conet-rank-accuracy)
 *
 * Env: BENCH_ARCHS (28), BENCH_IMAGES (256), BENCH_TEST_IMAGES (256), BENCH_EPOCHS (6), BENCH_CHANNELS (8),
 *      BENCH_CELLS (1 per stage), BENCH_BATCH (16), BENCH_LR (0.1), BENCH_SEED (1),
 *      BENCH_OUT (benchmarks/results/conet-rank-accuracy.json; the SVG is written next to it).
 * Scale: PROXY — a few dozen archs, a few hundred images, a few epochs at C=8; the paper uses all 15,625 archs at
 * epoch 90 of full CIFAR-10 at C=16, N=5.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunProvenance } from '../common/provenance';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { bootstrapCorrelation } from '../../src/benchmarks/stats/bootstrap';
import { correlate } from '../../src/benchmarks/stats/correlation';
import { REPO_ROOT, loadConfig } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { nb201Spec } from '../../src/methods/conet/training/nb201-preset';
import { measureNetwork } from '../../src/methods/conet/training/trial-runner';
import { Rng } from '../../src/common/rng';
import { opKernel } from '../../src/trainer/nb201/forward';
import { selectBackend } from '../../src/trainer/engine/backend';
import { Sgd, evaluate, learningRate } from '../../src/trainer/engine/train-loop';

const ENV_KEYS = ['BENCH_ARCHS', 'BENCH_IMAGES', 'BENCH_TEST_IMAGES', 'BENCH_EPOCHS', 'BENCH_CHANNELS', 'BENCH_CELLS', 'BENCH_BATCH', 'BENCH_LR', 'BENCH_SEED', 'BENCH_OUT'];
const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const ARCHS = Number(env('BENCH_ARCHS', '28'));
const IMAGES = Number(env('BENCH_IMAGES', '256'));
const TEST_IMAGES = Number(env('BENCH_TEST_IMAGES', '256'));
const EPOCHS = Number(env('BENCH_EPOCHS', '6'));
const CHANNELS = Number(env('BENCH_CHANNELS', '8'));
const CELLS = Number(env('BENCH_CELLS', '1'));
const BATCH = Number(env('BENCH_BATCH', '16'));
const LR = Number(env('BENCH_LR', '0.1'));
const SEED = Number(env('BENCH_SEED', '1'));
const OUT = env('BENCH_OUT', path.join(REPO_ROOT, 'benchmarks', 'results', 'conet-rank-accuracy.json'));
const PAPER_SPEARMAN = 0.913;

interface Row {
  index: number;
  arch: string;
  /** conv edges (3x3 and 1x1) in the cell */
  convEdges: number;
  /** mean R̄ over the measured conv layers after each epoch (index 0 = epoch 1) */
  meanRankByEpoch: number[];
  meanRank: number;
  /** measured conv layers with R̄ > 0 after the last epoch, of all measured */
  layersWithRank: [number, number];
  nb201TestAcc: number;
  ownTestAcc: number;
  trainLoss: number[];
  params: number;
  seconds: number;
}

interface Correlation {
  n: number;
  spearman: number | null;
  spearmanCi95: [number, number] | null;
  kendall: number | null;
  kendallCi95: [number, number] | null;
  pearson: number | null;
  /** x takes a single value on every arch (all ties): no rank correlation is defined */
  constantX: boolean;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

function summary(x: number[], y: number[]): Correlation {
  const c = correlate(x, y);
  const b = bootstrapCorrelation(x, y, { resamples: 2000, seed: SEED });
  const ci = (i: { lo: number; hi: number; used: number }): [number, number] | null => (i.used > 0 && Number.isFinite(i.lo) ? [i.lo, i.hi] : null);
  return {
    n: c.n,
    spearman: finite(c.spearmanRho),
    spearmanCi95: ci(b.spearmanRho),
    kendall: finite(c.kendallTau),
    kendallCi95: ci(b.kendallTau),
    pearson: finite(c.pearsonR),
    constantX: new Set(x).size <= 1,
  };
}

const fmt = (c: Correlation): string =>
  `n ${c.n}  Spearman ${c.spearman?.toFixed(3) ?? 'undefined'} [${c.spearmanCi95?.map((v) => v.toFixed(2)).join(', ') ?? '-'}]  Kendall ${c.kendall?.toFixed(3) ?? 'undefined'} [${c.kendallCi95?.map((v) => v.toFixed(2)).join(', ') ?? '-'}]`;

/** Two scatter panels (mean rank vs NB201 accuracy, vs own accuracy) and Spearman per epoch. */
function svg(rows: Row[], byEpoch: Array<{ epoch: number; vsNb201: Correlation; vsOwn: Correlation }>, title: string): string {
  const W = 960;
  const H = 340;
  const pw = 280;
  const ph = 230;
  const top = 50;
  const p: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`];
  p.push(`<rect width="${W}" height="${H}" fill="white"/>`, `<text x="10" y="18" font-size="13">${title}</text>`);
  const panel = (x0: number, label: string, xs: number[], ys: number[], xLabel: string, yLabel: string, yRange?: [number, number], line = false): void => {
    const [xmin, xmax] = [Math.min(...xs), Math.max(...xs)];
    const [ymin, ymax] = yRange ?? [Math.min(...ys), Math.max(...ys)];
    const sx = (v: number): number => x0 + ((v - xmin) / (xmax - xmin || 1)) * pw;
    const sy = (v: number): number => top + ph - ((v - ymin) / (ymax - ymin || 1)) * ph;
    p.push(`<rect x="${x0}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    p.push(`<text x="${x0}" y="${top - 8}">${label}</text>`);
    p.push(`<text x="${x0 + pw / 2}" y="${top + ph + 30}" text-anchor="middle">${xLabel}</text>`);
    p.push(`<text x="${x0 - 40}" y="${top + ph / 2}" transform="rotate(-90 ${x0 - 40} ${top + ph / 2})" text-anchor="middle">${yLabel}</text>`);
    p.push(`<text x="${x0}" y="${top + ph + 14}">${xmin.toFixed(3)}</text><text x="${x0 + pw}" y="${top + ph + 14}" text-anchor="end">${xmax.toFixed(3)}</text>`);
    p.push(`<text x="${x0 - 4}" y="${top + ph}" text-anchor="end">${ymin.toFixed(2)}</text><text x="${x0 - 4}" y="${top + 8}" text-anchor="end">${ymax.toFixed(2)}</text>`);
    if (line) {
      p.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${xs.map((v, i) => `${sx(v).toFixed(1)},${sy(ys[i]).toFixed(1)}`).join(' ')}"/>`);
      if (ymin < 0 && ymax > 0) p.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${sy(0)}" y2="${sy(0)}" stroke="#ccc"/>`);
    }
    xs.forEach((v, i) => p.push(`<circle cx="${sx(v).toFixed(1)}" cy="${sy(ys[i]).toFixed(1)}" r="3" fill="#1f77b4" fill-opacity="0.7"/>`));
  };
  const ranks = rows.map((r) => r.meanRank);
  panel(60, 'mean rank vs NB201 CIFAR-10 test accuracy (200 ep)', ranks, rows.map((r) => r.nb201TestAcc), 'mean R-bar after the last epoch', 'NB201 test acc (%)');
  panel(380, 'mean rank vs own short-training test accuracy', ranks, rows.map((r) => 100 * r.ownTestAcc), 'mean R-bar after the last epoch', 'own test acc (%)');
  const ep = byEpoch.filter((e) => e.vsNb201.spearman !== null);
  if (ep.length > 0) {
    panel(700, `Spearman vs NB201 by epoch (paper ${PAPER_SPEARMAN} at epoch 90)`, ep.map((e) => e.epoch), ep.map((e) => e.vsNb201.spearman!), 'epochs trained', 'Spearman rho', [-1, 1], true);
  }
  p.push('</svg>');
  return p.join('\n');
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const backend = await selectBackend({ force: 'wasm' });
  const { dataDir } = loadConfig();
  const table = loadNb201Table(dataDir);
  const ds = loadBuiltinDataset('cifar10-subset', dataDir);
  const trainIdx = Array.from({ length: Math.min(IMAGES, ds.train.count) }, (_, i) => i);
  const testIdx = Array.from({ length: Math.min(TEST_IMAGES, ds.test.count) }, (_, i) => i);
  const stats = channelStats(ds.train, trainIdx);
  const train = new BatchStream(ds.train, { indices: trainIdx, batchSize: BATCH, seed: SEED, stats, augment: { cropPadding: 4, horizontalFlip: true } });
  const test = new BatchStream(ds.test, { indices: testIdx, batchSize: 128, seed: SEED, stats, shuffle: false });
  const picks = Rng.fromSeed(SEED).sampleIndices(table.size, ARCHS);
  const provenance = new RunProvenance('dist/benchmarks/conet/rank-accuracy.js', ENV_KEYS, { archs: ARCHS, images: trainIdx.length, testImages: testIdx.length, epochs: EPOCHS, channels: CHANNELS, cells: CELLS, batch: BATCH, lr: LR, seed: SEED, momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine to 0 over the epochs', backend: backend.name });
  const rows: Row[] = [];
  for (const index of picks) {
    const t = Date.now();
    const ops = table.ops(index);
    const spec = nb201Spec({ ops, channels: CHANNELS, cellsPerStage: CELLS, inputShape: [32, 32, 3], numClasses: ds.numClasses });
    const net = spec.build(spec.initialSizes, SEED + index);
    const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 5e-4, nesterov: false });
    const meanRankByEpoch: number[] = [];
    const trainLoss: number[] = [];
    let layersWithRank: [number, number] = [0, 0];
    let ownTestAcc: number;
    let params: number;
    try {
      const schedule = { baseLr: LR, minLr: 0, totalSteps: EPOCHS * train.batchesPerEpoch, warmupSteps: 0 };
      let step = 0;
      for (let e = 0; e < EPOCHS; e++) {
        let sum = 0;
        let n = 0;
        for (const b of train.epoch(e)) {
          sum += sgd.step(b, learningRate(step++, schedule), 0);
          n++;
        }
        trainLoss.push(n ? sum / n : NaN);
        const layers = measureNetwork(net, spec.measured);
        meanRankByEpoch.push(layers.reduce((a, l) => a + l.rBar, 0) / layers.length);
        layersWithRank = [layers.filter((l) => l.rBar > 0).length, layers.length];
      }
      ownTestAcc = (await evaluate(net, test)).accuracy;
      params = net.paramCount();
    } finally {
      sgd.dispose();
      net.dispose();
    }
    const row: Row = {
      index,
      arch: table.archStr(index),
      convEdges: ops.filter((o) => opKernel(o) !== 0).length,
      meanRankByEpoch,
      meanRank: meanRankByEpoch[meanRankByEpoch.length - 1],
      layersWithRank,
      nb201TestAcc: table.accuracy(index, 'cifar10', 'test', 200),
      ownTestAcc,
      trainLoss,
      params,
      seconds: (Date.now() - t) / 1000,
    };
    rows.push(row);
    process.stdout.write(
      `[${rows.length}/${picks.length}] ${row.arch}  mean R-bar by epoch ${meanRankByEpoch.map((v) => v.toFixed(3)).join(' ')}  NB201 ${row.nb201TestAcc.toFixed(2)} %  own ${(100 * ownTestAcc).toFixed(1)} %  (${row.seconds.toFixed(0)} s)\n`,
    );
  }
  const ranks = rows.map((r) => r.meanRank);
  const nb201 = rows.map((r) => r.nb201TestAcc);
  const own = rows.map((r) => r.ownTestAcc);
  const byEpoch = Array.from({ length: EPOCHS }, (_, e) => {
    const x = rows.map((r) => r.meanRankByEpoch[e]);
    return { epoch: e + 1, archsWithRank: x.filter((v) => v > 0).length, meanOfMeanRank: x.reduce((a, b) => a + b, 0) / x.length, vsNb201: summary(x, nb201), vsOwn: summary(x, own) };
  });
  const seconds = (Date.now() - t0) / 1000;
  const scale =
    `PROXY: ${rows.length} NB201 archs (seed ${SEED}), C=${CHANNELS}, ${CELLS} cell(s)/stage, ${trainIdx.length} CIFAR-10-subset train images, ` +
    `${EPOCHS} epochs (${EPOCHS * train.batchesPerEpoch} SGD steps, batch ${BATCH}, lr ${LR} cosine), own accuracy on ${testIdx.length} test images; ` +
    'the paper: all 15,625 archs at epoch 90 of full CIFAR-10 (NATS C=16, N=5). NB201 accuracies are table lookups.';
  const out = {
    benchmark: 'conet-rank-accuracy',
    scale,
    backend: backend.name,
    paper: { spearman: PAPER_SPEARMAN, archs: 15625, epoch: 90 },
    vsNb201Cifar10Test: summary(ranks, nb201),
    vsOwnShortTrainingTest: summary(ranks, own),
    reference: {
      ownShortTrainingVsNb201: summary(own, nb201),
      convEdgesVsNb201: summary(rows.map((r) => r.convEdges), nb201),
    },
    byEpoch,
    rows,
    seconds,
  };
  provenance.writeResultJson(OUT, out);
  const svgPath = OUT.replace(/\.json$/, '.svg');
  fs.writeFileSync(svgPath, svg(rows, byEpoch, `CONet mean rank vs accuracy, ${rows.length} NB201 archs, C=${CHANNELS}, ${EPOCHS} epochs on ${trainIdx.length} images (PROXY)`));
  process.stdout.write(`${scale}\n`);
  process.stdout.write(`mean rank vs NB201 CIFAR-10 test: ${fmt(out.vsNb201Cifar10Test)}   (paper: Spearman ${PAPER_SPEARMAN})\n`);
  process.stdout.write(`mean rank vs own short-training test: ${fmt(out.vsOwnShortTrainingTest)}\n`);
  process.stdout.write(`reference, own accuracy vs NB201: ${fmt(out.reference.ownShortTrainingVsNb201)}\n`);
  process.stdout.write(`reference, conv edges vs NB201: ${fmt(out.reference.convEdgesVsNb201)}\n`);
  for (const e of byEpoch) process.stdout.write(`epoch ${e.epoch}: archs with rank > 0 ${e.archsWithRank}/${rows.length}, vs NB201 ${fmt(e.vsNb201)}\n`);
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, OUT)} and ${path.relative(REPO_ROOT, svgPath)} (${seconds.toFixed(0)} s)\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
