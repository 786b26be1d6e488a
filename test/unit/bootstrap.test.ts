import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pairedBootstrap } from '../../src/benchmarks/stats/bootstrap';
import { kendallTauB } from '../../src/benchmarks/stats/correlation';

const mean = (x: Float64Array): number => x.reduce((a, b) => a + b, 0) / x.length;

describe('paired percentile bootstrap', () => {
  test('a monotone relation gives tau-b = 1 on every resample without ties: CI [1, 1]', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const y = x.map((v) => v * v);
    const r = pairedBootstrap(x, y, kendallTauB, 500, 0.95, 3);
    assert.equal(r.estimate, 1);
    assert.equal(r.hi, 1);
    assert.ok(r.lo <= 1 && r.lo > 0.5);
  });

  test('the interval is the (1-level)/2 and (1+level)/2 quantiles of the resampled statistic, resampling pairs', () => {
    const x = Array.from({ length: 40 }, (_, i) => i);
    const y = x.map(() => 0);
    const r = pairedBootstrap(x, y, (a) => mean(a), 4000, 0.9, 1);
    assert.equal(r.estimate, 19.5);
    // the mean of 40 draws from 0..39: sd = 11.54 / sqrt(40) = 1.825; 90 % interval ~ 19.5 -/+ 1.645 sd = [16.5, 22.5]
    assert.ok(Math.abs(r.lo - 16.5) < 0.5, `lo ${r.lo}`);
    assert.ok(Math.abs(r.hi - 22.5) < 0.5, `hi ${r.hi}`);
    const wider = pairedBootstrap(x, y, (a) => mean(a), 4000, 0.99, 1);
    assert.ok(wider.lo < r.lo && wider.hi > r.hi);
  });

  test('seeded: the same seed gives the same interval', () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8];
    assert.deepEqual(pairedBootstrap(x, y, kendallTauB, 300, 0.95, 5), pairedBootstrap(x, y, kendallTauB, 300, 0.95, 5));
  });

  test('bad input is rejected', () => {
    assert.throws(() => pairedBootstrap([1], [1], kendallTauB), RangeError);
    assert.throws(() => pairedBootstrap([1, 2], [1], kendallTauB), RangeError);
    assert.throws(() => pairedBootstrap([1, 2], [1, 2], kendallTauB, 10, 1), RangeError);
  });
});
