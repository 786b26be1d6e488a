/**
 * NSS Fig. 3 analogue (small preset, CIFAR-10 subset, CPU): error vs FLOPs of architectures sampled uniformly from
 * the Elite Spaces of three FLOPs targets and from the whole Expanded Search Space, with each series' front.
 *  1. Evaluation supernet, trained SEPARATELY (as the paper does) over the whole Expanded Search Space: uniform
 *     architecture sampling with the all-channels / all-blocks warm-up of 6.3.2 annealed to 0 over the run, weights
 *     only (no Theta), on the CIFAR-10 subset (data/images: 4,000 train images; 5 % held out, unused).
 *  2. Elite Spaces: by default (SEARCH_EPOCHS=0) from a Theta search on lambda L_FLOPs ALONE (Eq. 4-5 without L_task,
 *     the Table 1 analogue's procedure: 600 Gumbel-softmax steps, closest of n = 5 spaces from P_Theta); with
 *     SEARCH_EPOCHS > 0, from full NSS searches (supernet + Theta with L_task) of that many epochs each.
 *  3. Every sampled architecture's error on the evaluation supernet (inherited weights, BN recalibrated on
 *     RECAL_BATCHES train batches, TEST_IMAGES test images).
 *  4. A few architectures (spanning the supernet accuracies) retrained STAND-ALONE from scratch on a SHORT schedule,
 *     and Kendall's tau-b between their supernet and stand-alone accuracies.
 * Everything is a shortened schedule on a subset and says so. Writes benchmarks/results/nss-fig3.{json,svg}.
 *
 * Env: TRAIN_IMAGES (4000), TEST_IMAGES (400), BATCH (32), EVAL_EPOCHS (2), EVAL_LR (0.05), SEARCH_EPOCHS (0),
 *      ARCHS (6 per space), RECAL_BATCHES (4), STANDALONE (4), STANDALONE_STEPS (90), STANDALONE_LR (0.05), SEED (1).
 * Run: npx tsc -p tsconfig.build.json && nice -n 10 npm run bench:nss-fig3
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { kendallTauB } from '../../src/benchmarks/stats/correlation';
import { loadConfig } from '../../src/config/config';
import { firstImages } from '../../src/datasets/dataset-ref';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { BatchStream, trainValidStreams } from '../../src/datasets/pipeline';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { Sgd, evaluate, learningRate } from '../../src/trainer/engine/train-loop';
import {
  DARTS_THETA_ADAM,
  ExpandedSearchSpace,
  NetworkSpace,
  NssArch,
  RelaxedFlops,
  SpaceFlops,
  adamStep,
  expandedSearchSpace,
  flopsLossGradient,
  formatSpace,
  initialAdamState,
  initialTheta,
  sampleArch,
  sampleSpaceRelaxed,
  selectEliteSpace,
  softWeights,
  temperature,
  thetaGradient,
  wholeSpace,
} from '../../src/methods/nss/science';
import { NSS_SEARCH_DEFAULTS, NssSearchOptions, NssSearchRun } from '../../src/methods/nss/training/runner';
import { evaluateArchs } from '../../src/methods/nss/training/search';
import { NssSupernet } from '../../src/methods/nss/training/supernet';
import { RunProvenance } from '../common/provenance';

const num = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const CFG = {
  trainImages: num('TRAIN_IMAGES', 4000),
  testImages: num('TEST_IMAGES', 400),
  batch: num('BATCH', 32),
  evalEpochs: num('EVAL_EPOCHS', 2),
  evalLr: num('EVAL_LR', 0.05),
  searchEpochs: num('SEARCH_EPOCHS', 0),
  thetaSteps: 600,
  thetaLr: 0.05,
  archs: num('ARCHS', 6),
  recalBatches: num('RECAL_BATCHES', 4),
  standalone: num('STANDALONE', 4),
  standaloneSteps: num('STANDALONE_STEPS', 90),
  standaloneLr: num('STANDALONE_LR', 0.05),
  seed: num('SEED', 1),
  targets: [5e6, 12e6, 30e6],
  heldOut: 0.05,
};
const ENV = ['TRAIN_IMAGES', 'TEST_IMAGES', 'BATCH', 'EVAL_EPOCHS', 'EVAL_LR', 'SEARCH_EPOCHS', 'ARCHS', 'RECAL_BATCHES', 'STANDALONE', 'STANDALONE_STEPS', 'STANDALONE_LR', 'SEED'];

interface Point {
  depths: number[];
  widths: number[];
  flops: number;
  accuracy: number;
  error: number;
}

interface EliteSearch {
  target: number;
  space: NetworkSpace;
  description: string;
  meanFlops: number;
  deviation: number;
  seconds: number;
  procedure: string;
}

/** Theta on lambda L_FLOPs alone (Eq. 4-5 without L_task; FLOPs at the relaxed weights), then the Elite Space (n = 5). */
function flopsOnlyElite(s: ExpandedSearchSpace, target: number, seed: number): EliteSearch {
  const t0 = performance.now();
  const rf = new RelaxedFlops(s);
  const theta = initialTheta(s);
  const st = initialAdamState(theta);
  const rng = Rng.fromSeed(seed);
  for (let k = 0; k < CFG.thetaSteps; k++) {
    const sample = sampleSpaceRelaxed(theta, temperature(k, CFG.thetaSteps), rng);
    adamStep(theta, thetaGradient(sample, flopsLossGradient(rf, softWeights(sample), target, 1)), st, { ...DARTS_THETA_ADAM, lr: CFG.thetaLr });
  }
  const e = selectEliteSpace(s, theta, target, 5, rng).elite;
  return {
    target, space: e.space, description: formatSpace(e.space), meanFlops: e.meanFlops, deviation: e.deviation, seconds: (performance.now() - t0) / 1000,
    procedure: `Theta on lambda L_FLOPs alone (no L_task, no supernet), ${CFG.thetaSteps} Gumbel-softmax steps, Adam lr ${CFG.thetaLr}; closest of n = 5 spaces from P_Theta`,
  };
}

const front = (pts: Point[]): Point[] => {
  const out: Point[] = [];
  let best = Infinity;
  for (const p of [...pts].sort((a, b) => a.flops - b.flops || a.error - b.error)) {
    if (p.error < best) {
      best = p.error;
      out.push(p);
    }
  }
  return out;
};

async function main(): Promise<void> {
  const prov = new RunProvenance('benchmarks/nss/fig3.ts', ENV, CFG);
  const backend = await selectBackend({ force: 'wasm' });
  const ds = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
  const train = firstImages(ds.train, CFG.trainImages);
  const test = firstImages(ds.test, CFG.testImages);
  const s = expandedSearchSpace('small', [32, 32, 3], 10);
  const base = { ...NSS_SEARCH_DEFAULTS, space: s, batchSize: CFG.batch, seed: CFG.seed };
  const tStart = performance.now();

  // 1. evaluation supernet: every epoch is warm-up (weights only, Theta untouched), lambda 0
  const evalOpts: NssSearchOptions = { ...base, flopsTarget: 12e6, lambda: 0, epochs: CFG.evalEpochs, warmupFraction: 0.99, validFraction: CFG.heldOut, weightLr: CFG.evalLr };
  let t0 = performance.now();
  const evalRun = new NssSearchRun(train, evalOpts);
  const curve: Array<{ step: number; trainLoss: number }> = [];
  let lossAcc = 0;
  while (!evalRun.done) {
    const r = evalRun.runStep();
    lossAcc += r.trainLoss;
    if (evalRun.step % 25 === 0 || evalRun.done) {
      curve.push({ step: evalRun.step, trainLoss: lossAcc / (evalRun.step - (curve.at(-1)?.step ?? 0)) });
      lossAcc = 0;
      console.log(`evaluation supernet step ${evalRun.step}/${evalRun.totalSteps}: train loss ${curve.at(-1)?.trainLoss.toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
  const evalSeconds = (performance.now() - t0) / 1000;
  console.log(`evaluation supernet: ${evalRun.totalSteps} steps in ${evalSeconds.toFixed(0)} s`);

  // 2. Elite Spaces for the targets
  const searches: EliteSearch[] = [];
  for (const target of CFG.targets) {
    if (CFG.searchEpochs <= 0) searches.push(flopsOnlyElite(s, target, CFG.seed));
    else {
      t0 = performance.now();
      const run = new NssSearchRun(train, { ...base, flopsTarget: target, lambda: 1, epochs: CFG.searchEpochs, warmupFraction: 1 / 3 });
      await run.run();
      const r = run.result();
      run.dispose();
      searches.push({
        target, space: r.elite.elite.space, description: formatSpace(r.elite.elite.space), meanFlops: r.elite.elite.meanFlops, deviation: r.elite.elite.deviation,
        seconds: (performance.now() - t0) / 1000, procedure: `full NSS search (L_task + L_FLOPs), ${CFG.searchEpochs} epochs, ${r.steps} steps at batch ${CFG.batch}`,
      });
    }
    const se = searches.at(-1) as EliteSearch;
    console.log(`Elite Space @ ${target / 1e6} MF: ${se.description} (mean ${(se.meanFlops / 1e6).toFixed(2)} MF, dev ${(100 * se.deviation).toFixed(1)} %)`);
  }

  // 3. sample from each space, evaluate on the evaluation supernet (BN recalibrated per architecture)
  const streams = trainValidStreams(train, { validFraction: CFG.heldOut, seed: CFG.seed, batchSize: CFG.batch });
  const recal: Array<{ x: Float32Array; shape: [number, number, number, number] }> = [];
  for (const b of streams.train.epoch(1000)) {
    if (recal.length >= CFG.recalBatches) break;
    recal.push({ x: b.x.slice(), shape: [...b.shape] as [number, number, number, number] });
  }
  const testStream = new BatchStream(test, { indices: Uint32Array.from({ length: test.count }, (_, i) => i), batchSize: 200, seed: 0, stats: streams.stats, shuffle: false });
  const rng = Rng.fromSeed(CFG.seed + 11);
  t0 = performance.now();
  const evalSpace = async (sp: NetworkSpace): Promise<Point[]> => {
    const archs: NssArch[] = Array.from({ length: CFG.archs }, () => sampleArch(sp, rng));
    return (await evaluateArchs(evalRun.net, archs, () => recal, testStream)).map((e) => ({ depths: e.arch.depths, widths: e.arch.widths, flops: e.flops, accuracy: e.accuracy, error: 1 - e.accuracy }));
  };
  const series: Array<{ label: string; space: string; points: Point[] }> = [{ label: 'Expanded Search Space', space: formatSpace(wholeSpace(s)), points: await evalSpace(wholeSpace(s)) }];
  for (const se of searches) series.push({ label: `Elite Space @ ${se.target / 1e6} MF`, space: se.description, points: await evalSpace(se.space) });
  const evalArchSeconds = (performance.now() - t0) / 1000;
  evalRun.dispose();
  for (const x of series) console.log(`${x.label.padEnd(24)} ${x.points.map((p) => `${(p.flops / 1e6).toFixed(1)}MF/${(100 * p.error).toFixed(0)}%`).join(' ')}`);

  // 4. stand-alone retraining (SHORT schedule) of a few architectures spanning the supernet accuracies
  const pool = series.flatMap((x) => x.points.map((p) => ({ ...p, from: x.label }))).sort((a, b) => a.accuracy - b.accuracy);
  const picks = Array.from(new Set(Array.from({ length: Math.min(CFG.standalone, pool.length) }, (_, k) => Math.round((k * (pool.length - 1)) / Math.max(1, CFG.standalone - 1))))).map((i) => pool[i]);
  const all = trainValidStreams(train, { validFraction: 0, seed: CFG.seed, batchSize: CFG.batch });
  const allTest = new BatchStream(test, { indices: Uint32Array.from({ length: test.count }, (_, i) => i), batchSize: 200, seed: 0, stats: all.stats, shuffle: false });
  const standalone: Array<{ depths: number[]; widths: number[]; flops: number; from: string; supernetAccuracy: number; standaloneAccuracy: number; steps: number; seconds: number }> = [];
  for (const p of picks) {
    t0 = performance.now();
    const net = new NssSupernet(s, CFG.seed + 100);
    net.set({ depths: p.depths, widths: p.widths });
    const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
    const schedule = { baseLr: CFG.standaloneLr, minLr: 0, totalSteps: CFG.standaloneSteps, warmupSteps: 0 };
    let step = 0;
    for (let epoch = 0; step < CFG.standaloneSteps; epoch++) {
      for (const batch of all.train.epoch(epoch)) {
        if (step >= CFG.standaloneSteps) break;
        sgd.step(batch, learningRate(step, schedule), 0);
        step++;
      }
    }
    const r = await evaluate(net, allTest);
    sgd.dispose();
    net.dispose();
    standalone.push({ depths: p.depths, widths: p.widths, flops: p.flops, from: p.from, supernetAccuracy: p.accuracy, standaloneAccuracy: r.accuracy, steps: step, seconds: (performance.now() - t0) / 1000 });
    console.log(`stand-alone d${p.depths.join(',')} w${p.widths.join(',')} (${(p.flops / 1e6).toFixed(1)} MF): supernet ${(100 * p.accuracy).toFixed(1)} %, stand-alone ${(100 * r.accuracy).toFixed(1)} % (${step} steps, ${standalone.at(-1)?.seconds.toFixed(0)} s)`);
  }
  const tau = standalone.length >= 2 ? kendallTauB(standalone.map((x) => x.supernetAccuracy), standalone.map((x) => x.standaloneAccuracy)) : null;

  const exactMean = (sp: NetworkSpace): number => new SpaceFlops(s, sp).mean;
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const imagesSeen = evalRun.totalSteps * CFG.batch;
  const body = {
    benchmark: 'NSS Fig. 3 analogue: error vs FLOPs of architectures sampled from Elite Spaces and from the Expanded Search Space, errors from a separately trained evaluation supernet',
    honesty:
      `SHORTENED and on a SUBSET: small preset (d_max 4, w_max 32; not the paper's d_max 16, w_max 512), the CIFAR-10 subset (${train.count} train images, ${test.count} test images), ` +
      `evaluation supernet ${CFG.evalEpochs} epoch(s) = ${evalRun.totalSteps} steps at batch ${CFG.batch} (${imagesSeen} images seen, all warm-up: weights only, uniform sampling, all-channels/all-blocks probability annealed 1 -> 0), ` +
      `errors are supernet estimates (BN recalibrated on ${recal.length} batches) on ${test.count} test images (one image = ${(100 / test.count).toFixed(2)} points of error), not stand-alone training; ` +
      `Elite Spaces: ${searches[0].procedure}; stand-alone check: ${standalone.length} architectures, ${CFG.standaloneSteps} SGD steps each (${CFG.standaloneSteps * CFG.batch} images, lr ${CFG.standaloneLr} cosine, no augmentation). ` +
      'The paper trains its evaluation supernet and searches on all of CIFAR-10 for 50 epochs and the found networks for 200.',
    backend,
    paperReference:
      'Fig. 3 (CIFAR-10): architectures sampled from Elite Spaces found for several FLOPs targets cluster at their targets and lie on or near the error/FLOPs front of the Expanded Search Space samples (accuracies from a separately trained supernet); Table 1: 5 vs 43.2 samples to meet +-10 %',
    searches: searches.map((x) => ({ ...x, exactMeanFlops: exactMean(x.space) })),
    evaluationSupernet: { epochs: CFG.evalEpochs, steps: evalRun.totalSteps, batch: CFG.batch, lr: CFG.evalLr, imagesSeen, trainImages: streams.split.train.length, seconds: evalSeconds, curve },
    series: series.map((x) => ({ ...x, front: front(x.points), meanError: mean(x.points.map((p) => p.error)), minError: Math.min(...x.points.map((p) => p.error)) })),
    combinedFront: front(series.flatMap((x) => x.points.map((p) => ({ ...p, from: x.label } as Point & { from: string })))),
    chanceError: 0.9,
    evalArchSeconds,
    standalone: { schedule: `${CFG.standaloneSteps} steps at batch ${CFG.batch}, SGD lr ${CFG.standaloneLr} cosine, momentum 0.9 nesterov, wd 5e-4, on ${train.count} images; SHORTENED`, archs: standalone, kendallTauB: tau },
    totalSeconds: (performance.now() - tStart) / 1000,
  };
  const dir = path.join(__dirname, '..', '..', '..', 'benchmarks', 'results');
  prov.writeResultJson(path.join(dir, 'nss-fig3.json'), body);
  fs.writeFileSync(path.join(dir, 'nss-fig3.svg'), svg(series, CFG.targets, standalone, body.honesty));
  for (const x of body.series) console.log(`${x.label.padEnd(24)} mean error ${(100 * x.meanError).toFixed(1)} %, best ${(100 * x.minError).toFixed(1)} %`);
  console.log(`combined front: ${body.combinedFront.map((p) => `${(p.flops / 1e6).toFixed(1)}MF/${(100 * p.error).toFixed(1)}% (${(p as Point & { from: string }).from})`).join(', ')}`);
  console.log(`stand-alone vs supernet Kendall tau-b over ${standalone.length}: ${tau === null ? 'n/a' : tau.toFixed(2)}; total ${body.totalSeconds.toFixed(0)} s`);
  console.log('wrote benchmarks/results/nss-fig3.{json,svg}');
}

const COLORS = ['#999999', '#1f77b4', '#2ca02c', '#d62728', '#9467bd'];

function svg(series: Array<{ label: string; points: Point[] }>, targets: number[], standalone: Array<{ flops: number; standaloneAccuracy: number }>, note: string): string {
  const [W, H, L, B, pw, ph] = [820, 540, 70, 440, 700, 380];
  const all = [...series.flatMap((s) => s.points), ...standalone.map((p) => ({ flops: p.flops, error: 1 - p.standaloneAccuracy }))];
  const lx = Math.log10;
  const [x0, x1] = [Math.min(...all.map((p) => lx(p.flops))) - 0.05, Math.max(...all.map((p) => lx(p.flops))) + 0.05];
  const [y0, y1] = [Math.max(0, Math.min(...all.map((p) => p.error)) - 0.02), Math.min(1, Math.max(0.92, ...all.map((p) => p.error)) + 0.02)];
  const X = (v: number): number => L + ((lx(v) - x0) / (x1 - x0)) * pw;
  const Y = (v: number): number => B - ((v - y0) / (y1 - y0 || 1)) * ph;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${L}" y="24" font-size="14">NSS Fig. 3 analogue (small preset, CIFAR-10 subset; evaluation-supernet errors; SHORTENED)</text>`);
  parts.push(`<rect x="${L}" y="${B - ph}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<line x1="${L}" x2="${L + pw}" y1="${Y(0.9).toFixed(1)}" y2="${Y(0.9).toFixed(1)}" stroke="#bbb" stroke-dasharray="2 2"/><text x="${L + pw - 70}" y="${Y(0.9) - 4}" fill="#888">chance 90 %</text>`);
  targets.forEach((t, i) => parts.push(`<line x1="${X(t).toFixed(1)}" x2="${X(t).toFixed(1)}" y1="${B - ph}" y2="${B}" stroke="${COLORS[i + 1]}" stroke-dasharray="4 3"/>`));
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    for (const p of s.points) parts.push(`<circle cx="${X(p.flops).toFixed(1)}" cy="${Y(p.error).toFixed(1)}" r="4" fill="${c}" opacity="0.8"/>`);
    const f = front(s.points);
    if (f.length > 1) parts.push(`<polyline fill="none" stroke="${c}" points="${f.map((p) => `${X(p.flops).toFixed(1)},${Y(p.error).toFixed(1)}`).join(' ')}"/>`);
    parts.push(`<circle cx="${L + 10}" cy="${B - ph + 14 + 16 * i}" r="4" fill="${c}"/><text x="${L + 20}" y="${B - ph + 18 + 16 * i}">${s.label}</text>`);
  });
  for (const p of standalone) parts.push(`<rect x="${(X(p.flops) - 4).toFixed(1)}" y="${(Y(1 - p.standaloneAccuracy) - 4).toFixed(1)}" width="8" height="8" fill="none" stroke="#000"/>`);
  const k = series.length;
  parts.push(`<rect x="${L + 6}" y="${B - ph + 6 + 16 * k}" width="8" height="8" fill="none" stroke="#000"/><text x="${L + 20}" y="${B - ph + 18 + 16 * k}">stand-alone (short schedule)</text>`);
  for (let e = Math.ceil(x0 * 2) / 2; e <= x1; e += 0.5) parts.push(`<text x="${X(10 ** e) - 14}" y="${B + 16}">${(10 ** e / 1e6).toPrecision(2)}M</text>`);
  for (let q = 0; q <= 4; q++) {
    const v = y0 + ((y1 - y0) * q) / 4;
    parts.push(`<text x="${L - 40}" y="${Y(v) + 4}">${(100 * v).toFixed(0)}%</text>`);
  }
  parts.push(`<text x="${L + pw / 2 - 60}" y="${B + 36}">FLOPs (multiply-adds, log)</text><text x="14" y="${B - ph / 2}" transform="rotate(-90 14 ${B - ph / 2})">test error</text>`);
  parts.push(`<text x="${L}" y="${B + 56}" font-size="11">Dashed: the FLOPs targets. Lines: each series' front. Squares: the same architectures trained stand-alone (short).</text>`);
  const words = note.split(' ');
  let line = '';
  let yy = B + 72;
  for (const w of words) {
    if ((line + w).length > 140) {
      parts.push(`<text x="${L}" y="${yy}" font-size="10" fill="#555">${line.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
      yy += 12;
      line = '';
    }
    line += `${w} `;
  }
  parts.push(`<text x="${L}" y="${yy}" font-size="10" fill="#555">${line.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
  parts.push('</svg>');
  return parts.join('\n').replace(`height="${H}"`, `height="${Math.max(H, yy + 10)}"`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
