import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { radixArgsort } from '../../src/benchmarks/stats/argsort';
import {
  averageRanks,
  correlate,
  kendallTauB,
  kendallTauBNaive,
  pearsonR,
  spearmanRho,
  topKPrecision,
} from '../../src/benchmarks/stats/correlation';
import { loadConfig } from '../../src/config/config';
import { Rng } from '../../src/common/rng';

/** Seeded uniform [0, 1) numbers from the project's RNG, so every case is reproducible. */
function rng(seed: number): () => number {
  const r = Rng.fromSeed(seed);
  return () => r.next();
}

const close = (a: number, b: number, eps = 1e-12): void => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe('correlation statistics', () => {
  test('radix argsort is a stable ascending sort of doubles (negatives, -0, ties)', () => {
    const r = rng(3);
    for (let trial = 0; trial < 30; trial++) {
      const n = Math.floor(r() * 500);
      const x = Array.from({ length: n }, () => (r() < 0.3 ? Math.floor(r() * 5) - 2 : (r() - 0.5) * 10 ** Math.floor(r() * 12 - 4)));
      if (n > 2) x[1] = -0;
      const expected = x.map((_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
      assert.deepEqual([...radixArgsort(x)], expected);
    }
  });

  test('Kendall tau-b (Knight, O(n log n)) equals the O(n^2) definition on random data with ties', () => {
    const r = rng(11);
    for (let trial = 0; trial < 60; trial++) {
      const n = 2 + Math.floor(r() * 400);
      const levels = 1 + Math.floor(r() * 30);
      const x = Array.from({ length: n }, () => Math.floor(r() * levels));
      const y = x.map((v) => (r() < 0.5 ? v : Math.floor(r() * levels)) + (r() < 0.2 ? 0.5 : 0));
      const a = kendallTauB(x, y);
      const b = kendallTauBNaive(x, y);
      if (Number.isNaN(b)) assert.ok(Number.isNaN(a));
      else close(a, b);
    }
  });

  test('known values: perfect, reversed, constant, textbook ties', () => {
    assert.equal(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    assert.ok(Number.isNaN(kendallTauB([1, 1, 1], [1, 2, 3])));
    assert.ok(Number.isNaN(kendallTauB([1], [1])));
    // by hand: C=4, D=0, one pair tied in x, one tied in y: 4 / sqrt(5 * 5)
    close(kendallTauB([1, 2, 2, 3], [1, 3, 2, 3]), 0.8, 1e-12);
    assert.deepEqual([...averageRanks([10, 20, 20, 5])], [2, 3.5, 3.5, 1]);
    // by hand: ranks (1, 2.5, 2.5, 4) and (1, 3.5, 2, 3.5): sxy = 3.75, sxx = syy = 4.5
    close(spearmanRho([1, 2, 2, 3], [1, 3, 2, 3]), 3.75 / 4.5, 1e-12);
    // by hand: sxy = 10.75, sxx = 5, syy = 23.1875
    close(pearsonR([1, 2, 3, 4], [2, 4, 6, 8.5]), 10.75 / Math.sqrt(5 * 23.1875), 1e-12);
    assert.throws(() => kendallTauB([1, NaN], [1, 2]), RangeError);
    assert.throws(() => pearsonR([1, 2], [1]), RangeError);
  });

  test('top-k precision', () => {
    const truth = [5, 4, 3, 2, 1];
    assert.equal(topKPrecision([1, 2, 3, 4, 5], truth, 2), 0);
    assert.equal(topKPrecision([9, 1, 8, 2, 0], truth, 2), 0.5);
    assert.equal(topKPrecision(truth, truth, 5), 1);
    assert.throws(() => topKPrecision(truth, truth, 6), RangeError);
    const s = correlate([9, 1, 8, 2, 0], truth, [1, 2]);
    assert.deepEqual(s.topK, [
      { k: 1, precision: 1 },
      { k: 2, precision: 0.5 },
    ]);
  });

  test('reference tau-b over all 15,625 NB201 archs (PROVENANCE.md)', () => {
    const t = loadNb201Table(loadConfig().dataDir);
    const test200 = t.accuracyColumn('cifar10', 'test', 200)!;
    const cases: Array<[string, Float64Array, Float64Array, number]> = [
      ['valid200(cifar10-valid) vs test200(cifar10)', t.accuracyColumn('cifar10-valid', 'valid', 200)!, test200, 0.893677],
      ['valid12(cifar10-valid) vs test200(cifar10)', t.accuracyColumn('cifar10-valid', 'valid', 12)!, test200, 0.594323],
      ['cifar100 valid200 vs test200', t.accuracyColumn('cifar100', 'valid', 200)!, t.accuracyColumn('cifar100', 'test', 200)!, 0.936044],
      ['ImageNet16-120 valid200 vs test200', t.accuracyColumn('ImageNet16-120', 'valid', 200)!, t.accuracyColumn('ImageNet16-120', 'test', 200)!, 0.940679],
      ['params vs cifar10 test200', t.paramsColumn('cifar10')!, test200, 0.577818],
      ['flops vs cifar10 test200', t.flopsColumn('cifar10')!, test200, 0.577818],
    ];
    for (const [name, x, y, ref] of cases) assert.equal(kendallTauB(x, y).toFixed(6), ref.toFixed(6), name);
    // Spearman equals the Pearson correlation of average ranks computed independently (comparator sort)
    const x = t.accuracyColumn('cifar10-valid', 'valid', 12)!;
    const naiveRanks = (v: Float64Array): number[] => {
      const sorted = [...v].sort((a, b) => a - b);
      const first = new Map<number, number>();
      const last = new Map<number, number>();
      sorted.forEach((val, k) => {
        if (!first.has(val)) first.set(val, k + 1);
        last.set(val, k + 1);
      });
      return [...v].map((val) => (first.get(val)! + last.get(val)!) / 2);
    };
    close(spearmanRho(x, test200), pearsonR(naiveRanks(x), naiveRanks(test200)), 1e-12);
  });
});
