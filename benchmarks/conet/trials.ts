/**
 * CONet trials on the ResNet preset (Fig. 5 analogue + time per trial): Alg. 2 run for a few trials on the first
 * images of the bundled CIFAR-10 subset, on the tfjs `wasm` backend. Prints and writes, per trial, the channel size
 * of every group, the decisions, the mean R̄ and the time spent training and measuring (EVBMF); an SVG plots the
 * channel sizes per group over trials.
 *
 *   node dist/benchmarks/conet/trials.js           (npm run bench:conet-trials)
 *
 * Env: BENCH_IMAGES (256 training images), BENCH_BATCH (32), BENCH_EPOCHS (2 per trial), BENCH_TRIALS (3),
 *      BENCH_DELTA (0.0075), BENCH_WIDTHS ("16,32,64"), BENCH_BLOCKS ("1,1,1"), BENCH_SPECTRUM (svd|gram),
 *      BENCH_OUT (benchmarks/results/conet-trials.json; the SVG sits beside it).
 * Scale: a proxy — a few hundred images and a few epochs per trial instead of the paper's full CIFAR and
 * 20 epochs x 25 trials; the channel trajectories show the mechanism, not the paper's converged sizes.
 */
import { RunProvenance } from '../common/provenance';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, loadConfig } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { ALG2_DEFAULTS } from '../../src/methods/conet/science/alg2';
import { ResNetPreset, resnetCost, resnetLayout, resnetSpec } from '../../src/methods/conet/training/resnet-preset';
import { ConetRunState, runConet, startRun } from '../../src/methods/conet/training/trial-runner';
import { selectBackend } from '../../src/trainer/engine/backend';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const IMAGES = Number(env('BENCH_IMAGES', '256'));
const BATCH = Number(env('BENCH_BATCH', '32'));
const EPOCHS = Number(env('BENCH_EPOCHS', '2'));
const TRIALS = Number(env('BENCH_TRIALS', '3'));
const DELTA = Number(env('BENCH_DELTA', '0.0075'));
const WIDTHS = env('BENCH_WIDTHS', '16,32,64').split(',').map(Number) as [number, number, number];
const BLOCKS = env('BENCH_BLOCKS', '1,1,1').split(',').map(Number) as [number, number, number];
const SPECTRUM = env('BENCH_SPECTRUM', 'svd') as 'svd' | 'gram';
const OUT = env('BENCH_OUT', path.join(REPO_ROOT, 'benchmarks', 'results', 'conet-trials.json'));

function svg(state: ConetRunState, groupNames: Map<number, string>, note: string): string {
  const W = 760;
  const H = 420;
  const x0 = 60;
  const y0 = 360;
  const pw = 480;
  const ph = 300;
  const trials = state.trials.length + 1; // sizes after the last decision too
  const series = [...groupNames.keys()].map((g) => [...state.trials.map((t) => t.channels[String(g)]), state.search.groups.find((x) => x.group === g)!.channels]);
  const max = Math.max(...series.flat()) * 1.1;
  const X = (i: number): number => x0 + (trials > 1 ? (i * pw) / (trials - 1) : 0);
  const Y = (c: number): number => y0 - (c * ph) / max;
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const p: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  p.push(`<text x="20" y="22" font-size="15">CONet channel size per group over trials (ResNet preset, CIFAR-10 subset; proxy scale)</text>`);
  p.push(`<text x="20" y="40" font-size="11">${note.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
  p.push(`<line x1="${x0}" y1="${y0}" x2="${x0 + pw}" y2="${y0}" stroke="#000"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 - ph}" stroke="#000"/>`);
  for (let i = 0; i < trials; i++) p.push(`<text x="${X(i) - 4}" y="${y0 + 16}">${i}</text>`);
  p.push(`<text x="${x0 + pw / 2 - 30}" y="${y0 + 34}">trial (last = sizes after the last decision)</text>`);
  for (let k = 0; k <= 4; k++) {
    const c = Math.round((max * k) / 4);
    p.push(`<text x="${x0 - 40}" y="${Y(c) + 4}">${c}</text>`);
  }
  [...groupNames.values()].forEach((name, gi) => {
    const pts = series[gi].map((c, i) => `${X(i).toFixed(1)},${Y(c).toFixed(1)}`).join(' ');
    p.push(`<polyline fill="none" stroke="${colors[gi % colors.length]}" stroke-width="2" points="${pts}"/>`);
    p.push(`<text x="${x0 + pw + 12}" y="${70 + gi * 16}" fill="${colors[gi % colors.length]}">${name}</text>`);
  });
  p.push('</svg>');
  return p.join('\n');
}

async function main(): Promise<void> {
  const backend = await selectBackend({ force: 'wasm' });
  const ds = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
  const indices = Array.from({ length: Math.min(IMAGES, ds.train.count) }, (_, i) => i);
  const stats = channelStats(ds.train, indices);
  const train = new BatchStream(ds.train, { indices, batchSize: BATCH, seed: 1, stats, augment: { cropPadding: 4, horizontalFlip: true } });
  const preset: ResNetPreset = { blocksPerStage: BLOCKS, stageChannels: WIDTHS, inputShape: [32, 32, 3], numClasses: ds.numClasses };
  const layout = resnetLayout(preset);
  const alg2 = { ...ALG2_DEFAULTS, delta: DELTA, maxTrials: TRIALS };
  const groupNames = new Map([...layout.initialSizes.keys()].map((g) => [g, layout.assignment.groups[g].nodes.join('+')]));
  const t0 = Date.now();
  const final = await runConet(
    startRun(layout, alg2),
    { spec: resnetSpec(preset), train, options: { epochs: EPOCHS, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, seed: 1, alg2, evbmf: { spectrum: SPECTRUM } } },
    async (s) => {
      const t = s.trials[s.trials.length - 1];
      const meanRBar = t.epochs.map((e) => e.layers.reduce((a, l) => a + l.rBar, 0) / e.layers.length);
      process.stdout.write(
        `trial ${t.trial}: params ${t.params}, train ${t.seconds.train.toFixed(1)} s, measure ${t.seconds.measure.toFixed(1)} s, mean R-bar per epoch ${meanRBar.map((r) => r.toFixed(3)).join(' ')}\n` +
          `  channels ${JSON.stringify(t.channels)} -> ${JSON.stringify(Object.fromEntries(t.decisions.map((d) => [d.group, d.channelsAfter])))}\n`,
      );
    },
  );
  const sizesAfter = new Map(final.search.groups.map((g) => [g.group, g.channels]));
  const note = `${indices.length} train images, batch ${BATCH}, ${EPOCHS} epochs/trial, ${final.trials.length} trials, delta ${DELTA}, widths ${WIDTHS.join('/')}, blocks ${BLOCKS.join('/')}, EVBMF spectrum ${SPECTRUM}`;
  const out = {
    benchmark: 'conet-trials',
    scale: `PROXY: ${note}; the paper uses full CIFAR, 20 epochs x 25 trials`,
    backend: backend.name,
    seconds: (Date.now() - t0) / 1000,
    groups: Object.fromEntries(groupNames),
    start: { sizes: Object.fromEntries(layout.initialSizes), cost: resnetCost(layout, preset, layout.initialSizes) },
    end: { sizes: Object.fromEntries(sizesAfter), cost: resnetCost(layout, preset, sizesAfter), stopReason: final.search.stopReason },
    trials: final.trials,
  };
  new RunProvenance('dist/benchmarks/conet/trials.js', []).writeResultJson(OUT, out);
  const svgPath = OUT.replace(/\.json$/, '.svg');
  fs.writeFileSync(svgPath, svg(final, groupNames, note));
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, OUT)} and .svg (${out.seconds.toFixed(0)} s)\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
