// CONet δ sweep selection (src/methods/conet/science/targets): the trade-off curve and the configuration that best
// meets a params / FLOPs / latency target (budget rule by default, closest as an option).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SweepPoint, bestForTarget, tradeOffCurve } from '../../src/methods/conet/science/targets';

const pt = (delta: number, params: number, accuracy: number | null, latencyMs: number | null = null): SweepPoint => ({ delta, params, flops: params * 10, latencyMs, accuracy });
const sweep = [pt(0.02, 100, 0.8), pt(0.0025, 900, 0.9), pt(0.01, 300, 0.86), pt(0.005, 500, 0.85)];

describe('CONet delta sweep', () => {
  test('the curve is ordered by delta; a point beaten on both params and accuracy is dominated', () => {
    const c = tradeOffCurve(sweep);
    assert.deepEqual(c.map((p) => p.delta), [0.0025, 0.005, 0.01, 0.02]);
    assert.deepEqual(c.map((p) => p.dominated), [false, true, false, false]);
  });

  test('budget rule: the most accurate point within the budget; the smallest when none fits', () => {
    assert.equal(bestForTarget(sweep, { metric: 'params', value: 600 }).point.delta, 0.01);
    assert.equal(bestForTarget(sweep, { metric: 'params', value: 300 }).point.delta, 0.01, 'the target itself is within');
    assert.equal(bestForTarget(sweep, { metric: 'flops', value: 10000 }).point.delta, 0.0025);
    const none = bestForTarget(sweep, { metric: 'params', value: 50 });
    assert.deepEqual([none.point.delta, none.within], [0.02, false]);
    // without accuracies: the largest point within the budget
    const noAcc = sweep.map((p) => ({ ...p, accuracy: null }));
    assert.equal(bestForTarget(noAcc, { metric: 'params', value: 600 }).point.delta, 0.005);
  });

  test('closest rule and latency targets; a missing latency is refused', () => {
    assert.equal(bestForTarget(sweep, { metric: 'params', value: 450 }, 'closest').point.delta, 0.005);
    const lat = [pt(0.01, 300, 0.86, 4), pt(0.005, 500, 0.85, 7)];
    assert.equal(bestForTarget(lat, { metric: 'latency', value: 5 }).point.delta, 0.01);
    assert.throws(() => bestForTarget(sweep, { metric: 'latency', value: 5 }), RangeError);
  });
});
