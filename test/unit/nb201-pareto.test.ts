import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { paretoFront, paretoFrontNaive } from '../../src/benchmarks/nb201/pareto';
import { loadConfig } from '../../src/config/config';
import { Rng } from '../../src/common/rng';

/** Seeded uniform [0, 1) numbers from the project's RNG, so every case is reproducible. */
function rng(seed: number): () => number {
  const r = Rng.fromSeed(seed);
  return () => r.next();
}

describe('exact Pareto front (max accuracy, min cost)', () => {
  test('small cases with ties and duplicates', () => {
    // cost, accuracy
    const pts: Array<[number, number]> = [
      [1, 50], // front
      [1, 40], // dominated by equal cost, higher acc
      [2, 50], // dominated: higher cost, equal acc
      [2, 60], // front
      [2, 60], // exact duplicate: also front
      [3, 55], // dominated
      [4, 70], // front
      [NaN, 99], // ignored
    ];
    const cost = pts.map((p) => p[0]);
    const acc = pts.map((p) => p[1]);
    assert.deepEqual(paretoFront(cost, acc), [0, 3, 4, 6]);
    assert.deepEqual(paretoFrontNaive(cost, acc), [0, 3, 4, 6]);
    assert.deepEqual(paretoFront([], []), []);
    // restricted to (1,40), (2,50), (3,55): none dominates another
    assert.deepEqual(paretoFront(cost, acc, [1, 2, 5]), [1, 2, 5]);
    assert.deepEqual(paretoFront(cost, acc, [1, 2, 3]), [1, 3]);
  });

  test('equals the O(n^2) definition on random data with many ties', () => {
    const r = rng(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(r() * 300);
      const cost = Array.from({ length: n }, () => Math.floor(r() * 20));
      const acc = Array.from({ length: n }, () => Math.floor(r() * 15));
      assert.deepEqual(paretoFront(cost, acc), paretoFrontNaive(cost, acc), `trial ${trial}`);
    }
  });

  test('on NB201 (accuracy vs FLOPs/params/latency) equals the definition and is non-dominated', () => {
    const t = loadNb201Table(loadConfig().dataDir);
    const acc = t.accuracyColumn('cifar10', 'test', 200)!;
    for (const cost of [t.flopsColumn('cifar10')!, t.paramsColumn('cifar10')!, t.latencyColumn('pixel3')!]) {
      const front = paretoFront(cost, acc);
      assert.deepEqual(front, paretoFrontNaive(cost, acc));
      assert.ok(front.length > 0);
      for (let k = 1; k < front.length; k++) {
        assert.ok(cost[front[k]] >= cost[front[k - 1]]);
        assert.ok(acc[front[k]] >= acc[front[k - 1]]);
      }
      // the most accurate arch is always on the front
      assert.ok(front.includes(6111));
    }
  });
});
