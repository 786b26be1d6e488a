/**
 * ScaleNet's family claim, part 2 (issue #12, evidence 4: "plus short stand-alone retraining of each member on the
 * CIFAR subset"): every member of the three families that family-claim.ts searched (ScaleNet MCEA, independent
 * per-budget NSGA-II, EfficientNet compound scaling of S0) retrained FROM SCRATCH as its own network with the job's
 * retraining code (training/retrain.ts: fresh seeded weights, SGD momentum, cosine, crop+flip), ONE shortened
 * schedule for all, scored on the CIFAR-10 subset's test split.
 * The families are READ from the committed family-claim JSON (SOURCE), not searched again: no supernet or MCEA here;
 * the output records that file's git commit and sha256. A path shared by two families (ScaleNet S0 = compound S0)
 * is trained once (same seed would give the same result) and reported under both.
 *
 *   npx tsc -p tsconfig.build.json && nice -n 19 npm run bench:scalenet-family-retrain
 * Env: SOURCE (benchmarks/results/scalenet-family-claim.json), TRAIN_IMAGES (first N training images, 600),
 * EPOCHS (1), BATCH (16), LR (0.05), TEST_IMAGES (first N test images, 846), SEED (0),
 * ONLY (e.g. "scalenet:3": retrain just those members to size the schedule; writes nothing).
 * Writes benchmarks/results/scalenet-family-claim-retrain.json / .svg.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO_ROOT, loadConfig } from '../../src/config/config';
import { firstImages } from '../../src/datasets/dataset-ref';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { selectBackend } from '../../src/trainer/engine/backend';
import type { TaskContext } from '../../src/trainer/tasks/task';
import { pathCost } from '../../src/methods/scalenet/science/cost';
import { BaseModel, SMALL_PRESET, ScaleNetPath, pathKey, scalingSpace } from '../../src/methods/scalenet/science/space';
import { MemberRetrain, freshRetrainState, retrainMembers } from '../../src/methods/scalenet/training/retrain';
import { envNumber } from '../common/env';
import { RunProvenance } from '../common/provenance';
import { renderScatter } from '../macro/scatter-svg';
import type { FamilyClaimRow } from './family-claim';

type FamilyName = 'scalenet' | 'independent' | 'compound';
const FAMILIES: readonly FamilyName[] = ['scalenet', 'independent', 'compound'];

type SourceRow = FamilyClaimRow;

interface SourceJson {
  provenance: { command: string; git: { commit: string; dirty: boolean }; writtenAt: string; config: { M: number } };
  preset: string;
  scalenet: { base: BaseModel; members: SourceRow[] };
  independent: { bases: BaseModel[]; members: SourceRow[] };
  compound: { members: SourceRow[] };
}

interface Planned {
  family: FamilyName;
  row: SourceRow;
  path: ScaleNetPath;
  key: string;
}

function gitOf(file: string): { fileCommit: string | null; fileModified: boolean } {
  try {
    const rel = path.relative(REPO_ROOT, file);
    const fileCommit = execFileSync('git', ['log', '-1', '--format=%H', '--', rel], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() || null;
    const fileModified = execFileSync('git', ['status', '--porcelain', '--', rel], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return { fileCommit, fileModified };
  } catch {
    return { fileCommit: null, fileModified: true };
  }
}

function plan(src: SourceJson): Planned[] {
  const out: Planned[] = [];
  for (const family of FAMILIES) {
    src[family].members.forEach((row, j) => {
      const base = family === 'independent' ? src.independent.bases[j] : src.scalenet.base;
      const p = { base, strategy: row.strategy };
      out.push({ family, row, path: p, key: pathKey(p) });
    });
  }
  return out;
}

async function main(): Promise<void> {
  const sourceFile = path.resolve(REPO_ROOT, process.env.SOURCE ?? 'benchmarks/results/scalenet-family-claim.json');
  const cfg = {
    trainImages: envNumber('TRAIN_IMAGES', 600), epochs: envNumber('EPOCHS', 1), batch: envNumber('BATCH', 16), lr: envNumber('LR', 0.05), momentum: 0.9, weightDecay: 4e-5,
    testImages: envNumber('TEST_IMAGES', 846), seed: envNumber('SEED', 0), augment: { cropPadding: 4, horizontalFlip: true },
  };
  const only = (process.env.ONLY ?? '').split(',').filter((s) => s !== '');
  const raw = fs.readFileSync(sourceFile);
  const src = JSON.parse(raw.toString('utf8')) as SourceJson;
  if (src.preset !== SMALL_PRESET.name) throw new Error(`SOURCE preset ${src.preset}, this script retrains ${SMALL_PRESET.name}`);
  const source = {
    file: path.relative(REPO_ROOT, sourceFile), sha256: createHash('sha256').update(raw).digest('hex'), ...gitOf(sourceFile),
    producedBy: { command: src.provenance.command, commit: src.provenance.git.commit, dirty: src.provenance.git.dirty, writtenAt: src.provenance.writtenAt },
  };
  const prov = new RunProvenance('benchmarks/scalenet/family-retrain.ts', ['SOURCE', 'TRAIN_IMAGES', 'EPOCHS', 'BATCH', 'LR', 'TEST_IMAGES', 'SEED', 'ONLY'], { ...cfg, source });
  const wall0 = performance.now();
  const backend = await selectBackend({ force: 'wasm' });
  const ds = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
  const train = firstImages(ds.train, cfg.trainImages);
  const all = Uint32Array.from({ length: train.count }, (_, i) => i);
  const stats = channelStats(train, all);
  const trainStream = new BatchStream(train, { indices: all, batchSize: cfg.batch, seed: cfg.seed + 2, stats, augment: cfg.augment });
  const testSplit = firstImages(ds.test, cfg.testImages);
  const test = new BatchStream(testSplit, { indices: Uint32Array.from({ length: testSplit.count }, (_, i) => i), batchSize: 64, seed: cfg.seed, stats, shuffle: false });
  const space = scalingSpace(SMALL_PRESET, src.provenance.config.M);
  const planned = plan(src).filter((p) => only.length === 0 || only.includes(`${p.family}:${p.row.stage}`));
  const unique = [...new Map(planned.map((p) => [p.key, p])).values()];
  const description =
    `SHORTENED SCHEDULE: each member retrained from scratch as a stand-alone network for ${cfg.epochs} epoch(s) on the first ${train.count} training images of ${ds.name} ` +
    `(SGD momentum ${cfg.momentum}, peak lr ${cfg.lr}, cosine to 0, batch ${cfg.batch}, weight decay ${cfg.weightDecay}, random crop (padding 4) + horizontal flip, seed ${cfg.seed} + 100 + stage), ` +
    `test accuracy on the first ${testSplit.count} test images; families read from ${source.file} (commit ${source.fileCommit ?? 'unknown'}), not searched again. ` +
    `The paper retrains on ImageNet for 350 epochs: a ranking between families at this scale is weak evidence.`;
  console.log(`${description}\n${planned.length} members, ${unique.length} distinct networks; backend ${backend.name}`);
  const ctx: TaskContext = {
    taskId: 'bench', input: {}, resumeFrom: null, checkpointDir: os.tmpdir(), signal: new AbortController().signal,
    progress: (p) => process.stdout.write(`\r  ${p.message ?? ''} loss ${p.loss?.toFixed(3) ?? ''}   `),
    writeCheckpoint: () => Promise.resolve(''),
    boundary: () => new Promise((r) => setImmediate(r)),
  };
  const results = new Map<string, MemberRetrain>();
  for (const [i, u] of unique.entries()) {
    const [done] = await retrainMembers(
      ctx,
      {
        preset: SMALL_PRESET, space, epochs: cfg.epochs, lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay, seed: cfg.seed,
        train: trainStream, test, stats, imageShape: [ds.train.height, ds.train.width, ds.train.channels], exportDir: null,
        checkpointEvery: Number.MAX_SAFE_INTEGER, progressEvery: 5, fraction: [0, 1], description, members: [{ stage: u.row.stage, path: u.path, info: {} }],
      },
      freshRetrainState(),
      null,
      () => Promise.resolve(),
    );
    results.set(u.key, done);
    console.log(`\n[${i + 1}/${unique.length}] ${u.family} S${u.row.stage}: test ${(100 * done.testAccuracy).toFixed(1)} % (${done.testImages} images), ${done.params} params, ${(u.row.flops / 1e6).toFixed(2)} MFLOPs, ${done.seconds.toFixed(0)} s`);
  }
  const rows = planned.map((p) => {
    const r = results.get(p.key) as MemberRetrain;
    const cost = pathCost(SMALL_PRESET, p.path);
    const sharedWith = planned.filter((q) => q.key === p.key && q.family !== p.family).map((q) => `${q.family} S${q.row.stage}`);
    return {
      family: p.family, stage: p.row.stage, budget: p.row.budget, strategy: p.row.strategy, flops: cost.flops, params: cost.params, withinBudget: p.row.withinBudget,
      supernetAccuracy: p.row.supernetAccuracy, testAccuracy: r.testAccuracy, testLoss: r.testLoss, testImages: r.testImages, trainLoss: r.trainLoss, steps: r.steps,
      retrainSeconds: r.seconds, sharedWith, ...(sharedWith.length ? { note: `same network as ${sharedWith.join(', ')}: trained once` } : {}),
    };
  });
  if (only.length) {
    console.log(`ONLY=${only.join(',')}: nothing written (${((performance.now() - wall0) / 1000).toFixed(0)} s wall)`);
    return;
  }
  const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
  const families = Object.fromEntries(
    FAMILIES.map((f) => {
      const m = rows.filter((r) => r.family === f);
      return [f, { members: m, meanTestAccuracy: mean(m.map((r) => r.testAccuracy)), meanSupernetAccuracy: mean(m.map((r) => r.supernetAccuracy ?? 0)), overBudget: m.filter((r) => !r.withinBudget).map((r) => r.stage) }];
    }),
  );
  for (const f of FAMILIES) console.log(`${f}: test ${rows.filter((r) => r.family === f).map((r) => (100 * r.testAccuracy).toFixed(1)).join(' / ')} %, mean ${(100 * (families[f] as { meanTestAccuracy: number }).meanTestAccuracy).toFixed(1)} %`);
  const out = path.join(REPO_ROOT, 'benchmarks', 'results', 'scalenet-family-claim-retrain');
  prov.writeResultJson(`${out}.json`, {
    description, shortened: true, preset: SMALL_PRESET.name, backend, source,
    schedule: { ...cfg, trainImagesUsed: train.count, testImagesUsed: testSplit.count, stepsPerMember: cfg.epochs * trainStream.batchesPerEpoch },
    families, distinctNetworks: unique.length,
    overBudgetNote: 'compound scaling S1..S3 exceed their FLOPs budget band (+-15 %) but stay inside the supernet; retrained anyway (stand-alone retraining needs no supernet)',
    retrainSecondsTotal: [...results.values()].reduce((s, r) => s + r.seconds, 0), wallSeconds: (performance.now() - wall0) / 1000, loadAverageAtEnd: os.loadavg(),
  });
  const pts = (f: FamilyName): Array<{ x: number; y: number }> => rows.filter((r) => r.family === f).map((r) => ({ x: r.flops / 1e6, y: 100 * r.testAccuracy }));
  const meanOf = (f: FamilyName): string => (100 * (families[f] as { meanTestAccuracy: number }).meanTestAccuracy).toFixed(1);
  fs.writeFileSync(
    `${out}.svg`,
    renderScatter({
      title: 'Family claim: stand-alone retraining (SHORTENED), small preset, CIFAR-10 subset',
      subtitle: `${cfg.epochs} epoch(s) on ${train.count} train images, test on ${testSplit.count}; families from ${source.file}`,
      xLabel: 'MFLOPs (multiply-adds)',
      yLabel: 'retrained test accuracy (%)',
      series: [
        { label: `ScaleNet (MCEA), mean ${meanOf('scalenet')}`, color: '#1f77b4', points: pts('scalenet'), steps: false, radius: 5 },
        { label: `independent per-budget NSGA-II, mean ${meanOf('independent')}`, color: '#2ca02c', points: pts('independent'), radius: 4 },
        { label: `compound scaling of S0, mean ${meanOf('compound')}`, color: '#d62728', points: pts('compound'), radius: 4 },
      ],
    }),
  );
  console.log(`wrote ${out}.json and .svg (${((performance.now() - wall0) / 60000).toFixed(1)} min)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
