/**
 * NSS Fig. 3 analogue (small preset, CIFAR-10 subset, CPU): error vs FLOPs of architectures sampled uniformly from the
 * Elite Spaces found for three FLOPs targets and from the whole Expanded Search Space, their accuracies from a
 * SEPARATELY trained evaluation supernet (as the paper does: a weight-sharing supernet over the whole space, trained
 * with uniform space sampling and the all-channels/all-blocks warm-up, no Theta), BN recalibrated per architecture.
 * Also: the time of one search here and an extrapolation (not a run) of what the paper schedule would cost.
 * Everything is a shortened schedule on a subset and says so. Writes benchmarks/results/nss-fig3.{json,svg}.
 *
 * Env: TRAIN_IMAGES (256), TEST_IMAGES (160), BATCH (32), EVAL_EPOCHS (5), SEARCH_EPOCHS (3), ARCHS (6), SEED (1).
 * Run: npm run build && nice -n 10 node dist/benchmarks/nss/fig3.js
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/config';
import { firstImages } from '../../src/datasets/dataset-ref';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { BatchStream, trainValidStreams } from '../../src/datasets/pipeline';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { NetworkSpace, NssArch, archFlops, expandedSearchSpace, formatSpace, sampleArch, wholeSpace } from '../../src/methods/nss/science';
import { NSS_SEARCH_DEFAULTS, NssSearchOptions, NssSearchRun } from '../../src/methods/nss/training/runner';
import { evaluateArchs } from '../../src/methods/nss/training/search';
import { RunProvenance } from '../common/provenance';

const num = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const CFG = {
  trainImages: num('TRAIN_IMAGES', 256),
  testImages: num('TEST_IMAGES', 160),
  batch: num('BATCH', 32),
  evalEpochs: num('EVAL_EPOCHS', 5),
  searchEpochs: num('SEARCH_EPOCHS', 3),
  archs: num('ARCHS', 6),
  seed: num('SEED', 1),
  targets: [5e6, 12e6, 30e6],
  recalBatches: 2,
};

interface Point {
  depths: number[];
  widths: number[];
  flops: number;
  accuracy: number;
  error: number;
}

async function main(): Promise<void> {
  const prov = new RunProvenance('benchmarks/nss/fig3.ts', ['TRAIN_IMAGES', 'TEST_IMAGES', 'BATCH', 'EVAL_EPOCHS', 'SEARCH_EPOCHS', 'ARCHS', 'SEED'], CFG);
  const backend = await selectBackend({ force: 'wasm' });
  const ds = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
  const train = firstImages(ds.train, CFG.trainImages);
  const test = firstImages(ds.test, CFG.testImages);
  const s = expandedSearchSpace('small', [32, 32, 3], 10);
  const base = { ...NSS_SEARCH_DEFAULTS, space: s, batchSize: CFG.batch, seed: CFG.seed };

  // 1. evaluation supernet: every epoch is warm-up (weights only, Theta stays uniform), lambda 0
  const evalOpts: NssSearchOptions = { ...base, flopsTarget: 12e6, lambda: 0, epochs: CFG.evalEpochs, warmupFraction: 0.99 };
  let t0 = performance.now();
  const evalRun = new NssSearchRun(train, evalOpts);
  await evalRun.run();
  const evalSeconds = (performance.now() - t0) / 1000;
  console.log(`evaluation supernet: ${evalRun.totalSteps} steps in ${evalSeconds.toFixed(0)} s`);

  // 2. one NSS search per target (Eq. 5 with L_task through the relaxation), timed
  const searches: Array<{ target: number; space: NetworkSpace; description: string; meanFlops: number; deviation: number; seconds: number; steps: number }> = [];
  for (const target of CFG.targets) {
    t0 = performance.now();
    const run = new NssSearchRun(train, { ...base, flopsTarget: target, lambda: 1, epochs: CFG.searchEpochs, warmupFraction: 1 / 3 });
    await run.run();
    const r = run.result();
    const seconds = (performance.now() - t0) / 1000;
    searches.push({ target, space: r.elite.elite.space, description: formatSpace(r.elite.elite.space), meanFlops: r.elite.elite.meanFlops, deviation: r.elite.elite.deviation, seconds, steps: r.steps });
    console.log(`search @ ${target / 1e6} MF: ${formatSpace(r.elite.elite.space)} (mean ${(r.elite.elite.meanFlops / 1e6).toFixed(2)} MF, dev ${(100 * r.elite.elite.deviation).toFixed(1)} %), ${r.steps} steps in ${seconds.toFixed(0)} s`);
    run.dispose();
  }

  // 3. sample from each space, evaluate on the evaluation supernet
  const streams = trainValidStreams(train, { validFraction: 0.5, seed: CFG.seed, batchSize: CFG.batch });
  const recal: Array<{ x: Float32Array; shape: [number, number, number, number] }> = [];
  for (const b of streams.train.epoch(0)) {
    if (recal.length >= CFG.recalBatches) break;
    recal.push({ x: b.x.slice(), shape: [...b.shape] as [number, number, number, number] });
  }
  const testStream = new BatchStream(test, { indices: Uint32Array.from({ length: test.count }, (_, i) => i), batchSize: 160, seed: 0, stats: streams.stats, shuffle: false });
  const rng = Rng.fromSeed(CFG.seed + 11);
  t0 = performance.now();
  const evalSpace = async (sp: NetworkSpace): Promise<Point[]> => {
    const archs: NssArch[] = Array.from({ length: CFG.archs }, () => sampleArch(sp, rng));
    return (await evaluateArchs(evalRun, archs, () => recal, testStream)).map((e) => ({ depths: e.arch.depths, widths: e.arch.widths, flops: e.flops, accuracy: e.accuracy, error: 1 - e.accuracy }));
  };
  const series: Array<{ label: string; points: Point[] }> = [{ label: 'Expanded Search Space', points: await evalSpace(wholeSpace(s)) }];
  for (const se of searches) series.push({ label: `Elite Space @ ${se.target / 1e6} MF`, points: await evalSpace(se.space) });
  const evalArchSeconds = (performance.now() - t0) / 1000;
  evalRun.dispose();

  // 4. cost: measured seconds per search step here, extrapolated (not run) to the paper schedule
  const search = searches[1];
  const secPerStep = search.seconds / search.steps;
  const paperStepsSmall = 50 * Math.ceil(25_000 / 64);
  const maxSmall = archFlops(s, { depths: [4, 4, 4], widths: [32, 32, 32] });
  const ps = expandedSearchSpace('paper', [32, 32, 3], 10);
  const maxPaper = archFlops(ps, { depths: [16, 16, 16], widths: [512, 512, 512] });
  const cost = {
    oneSearchSeconds: search.seconds,
    oneSearchSteps: search.steps,
    secondsPerStepAtBatch: { batch: CFG.batch, seconds: secPerStep },
    extrapolatedSmallPresetPaperScheduleHours: (secPerStep * (64 / CFG.batch) * paperStepsSmall) / 3600,
    extrapolatedPaperPresetHours: (secPerStep * (64 / CFG.batch) * paperStepsSmall * (maxPaper / maxSmall)) / 3600,
    note:
      `extrapolations, not runs: the paper schedule is 50 epochs of ceil(25,000/64) = ${Math.ceil(25_000 / 64)} steps (CIFAR-10 train half, batch 64); step time scaled linearly with batch; ` +
      `the paper preset scaled by the ratio of its largest network's FLOPs to the small preset's (${(maxPaper / maxSmall).toFixed(0)}x), a rough upper-range figure`,
  };
  const front = (pts: Point[]): Point[] => {
    const sorted = [...pts].sort((a, b) => a.flops - b.flops);
    const out: Point[] = [];
    let best = Infinity;
    for (const p of sorted) {
      if (p.error < best) {
        best = p.error;
        out.push(p);
      }
    }
    return out;
  };
  const body = {
    benchmark: 'NSS Fig. 3 analogue: error vs FLOPs of architectures sampled from Elite Spaces and from the Expanded Search Space',
    honesty:
      `SHORTENED and on a SUBSET: small preset (d_max 4, w_max 32), ${train.count} CIFAR-10 training images (half for weights, half for Theta), evaluation supernet ${CFG.evalEpochs} epochs, searches ${CFG.searchEpochs} epochs, ` +
      `errors are supernet estimates on ${test.count} test images (BN recalibrated on ${CFG.recalBatches} batches), not stand-alone training; the paper trains on all of CIFAR-10 for 50 epochs`,
    backend,
    paperReference: 'Fig. 3: networks sampled from Elite Spaces lie on or near the front of the Expanded Search Space at their FLOPs; Table 1 (CIFAR-10): 5 vs 43.2 samples',
    searches,
    evaluationSupernet: { epochs: CFG.evalEpochs, steps: CFG.evalEpochs * Math.ceil(streams.split.train.length / CFG.batch), seconds: evalSeconds },
    series: series.map((x) => ({ ...x, front: front(x.points), meanError: x.points.reduce((a, p) => a + p.error, 0) / x.points.length })),
    evalArchSeconds,
    cost,
  };
  const dir = path.join(__dirname, '..', '..', '..', 'benchmarks', 'results');
  prov.writeResultJson(path.join(dir, 'nss-fig3.json'), body);
  fs.writeFileSync(path.join(dir, 'nss-fig3.svg'), svg(series, CFG.targets));
  for (const x of body.series) console.log(`${x.label.padEnd(24)} mean error ${(100 * x.meanError).toFixed(1)} %: ${x.points.map((p) => `${(p.flops / 1e6).toFixed(1)}MF/${(100 * p.error).toFixed(0)}%`).join(' ')}`);
  console.log(`one search (${search.steps} steps) ${search.seconds.toFixed(0)} s; extrapolated: small preset, paper schedule ${cost.extrapolatedSmallPresetPaperScheduleHours.toFixed(0)} h; paper preset ~${cost.extrapolatedPaperPresetHours.toExponential(1)} h`);
  console.log('wrote benchmarks/results/nss-fig3.{json,svg}');
}

const COLORS = ['#999999', '#1f77b4', '#2ca02c', '#d62728'];

function svg(series: Array<{ label: string; points: Point[] }>, targets: number[]): string {
  const [W, H, L, B, pw, ph] = [760, 480, 70, 420, 640, 360];
  const all = series.flatMap((s) => s.points);
  const lx = Math.log10;
  const [x0, x1] = [Math.min(...all.map((p) => lx(p.flops))) - 0.05, Math.max(...all.map((p) => lx(p.flops))) + 0.05];
  const [y0, y1] = [Math.max(0, Math.min(...all.map((p) => p.error)) - 0.02), Math.min(1, Math.max(...all.map((p) => p.error)) + 0.02)];
  const X = (v: number): number => L + ((lx(v) - x0) / (x1 - x0)) * pw;
  const Y = (v: number): number => B - ((v - y0) / (y1 - y0 || 1)) * ph;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  parts.push(`<text x="${L}" y="24" font-size="14">NSS Fig. 3 analogue (small preset, CIFAR-10 subset, supernet errors; SHORTENED)</text>`);
  parts.push(`<rect x="${L}" y="${B - ph}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  targets.forEach((t, i) => parts.push(`<line x1="${X(t).toFixed(1)}" x2="${X(t).toFixed(1)}" y1="${B - ph}" y2="${B}" stroke="${COLORS[i + 1]}" stroke-dasharray="4 3"/>`));
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    for (const p of s.points) parts.push(`<circle cx="${X(p.flops).toFixed(1)}" cy="${Y(p.error).toFixed(1)}" r="4" fill="${c}" opacity="0.8"/>`);
    const f = [...s.points].sort((a, b) => a.flops - b.flops).filter((p, k, arr) => arr.slice(0, k).every((q) => q.error > p.error));
    if (f.length > 1) parts.push(`<polyline fill="none" stroke="${c}" points="${f.map((p) => `${X(p.flops).toFixed(1)},${Y(p.error).toFixed(1)}`).join(' ')}"/>`);
    parts.push(`<circle cx="${L + 10}" cy="${B - ph + 14 + 16 * i}" r="4" fill="${c}"/><text x="${L + 20}" y="${B - ph + 18 + 16 * i}">${s.label}</text>`);
  });
  for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) parts.push(`<text x="${X(10 ** e) - 12}" y="${B + 16}">1e${e}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = y0 + ((y1 - y0) * k) / 4;
    parts.push(`<text x="${L - 40}" y="${Y(v) + 4}">${(100 * v).toFixed(0)}%</text>`);
  }
  parts.push(`<text x="${L + pw / 2 - 60}" y="${B + 36}">FLOPs (multiply-adds, log)</text><text x="14" y="${B - ph / 2}" transform="rotate(-90 14 ${B - ph / 2})">supernet error</text>`);
  parts.push(`<text x="${L}" y="${B + 54}" font-size="11">Dashed: the three FLOPs targets. Lines: each series' front. See nss-fig3.json for the schedule (shortened, subset).</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
