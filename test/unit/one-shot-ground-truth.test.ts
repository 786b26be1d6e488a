// Ground truth of a one-shot result on cifar10-subset (the trainer task in-process, wasm, tiny SE-NAS and SPOS runs):
// the NB201 record of the searched arch is the table's record of that arch (six Table 3 columns, each from its own
// dataset and split, e.g. CIFAR-10 test from `cifar10` test and not `cifar10-valid`), each column's optimum is the
// table's (the paper's "Optimal" row), regret = optimum - accuracy, and every reported correlation equals the
// correlation functions over the reported archs, supernet accuracies and NB201 truth, with the truth paired with its
// arch (a reversed or shifted pairing fails) and the supernet accuracies paired with theirs (checked against the
// final search, which scores the same archs with the same weights). SPOS scores SE-NAS's archs at equal epochs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatArchStr, parseArchStr } from '../../src/benchmarks/nb201/arch';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import type { Nb201Table } from '../../src/benchmarks/nb201/types';
import { correlate, kendallTauB, spearmanRho } from '../../src/benchmarks/stats/correlation';
import { bootstrapCorrelation } from '../../src/benchmarks/stats/bootstrap';
import { loadConfig } from '../../src/config/config';
import { Rng } from '../../src/common/rng';
import { gridSpace } from '../../src/search/common/space';
import { inOpSpace } from '../../src/search/spaces/op-space';
import { CORRELATION_SAMPLE_SEED, OneShotResult, nb201OneShot } from '../../src/methods/se-nas/training/nb201-one-shot.task';
import { taskContext } from '../support/task-context';

const dataDir = loadConfig().dataDir;
const close = (a: number, b: number, msg: string, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${msg}: ${a} vs ${b}`);

const tiny = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  method: 'se-nas',
  dataset: { kind: 'builtin', name: 'cifar10-subset', dataDir },
  benchmarkDir: dataDir,
  C: 2,
  N: 1,
  epochsPerStage: 1,
  samplesPerStage: 10,
  batchSize: 64,
  seed: 5,
  maxTrainImages: 320,
  validFraction: 0.2,
  evalImages: 64,
  recalBatches: 1,
  correlationSample: 8,
  maxEnumerate: 64,
  ...over,
});

describe('one-shot result on cifar10-subset against NB201 ground truth', () => {
  let root: string;
  let table: Nb201Table;
  let se: OneShotResult;
  let spos: OneShotResult;
  const test200 = (arch: string): number => table.accuracy(table.indexOfOps(parseArchStr(arch) as number[]), 'cifar10', 'test', 200);

  before(async () => {
    process.env.TRAINER_BACKEND = 'wasm';
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'one-shot-gt-'));
    table = loadNb201Table(dataDir);
    se = await nb201OneShot.run(taskContext(tiny(), path.join(root, 'se')).ctx);
    const compareArchs = [[], ...se.correlation.perStage.filter((c) => c.set === 'current-space').map((c) => c.archs.map((a) => parseArchStr(a) as number[]))];
    spos = await nb201OneShot.run(taskContext(tiny({ method: 'spos', searchQueries: 6, compareArchs }), path.join(root, 'spos')).ctx);
  });
  after(() => {
    delete process.env.TRAINER_BACKEND;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('benchmarkRecord is the table record of the searched arch: six Table 3 columns, optima, regret', () => {
    for (const r of [se, spos]) {
      const rec = r.benchmarkRecord;
      assert.ok(rec);
      const i = table.indexOfOps(r.ops);
      assert.equal(rec.index, i);
      assert.equal(rec.arch, r.arch);
      assert.equal(rec.arch, table.archStr(i));
      assert.deepEqual(rec.table3, {
        cifar10Valid: table.accuracy(i, 'cifar10-valid', 'valid', 200),
        cifar10Test: table.accuracy(i, 'cifar10', 'test', 200),
        cifar100Valid: table.accuracy(i, 'cifar100', 'valid', 200),
        cifar100Test: table.accuracy(i, 'cifar100', 'test', 200),
        imageNet16Valid: table.accuracy(i, 'ImageNet16-120', 'valid', 200),
        imageNet16Test: table.accuracy(i, 'ImageNet16-120', 'test', 200),
      });
      assert.notEqual(rec.table3.cifar10Test, rec.table3.cifar10Valid, 'the CIFAR-10 test column is not the cifar10-valid accuracy');
      assert.equal(rec.cifar10Test200, rec.table3.cifar10Test);
      assert.equal(rec.cifar10ValidValid200, rec.table3.cifar10Valid);
      // the paper's "Optimal" row of Table 3 (91.61, 94.37, 73.49, 73.51, 46.77, 47.31); this table's ImageNet16-120
      // valid optimum is 46.73
      const paper = { cifar10Valid: 91.61, cifar10Test: 94.37, cifar100Valid: 73.49, cifar100Test: 73.51, imageNet16Valid: 46.73, imageNet16Test: 47.31 };
      for (const [k, v] of Object.entries(paper)) close(rec.table3Optimum[k as keyof typeof paper], v, `optimum ${k}`, 0.005);
      assert.equal(rec.optimumTest200, rec.table3Optimum.cifar10Test);
      close(rec.regret, rec.table3Optimum.cifar10Test - table.accuracy(i, 'cifar10', 'test', 200), 'regret = optimum - cifar10 test', 1e-12);
      assert.ok(rec.regret >= 0);
    }
  });

  test('SE-NAS per-stage checks: stage 1 on the fixed full-space sample, later stages on its current space; numbers = the correlation functions', () => {
    const grid = gridSpace(6, 5);
    const sample = Rng.fromSeed(CORRELATION_SAMPLE_SEED).sampleIndices(grid.size, 8).map((i) => formatArchStr(grid.opsOf(i)));
    const checks = se.correlation.perStage;
    assert.deepEqual(checks.map((c) => [c.block, c.epochs, c.set]), [[1, 1, 'full-space-sample'], [2, 2, 'current-space'], [3, 3, 'current-space']]);
    assert.deepEqual(checks[0].archs, sample);
    assert.equal(checks[0].spaceSize, 15625);
    for (const [b, c] of checks.entries()) {
      const space = se.stages[b].space;
      assert.equal(c.spaceSize, space.reduce((n, o) => n * o.length, 1));
      if (b > 0) assert.ok(c.archs.every((a) => inOpSpace(space, parseArchStr(a) as number[])), `block ${c.block}: archs of the space trained in that stage`);
      assert.equal(c.n, c.archs.length);
      // truth paired with its arch: NB201 cifar10 test accuracy (200 epochs) of archs[i]
      assert.deepEqual(c.groundTruth, c.archs.map(test200));
      assert.equal(c.kendallTau, kendallTauB(c.supernetAccuracies, c.groundTruth));
      assert.equal(c.spearmanRho, spearmanRho(c.supernetAccuracies, c.groundTruth));
      assert.deepEqual(c.ci, bootstrapCorrelation(c.supernetAccuracies, c.groundTruth, { resamples: 1000, seed: 1 }));
      assert.ok(c.ci.kendallTau.lo <= c.kendallTau + 1e-12 || c.n < 4);
    }
    // the final stage's check and the final search score archs of the same space with the same (averaged) weights:
    // each arch's reported supernet accuracy is the one the search found for it (supernet accuracy paired with its arch)
    const last = checks[2];
    const searched = new Map(se.search.evaluated.map((e) => [formatArchStr(e.ops), e.accuracy]));
    last.archs.forEach((a, i) => assert.equal(last.supernetAccuracies[i], searched.get(a), `supernet accuracy of ${a}`));
    // Table 1 figure of SE-NAS = its stage-1 check; finalSpace = the functions over the search's archs and scores
    assert.equal(se.correlation.fullSpaceSample?.kendallTau, checks[0].kendallTau);
    assert.equal(se.correlation.fullSpaceSample?.n, 8);
    const evaluated = se.search.evaluated;
    const fin = correlate(evaluated.map((e) => e.accuracy), evaluated.map((e) => test200(formatArchStr(e.ops))), [Math.max(1, Math.round(evaluated.length / 10))]);
    assert.equal(se.correlation.finalSpace?.kendallTau, fin.kendallTau);
    assert.equal(se.correlation.finalSpace?.spearmanRho, fin.spearmanRho);
  });

  test('SPOS: the full-space sample at every block (Table 1 = the last) and SE-NAS\'s archs at equal epochs', () => {
    const checks = spos.correlation.perStage;
    assert.deepEqual(checks.map((c) => [c.block, c.epochs, c.set]), [
      [1, 1, 'full-space-sample'],
      [2, 2, 'full-space-sample'],
      [2, 2, 'compare-archs'],
      [3, 3, 'full-space-sample'],
      [3, 3, 'compare-archs'],
    ]);
    assert.deepEqual(checks[2].archs, se.correlation.perStage[1].archs, 'same archs as SE-NAS stage 2');
    assert.deepEqual(checks[4].archs, se.correlation.perStage[2].archs, 'same archs as SE-NAS stage 3');
    assert.deepEqual(checks[0].archs, se.correlation.perStage[0].archs, 'the full-space sample is shared');
    for (const c of checks) {
      assert.deepEqual(c.groundTruth, c.archs.map(test200));
      assert.equal(c.kendallTau, kendallTauB(c.supernetAccuracies, c.groundTruth));
    }
    assert.equal(spos.correlation.fullSpaceSample?.kendallTau, checks[3].kendallTau, 'Table 1: the SPOS supernet at the end of training');
  });
});
