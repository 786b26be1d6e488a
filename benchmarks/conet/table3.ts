/**
 * CONet Table 3 analogue and Fig. 5 analogue, through the `conet` job's own trainer task (run in-process): the ResNet
 * preset on the first images of the bundled CIFAR-10 subset, a δ sweep (one CONet search per δ, each final
 * configuration retrained from scratch and tested), against (a) the starting channel sizes and (b) a uniform width
 * multiplier at the params of each CONet result, both retrained with the same schedule, data, seed and streams.
 * Prints and writes params, FLOPs and test accuracy per configuration, and the channel size of every group over the
 * trials of every δ (Fig. 5 analogue); two SVGs beside the JSON.
 *
 *   node dist/benchmarks/conet/table3.js          (npm run bench:conet-table3)
 *
 * Env: BENCH_IMAGES (512 training images), BENCH_TEST_IMAGES (500), BENCH_BATCH (32), BENCH_EPOCHS (2 per trial),
 *      BENCH_TRIALS (4), BENCH_DELTAS ("0.002,0.0075,0.03"), BENCH_WIDTHS ("8,16,32"), BENCH_BLOCKS ("1,1,1"),
 *      BENCH_RETRAIN_EPOCHS (4), BENCH_RETRAIN_SEEDS (3), BENCH_WEIGHTS (restart | transplant), BENCH_LR (0.05),
 *      BENCH_SEED (1), BENCH_OUT (benchmarks/results/conet-table3.json).
 * Noise: every configuration of the table (start, each CONet result, each uniform baseline) is retrained with
 * BENCH_RETRAIN_SEEDS seeds (seed s = BENCH_SEED + k sets both the initialisation and the data order); each row has
 * the mean and sample standard deviation of its test accuracy, the JSON the pooled within-configuration standard
 * deviation (the seed noise of one retrain) and, per δ, CONet minus uniform with its standard error.
 * Scale: a PROXY — hundreds of images, a few epochs per trial and per retrain, instead of the paper's full CIFAR-10,
 * 20 epochs x 25 trials and full retraining.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, loadConfig } from '../../src/config/config';
import { firstImages, loadDatasetRef } from '../../src/datasets/dataset-ref';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { ConetResult, conetTask } from '../../src/methods/conet/training/conet.task';
import type { ConetTaskInput } from '../../src/methods/conet/training/input';
import { resolveNetwork } from '../../src/methods/conet/training/network';
import { retrainAndTest, uniformSizesAtParams } from '../../src/methods/conet/training/retrain';
import { selectBackend } from '../../src/trainer/engine/backend';
import { checkpointFileName, writeFileAtomic } from '../../src/trainer/checkpoint-file';
import type { TaskContext } from '../../src/trainer/tasks/task';
import { RunProvenance } from '../common/provenance';

const ENV_KEYS = ['BENCH_IMAGES', 'BENCH_TEST_IMAGES', 'BENCH_BATCH', 'BENCH_EPOCHS', 'BENCH_TRIALS', 'BENCH_DELTAS', 'BENCH_WIDTHS', 'BENCH_BLOCKS', 'BENCH_RETRAIN_EPOCHS', 'BENCH_RETRAIN_SEEDS', 'BENCH_WEIGHTS', 'BENCH_LR', 'BENCH_SEED', 'BENCH_OUT'];
const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const IMAGES = Number(env('BENCH_IMAGES', '512'));
const TEST_IMAGES = Number(env('BENCH_TEST_IMAGES', '500'));
const BATCH = Number(env('BENCH_BATCH', '32'));
const EPOCHS = Number(env('BENCH_EPOCHS', '2'));
const TRIALS = Number(env('BENCH_TRIALS', '4'));
const DELTAS = env('BENCH_DELTAS', '0.002,0.0075,0.03').split(',').map(Number);
const WIDTHS = env('BENCH_WIDTHS', '8,16,32').split(',').map(Number) as [number, number, number];
const BLOCKS = env('BENCH_BLOCKS', '1,1,1').split(',').map(Number) as [number, number, number];
const RETRAIN_EPOCHS = Number(env('BENCH_RETRAIN_EPOCHS', '4'));
const RETRAIN_SEEDS = Number(env('BENCH_RETRAIN_SEEDS', '3'));
const WEIGHTS = env('BENCH_WEIGHTS', 'restart') as 'restart' | 'transplant';
const LR = Number(env('BENCH_LR', '0.05'));
const SEED = Number(env('BENCH_SEED', '1'));
const OUT = env('BENCH_OUT', path.join(REPO_ROOT, 'benchmarks', 'results', 'conet-table3.json'));

interface Row {
  config: string;
  delta: number | null;
  sizes: Record<string, number>;
  params: number;
  flops: number;
  /** mean over the retrain seeds */
  testAccuracy: number;
  /** sample standard deviation over the retrain seeds (null with one seed) */
  testAccuracyStd: number | null;
  /** one per retrain seed */
  testAccuracies: number[];
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sampleStd = (v: readonly number[]): number | null => (v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1)) : null);

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Fig. 5 analogue: one panel per δ, channel size of every group over trials (last point = sizes after the last decision). */
function fig5Svg(r: ConetResult, note: string): string {
  const pw = 300;
  const ph = 220;
  const W = 40 + r.runs.length * (pw + 50) + 160;
  const H = 330;
  const p: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`];
  p.push(`<text x="20" y="20" font-size="14">CONet channel size per group over trials, ResNet preset, per delta (Fig. 5 analogue, PROXY scale)</text>`);
  p.push(`<text x="20" y="36">${esc(note)}</text>`);
  const max = Math.max(...r.runs.flatMap((run) => [...run.trials.flatMap((t) => Object.values(t.channels)), ...Object.values(run.finalSizes)])) * 1.1;
  r.runs.forEach((run, k) => {
    const x0 = 50 + k * (pw + 50);
    const y0 = 60 + ph;
    const series = r.groups.map((g) => [...run.trials.map((t) => t.channels[String(g.group)]), run.finalSizes[String(g.group)]]);
    const n = series[0].length;
    const X = (i: number): number => x0 + (n > 1 ? (i * pw) / (n - 1) : 0);
    const Y = (c: number): number => y0 - (c * ph) / max;
    p.push(`<text x="${x0}" y="${y0 - ph - 6}" font-size="12">delta = ${run.delta} (${run.stopReason})</text>`);
    p.push(`<line x1="${x0}" y1="${y0}" x2="${x0 + pw}" y2="${y0}" stroke="#000"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 - ph}" stroke="#000"/>`);
    for (let i = 0; i < n; i++) p.push(`<text x="${X(i) - 3}" y="${y0 + 14}">${i}</text>`);
    p.push(`<text x="${x0 + pw / 2 - 20}" y="${y0 + 28}">trial</text>`);
    for (let q = 0; q <= 4; q++) p.push(`<text x="${x0 - 30}" y="${Y((max * q) / 4) + 4}">${Math.round((max * q) / 4)}</text>`);
    series.forEach((s, gi) => p.push(`<polyline fill="none" stroke="${COLORS[gi % COLORS.length]}" stroke-width="2" points="${s.map((c, i) => `${X(i).toFixed(1)},${Y(c).toFixed(1)}`).join(' ')}"/>`));
  });
  const lx = 50 + r.runs.length * (pw + 50);
  r.groups.forEach((g, gi) => p.push(`<text x="${lx}" y="${70 + gi * 15}" fill="${COLORS[gi % COLORS.length]}">group ${g.group}: ${esc(g.nodes.slice(0, 3).join('+'))}${g.nodes.length > 3 ? '+...' : ''}</text>`));
  p.push('</svg>');
  return p.join('\n');
}

/** Table 3 analogue: params vs retrained test accuracy of every configuration. */
function table3Svg(rows: Row[], note: string): string {
  const W = 760;
  const H = 440;
  const x0 = 70;
  const y0 = 380;
  const pw = 500;
  const ph = 320;
  const xs = rows.map((r) => r.params);
  const ys = rows.flatMap((r) => [r.testAccuracy - (r.testAccuracyStd ?? 0), r.testAccuracy + (r.testAccuracyStd ?? 0)].map((v) => v * 100));
  const [xmin, xmax] = [Math.min(...xs) * 0.9, Math.max(...xs) * 1.05];
  const [ymin, ymax] = [Math.max(0, Math.min(...ys) - 3), Math.min(100, Math.max(...ys) + 3)];
  const X = (v: number): number => x0 + ((v - xmin) / (xmax - xmin || 1)) * pw;
  const Y = (v: number): number => y0 - ((v - ymin) / (ymax - ymin || 1)) * ph;
  const p: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`];
  p.push(`<text x="20" y="20" font-size="14">CONet vs start sizes vs uniform width at equal params: params vs test accuracy (Table 3 analogue, PROXY)</text>`);
  p.push(`<text x="20" y="36">${esc(note)}</text>`);
  p.push(`<line x1="${x0}" y1="${y0}" x2="${x0 + pw}" y2="${y0}" stroke="#000"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 - ph}" stroke="#000"/>`);
  for (let q = 0; q <= 4; q++) {
    const xv = xmin + ((xmax - xmin) * q) / 4;
    const yv = ymin + ((ymax - ymin) * q) / 4;
    p.push(`<text x="${X(xv) - 15}" y="${y0 + 15}">${Math.round(xv)}</text><text x="${x0 - 40}" y="${Y(yv) + 4}">${yv.toFixed(1)}</text>`);
  }
  p.push(`<text x="${x0 + pw / 2 - 20}" y="${y0 + 32}">params</text><text x="10" y="${y0 - ph / 2}" transform="rotate(-90 14 ${y0 - ph / 2})">test accuracy (%)</text>`);
  rows.forEach((r) => {
    const color = r.config.startsWith('conet') ? '#d62728' : r.config.startsWith('uniform') ? '#1f77b4' : '#000';
    const shape = r.config.startsWith('uniform') ? `<rect x="${X(r.params) - 4}" y="${Y(r.testAccuracy * 100) - 4}" width="8" height="8" fill="${color}"/>` : `<circle cx="${X(r.params)}" cy="${Y(r.testAccuracy * 100)}" r="5" fill="${color}"/>`;
    if (r.testAccuracyStd !== null) {
      const [lo, hi] = [Y((r.testAccuracy - r.testAccuracyStd) * 100), Y((r.testAccuracy + r.testAccuracyStd) * 100)];
      p.push(`<line x1="${X(r.params)}" x2="${X(r.params)}" y1="${lo.toFixed(1)}" y2="${hi.toFixed(1)}" stroke="${color}"/>`);
    }
    p.push(shape, `<text x="${X(r.params) + 7}" y="${Y(r.testAccuracy * 100) - 6}" fill="${color}">${esc(r.config)}</text>`);
  });
  p.push('</svg>');
  return p.join('\n');
}

function taskContext(input: unknown, dir: string, onProgress: (m: string) => void): TaskContext {
  return {
    taskId: 'bench',
    input,
    resumeFrom: null,
    checkpointDir: dir,
    signal: new AbortController().signal,
    progress: (p) => onProgress(p.message),
    async writeCheckpoint(data, step) {
      const file = path.join(dir, checkpointFileName(step));
      await writeFileAtomic(file, data);
      return file;
    },
    boundary: () => new Promise((r) => setImmediate(r)),
  };
}

async function main(): Promise<void> {
  const prov = new RunProvenance('benchmarks/conet/table3.ts', ENV_KEYS, { IMAGES, TEST_IMAGES, BATCH, EPOCHS, TRIALS, DELTAS, WIDTHS, BLOCKS, RETRAIN_EPOCHS, RETRAIN_SEEDS, WEIGHTS, LR, SEED });
  process.env.TRAINER_BACKEND ??= 'wasm';
  const backend = await selectBackend({ force: 'wasm' });
  const dataDir = loadConfig().dataDir;
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conet-table3-'));
  const network = { kind: 'resnet' as const, blocksPerStage: BLOCKS, stageChannels: WIDTHS };
  const input: ConetTaskInput = {
    network,
    dataset: { kind: 'builtin', name: 'cifar10-subset', dataDir },
    deltas: DELTAS,
    epochsPerTrial: EPOCHS,
    maxTrials: TRIALS,
    batchSize: BATCH,
    seed: SEED,
    lr: LR,
    maxTrainImages: IMAGES,
    maxTestImages: TEST_IMAGES,
    retrain: true,
    retrainEpochs: RETRAIN_EPOCHS,
    weights: WEIGHTS,
    exportModel: null,
  };
  const result = await conetTask.run(taskContext(input, dir, (m) => process.stdout.write(`  ${m}\n`)));
  fs.rmSync(dir, { recursive: true, force: true });
  const conetSeconds = (Date.now() - t0) / 1000;

  // the baselines on the very streams the task used (same construction, seed, schedule)
  const ds = loadDatasetRef(input.dataset);
  const train = firstImages(ds.train, IMAGES);
  const idx = Uint32Array.from({ length: train.count }, (_, i) => i);
  const stats = channelStats(train, idx);
  const test = firstImages(ds.test, TEST_IMAGES);
  const testStream = new BatchStream(test, { indices: Uint32Array.from({ length: test.count }, (_, i) => i), batchSize: 256, seed: SEED, stats, shuffle: false });
  const net = resolveNetwork(network, [train.height, train.width, train.channels], ds.numClasses);
  const rec = (m: ReadonlyMap<number, number>): Record<string, number> => Object.fromEntries([...m].map(([g, c]) => [String(g), c]));
  /** test accuracy of `sizes` retrained with each seed (seed k: initialisation and data order) */
  const retrainSeeds = async (sizes: ReadonlyMap<number, number>, label: string): Promise<number[]> => {
    const accs: number[] = [];
    for (let k = 0; k < RETRAIN_SEEDS; k++) {
      const seed = SEED + k;
      const trainStream = new BatchStream(train, { indices: idx, batchSize: BATCH, seed, stats, augment: { cropPadding: 4, horizontalFlip: true } });
      const r = await retrainAndTest(net.spec, sizes, trainStream, testStream, { epochs: RETRAIN_EPOCHS, lr: LR, momentum: 0.9, weightDecay: 5e-4, seed });
      accs.push(r.testAccuracy);
      process.stdout.write(`  retrain ${label} seed ${seed}: ${(100 * r.testAccuracy).toFixed(1)} %\n`);
    }
    return accs;
  };
  const row = async (config: string, delta: number | null, sizes: ReadonlyMap<number, number>): Promise<Row> => {
    const accs = await retrainSeeds(sizes, config);
    return { config, delta, sizes: rec(sizes), ...net.cost(sizes), testAccuracy: mean(accs), testAccuracyStd: sampleStd(accs), testAccuracies: accs };
  };
  const rows: Row[] = [await row(`start ${WIDTHS.join('/')}`, null, net.spec.initialSizes)];
  const vsUniform: Array<{ delta: number; conetMinusUniform: number; standardError: number | null }> = [];
  for (const run of result.runs) {
    const c = await row(`conet delta=${run.delta}`, run.delta, new Map(Object.entries(run.finalSizes).map(([g, v]) => [Number(g), v])));
    const u = uniformSizesAtParams(net.spec, run.params);
    const uRow = await row(`uniform x${u.multiplier.toFixed(3)} (=conet ${run.delta})`, run.delta, u.sizes);
    rows.push(c, uRow);
    const se = c.testAccuracyStd !== null && uRow.testAccuracyStd !== null ? Math.sqrt((c.testAccuracyStd ** 2 + uRow.testAccuracyStd ** 2) / RETRAIN_SEEDS) : null;
    vsUniform.push({ delta: run.delta, conetMinusUniform: c.testAccuracy - uRow.testAccuracy, standardError: se });
  }
  // pooled within-configuration standard deviation: the seed noise of one retrain's test accuracy
  const withStd = rows.filter((r) => r.testAccuracyStd !== null);
  const pooledStd = withStd.length ? Math.sqrt(mean(withStd.map((r) => r.testAccuracyStd! ** 2))) : null;
  const seconds = (Date.now() - t0) / 1000;
  const note = `${train.count} train / ${test.count} test images of the CIFAR-10 subset, batch ${BATCH}, ${EPOCHS} epochs/trial, <= ${TRIALS} trials (weights ${WEIGHTS}), retrain ${RETRAIN_EPOCHS} epochs x ${RETRAIN_SEEDS} seeds, ResNet blocks ${BLOCKS.join('/')} widths ${WIDTHS.join('/')}, seed ${SEED}`;
  const pct = (v: number | null): string => (v === null ? '-' : (100 * v).toFixed(1));
  process.stdout.write(`\nconfig | params | FLOPs (MACs) | test acc (mean +- std over ${RETRAIN_SEEDS} seeds)\n`);
  for (const r of rows) process.stdout.write(`${r.config} | ${r.params} | ${r.flops} | ${pct(r.testAccuracy)} +- ${pct(r.testAccuracyStd)} %\n`);
  process.stdout.write(`seed noise (pooled std of one retrain): ${pct(pooledStd)} points\n`);
  for (const v of vsUniform) process.stdout.write(`delta ${v.delta}: conet - uniform = ${pct(v.conetMinusUniform)} +- ${pct(v.standardError)} points (standard error)\n`);
  const trialSeconds = result.runs.flatMap((r) => r.trials.map((t) => t.seconds.train + t.seconds.measure));
  const out = prov.writeResultJson(OUT, {
    benchmark: 'conet-table3',
    scale: `PROXY: ${note}; the paper: full CIFAR-10, 20 epochs x 25 trials, full retraining (ResNet-34 etc.)`,
    backend: backend.name,
    seconds,
    conetSeconds,
    meanTrialSeconds: trialSeconds.reduce((a, b) => a + b, 0) / Math.max(1, trialSeconds.length),
    groups: result.groups,
    table: rows,
    noise: {
      retrainSeeds: RETRAIN_SEEDS,
      pooledStdOfOneRetrain: pooledStd,
      vsUniform,
      note: 'test accuracy of each configuration retrained with seeds BENCH_SEED.. (initialisation and data order); pooled std = sqrt(mean of the per-configuration variances); conet - uniform standard error = sqrt((sd_c^2 + sd_u^2) / seeds)',
    },
    fig5: result.runs.map((r) => ({ delta: r.delta, stopReason: r.stopReason, channels: [...r.trials.map((t) => t.channels), r.finalSizes], params: [...r.trials.map((t) => t.params), r.params] })),
    conet: { runs: result.runs, curve: result.curve, evidence: result.evidence, notes: result.notes },
  });
  const [table3Path, fig5Path] = [out.replace(/\.json$/, '.svg'), out.replace(/\.json$/, '-fig5.svg')];
  fs.writeFileSync(table3Path, table3Svg(rows, note));
  fs.writeFileSync(fig5Path, fig5Svg(result, note));
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, out)}, .svg and -fig5.svg (${seconds.toFixed(0)} s)\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
