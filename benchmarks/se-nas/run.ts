/**
 * SE-NAS evidence (issue #5), on the CPU (wasm backend) with a reduced configuration stated in the output:
 * - Operator-ranking check as in the paper's Fig. 6: ground-truth operator score = mean NB201 cifar10 test accuracy
 *   (200 epochs) of all archs containing the operator on that edge; after each shrinking stage, how many of the top
 *   ground-truth operators (as many as survive) are among the survivors, for SE-NAS scores vs SI alone vs random.
 * - Kendall tau-b of SPOS vs SE-NAS supernet accuracy against NB201 cifar10 ground truth, per seed.
 * Each run is a separate process (the trainer task in-process), two at a time.
 * Usage: npm run build && npm run bench:se-nas   (env SEEDS, EPOCHS_PER_STAGE, C, N, SAMPLES, VALID_FRACTION, PAR
 * override the defaults; VARIANTS=spos,se-nas,si,random picks variants; OUT names the result files, default se-nas).
 * Writes benchmarks/results/<OUT>.json (starting with the provenance block, benchmarks/common/provenance.ts) and
 * benchmarks/results/<OUT>.svg.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { NB201_OPS } from '../../src/benchmarks/nb201/types';
import { loadConfig } from '../../src/config/config';
import { checkpointFileName, writeFileAtomic } from '../../src/trainer/checkpoint-file';
import type { OneShotInput } from '../../src/methods/se-nas/training/input';
import type { TaskContext } from '../../src/trainer/tasks/task';
import { OneShotResult, nb201OneShot } from '../../src/methods/se-nas/training/nb201-one-shot.task';
import { RunProvenance } from '../common/provenance';
import { writeSvg } from './svg';

type Variant = { method: 'spos' | 'se-nas'; scoring: 'se-nas' | 'si' | 'random' };
const ALL_VARIANTS: Variant[] = [
  { method: 'spos', scoring: 'se-nas' },
  { method: 'se-nas', scoring: 'se-nas' },
  { method: 'se-nas', scoring: 'si' },
  { method: 'se-nas', scoring: 'random' },
];
const variantKey = (v: Variant): string => (v.method === 'spos' ? 'spos' : v.scoring);
const VARIANTS = ALL_VARIANTS.filter((v) => (process.env.VARIANTS ?? 'spos,se-nas,si,random').split(',').includes(variantKey(v)));
const OUT = process.env.OUT ?? 'se-nas';
const label = (v: Variant): string => (v.method === 'spos' ? 'SPOS' : v.scoring === 'se-nas' ? 'SE-NAS' : v.scoring === 'si' ? 'SE-NAS, SI alone' : 'SE-NAS, random scores');

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const dataDir = loadConfig().dataDir;
const CONFIG = {
  C: env('C', 4), N: env('N', 1), epochsPerStage: env('EPOCHS_PER_STAGE', 2), stages: 2, k: 10, T: 9, batchSize: 64, lr: 0.05,
  samplesPerStage: env('SAMPLES', 60), snapshots: 3, evalImages: 1000, recalBatches: 2, correlationSample: 50, validFraction: env('VALID_FRACTION', 0.1),
  maxEnumerate: 64, searchQueries: 60,
};

async function one(v: Variant, seed: number): Promise<OneShotResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'se-nas-bench-'));
  const input: Partial<OneShotInput> = { ...CONFIG, method: v.method, scoring: v.scoring, seed, dataset: { kind: 'builtin', name: 'cifar10-subset', dataDir }, benchmarkDir: dataDir };
  const ctx: TaskContext = {
    taskId: 'bench', input, resumeFrom: null, checkpointDir: dir, signal: new AbortController().signal, progress: () => undefined,
    async writeCheckpoint(data, step) {
      const f = path.join(dir, checkpointFileName(step));
      await writeFileAtomic(f, data);
      return f;
    },
    boundary: () => new Promise((r) => setImmediate(r)),
  };
  try {
    return await nb201OneShot.run(ctx);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(v: Variant, seed: number): Promise<OneShotResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [__filename, '--one', JSON.stringify({ v, seed })], { maxBuffer: 256 << 20, env: { ...process.env, TRAINER_BACKEND: 'wasm' } }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${label(v)} seed ${seed}: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as OneShotResult);
    });
  });
}

/** Ground-truth operator scores: mean cifar10 test accuracy (200 epochs) of every arch using op o on edge e. */
function groundTruthOperatorScores(): number[][] {
  const t = loadNb201Table(dataDir);
  const sum = Array.from({ length: 6 }, () => new Array<number>(NB201_OPS.length).fill(0));
  const cnt = Array.from({ length: 6 }, () => new Array<number>(NB201_OPS.length).fill(0));
  for (let i = 0; i < t.size; i++) {
    const acc = t.accuracy(i, 'cifar10', 'test', 200);
    t.ops(i).forEach((o, e) => {
      sum[e][o] += acc;
      cnt[e][o]++;
    });
  }
  return sum.map((row, e) => row.map((s, o) => s / cnt[e][o]));
}

/** Of the top-m ground-truth operators (m = survivors), how many survived. */
function topSurvivors(gt: number[][], space: number[][]): { survivors: number; topKept: number } {
  const m = space.flat().length;
  const ranked = gt.flatMap((row, e) => row.map((s, o) => ({ e, o, s }))).sort((a, b) => b.s - a.s).slice(0, m);
  return { survivors: m, topKept: ranked.filter((r) => space[r.e].includes(r.o)).length };
}

const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
const std = (a: number[]): number => Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)));

async function main(): Promise<void> {
  const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
  const par = env('PAR', 2);
  const prov = new RunProvenance('dist/benchmarks/se-nas/run.js', ['SEEDS', 'EPOCHS_PER_STAGE', 'C', 'N', 'SAMPLES', 'VALID_FRACTION', 'PAR', 'VARIANTS', 'OUT'], {
    ...CONFIG,
    seeds,
    parallelRuns: par,
    variants: VARIANTS,
    dataDir,
    out: OUT,
  });
  const jobs = seeds.flatMap((seed) => VARIANTS.map((v) => ({ v, seed })));
  const results: Array<{ v: Variant; seed: number; r: OneShotResult; seconds: number }> = [];
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: par }, async () => {
      while (next < jobs.length) {
        const j = jobs[next++];
        const s = Date.now();
        const r = await runChild(j.v, j.seed);
        results.push({ ...j, r, seconds: (Date.now() - s) / 1000 });
        process.stdout.write(`${label(j.v)} seed ${j.seed}: ${((Date.now() - s) / 1000).toFixed(0)} s, tau(a) ${r.correlation.fullSpaceSample?.kendallTau.toFixed(3)}, arch test ${r.benchmarkRecord?.cifar10Test200.toFixed(2)}\n`);
      }
    }),
  );
  const gt = groundTruthOperatorScores();
  const rows = VARIANTS.map((v) => {
    const rs = results.filter((x) => variantKey(x.v) === variantKey(v)).sort((a, b) => a.seed - b.seed);
    const perSeed = rs.map(({ seed, r, seconds }) => ({
      seed, seconds,
      tauFullSpaceSample: r.correlation.fullSpaceSample?.kendallTau ?? null,
      spearmanFullSpaceSample: r.correlation.fullSpaceSample?.spearmanRho ?? null,
      tauFinalSpace: r.correlation.finalSpace?.kendallTau ?? null,
      finalSpaceArchs: r.correlation.finalSpace?.n ?? null,
      arch: r.arch, supernetAccuracy: r.supernetAccuracy, nb201Test200: r.benchmarkRecord?.cifar10Test200 ?? null, regret: r.benchmarkRecord?.regret ?? null,
      stages: r.stages.filter((s) => s.shrunkSpace).map((s) => ({ stage: s.stage + 1, ...topSurvivors(gt, s.shrunkSpace as number[][]) })),
      lastEpochLoss: r.stages.map((s) => s.lastEpochLoss),
      imagesPerSecond: r.imagesPerSecond,
      evalImagesUsed: r.schedule.evalImages,
      trainImagesUsed: r.schedule.trainImages,
    }));
    const taus = perSeed.map((p) => p.tauFullSpaceSample).filter((x): x is number => x !== null);
    const tests = perSeed.map((p) => p.nb201Test200).filter((x): x is number => x !== null);
    const kept = [1, 2].map((stage) => perSeed.map((p) => p.stages.find((s) => s.stage === stage)?.topKept).filter((x): x is number => x !== undefined));
    return {
      variant: label(v), ...v, perSeed,
      summary: {
        tauFullSpaceSample: { mean: mean(taus), std: std(taus) },
        tauFinalSpace: perSeed.map((p) => p.tauFinalSpace),
        nb201Test200: { mean: mean(tests), std: std(tests) },
        topGroundTruthKept: v.method === 'spos' ? null : kept.map((k, i) => ({ stage: i + 1, survivors: i === 0 ? 20 : 10, mean: mean(k), values: k })),
      },
    };
  });
  const out = {
    what: 'SE-NAS / SPOS on NAS-Bench-201: operator-ranking check (Fig. 6) and Kendall tau against NB201 cifar10 ground truth',
    honesty:
      `CPU (wasm backend) run with a REDUCED configuration: CIFAR-10 subset (4,000 train images, ${CONFIG.validFraction * 100}% held out for child evaluation), ` +
      `C=${CONFIG.C}, N=${CONFIG.N}, ${CONFIG.epochsPerStage} epochs per stage (${3 * CONFIG.epochsPerStage} supernet epochs in all). The issue asks for this on the GPU ` +
      'machine with C=16 N=5; no GPU was lent to this task. Ground truth: NB201 table (cifar10 test accuracy, 200 epochs). ' +
      'Paper anchors (not reproduced here): SPOS supernet tau 0.543 vs standalone 0.853 (Table 1); SE-NAS arch 93.47% vs optimum 94.37% (Table 3).',
    config: CONFIG, seeds, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model }, wallSeconds: (Date.now() - t0) / 1000,
    groundTruthOperatorScores: gt.map((row, e) => ({ edge: e, ...Object.fromEntries(row.map((s, o) => [NB201_OPS[o], Math.round(s * 100) / 100])) })),
    variants: rows,
  };
  const dir = path.join(__dirname, '..', '..', '..', 'benchmarks', 'results');
  prov.writeResultJson(path.join(dir, `${OUT}.json`), out);
  writeSvg(path.join(dir, `${OUT}.svg`), rows.map((r) => ({ label: r.variant, tau: r.summary.tauFullSpaceSample, kept: r.summary.topGroundTruthKept })), out.honesty);
  for (const r of rows) {
    const k = r.summary.topGroundTruthKept?.map((s) => `stage ${s.stage}: ${s.mean.toFixed(1)}/${s.survivors}`).join(', ') ?? '-';
    process.stdout.write(`${r.variant.padEnd(24)} tau(a) ${r.summary.tauFullSpaceSample.mean.toFixed(3)} ± ${r.summary.tauFullSpaceSample.std.toFixed(3)}; NB201 test of searched arch ${r.summary.nb201Test200.mean.toFixed(2)} ± ${r.summary.nb201Test200.std.toFixed(2)}; top GT kept ${k}\n`);
  }
  process.stdout.write(`wrote benchmarks/results/${OUT}.json and .svg (${out.wallSeconds.toFixed(0)} s)\n`);
}

if (process.argv[2] === '--one') {
  const { v, seed } = JSON.parse(process.argv[3]) as { v: Variant; seed: number };
  one(v, seed).then((r) => process.stdout.write(JSON.stringify(r)), (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
