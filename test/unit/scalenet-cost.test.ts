// Exact multiply-adds ("FLOPs") and params of ScaleNet paths (src/methods/scalenet/science/cost.ts) against
// hand-computed layers, EfficientNet-B0's published parameter count, and f0 / budgets (appendix A).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { Rng } from '../../src/common/rng';
import { estimateF0, exponentialBudgets, nearestMultiple, userBudgets } from '../../src/methods/scalenet/science/budgets';
import { networkCost, pathCost, seChannels } from '../../src/methods/scalenet/science/cost';
import { sampleBaseModel } from '../../src/methods/scalenet/science/hss';
import { ConcreteNet, ConcreteStage } from '../../src/methods/scalenet/science/path';
import { SMALL_PRESET } from '../../src/methods/scalenet/science/space';

/** 8x8x3 input; stem 3x3/2 -> 4 ch; block A (e1 k3, 4->4, s1, residual); block B (e6 k5 SE, 4->8, s2); head 1x1 -> 16; FC 10. */
const tiny: ConcreteNet = {
  resolution: 8,
  inChannels: 3,
  classes: 10,
  stem: { cout: 4, kernel: 3, stride: 2 },
  stages: [
    { name: 'a', cout: 4, blocks: [{ expand: 1, kernel: 3, se: false, cin: 4, cout: 4, stride: 1 }] },
    { name: 'b', cout: 8, blocks: [{ expand: 6, kernel: 5, se: true, cin: 4, cout: 8, stride: 2 }] },
  ],
  head: { cin: 8, cout: 16 },
  seRatio: 0.25,
};

describe('ScaleNet cost: hand-computed layers', () => {
  test('tiny network, layer by layer', () => {
    const c = networkCost(tiny);
    const flops =
      3 * 9 * 4 * (4 * 4) + // stem 3x3, 3->4, 4x4 output
      4 * 9 * 16 + // A: depthwise 3x3 on 4 ch, 4x4 (no expand conv at e = 1)
      4 * 4 * 16 + // A: project 4->4
      4 * 24 * 16 + // B: expand 4->24 at 4x4
      24 * 25 * 4 + // B: depthwise 5x5 stride 2 -> 2x2
      (24 * 1 + 1) + // B: SE reduce 24 -> max(1, floor(4 * 0.25)) = 1, with bias
      (1 * 24 + 24) + // B: SE expand 1 -> 24, with bias
      24 * 8 * 4 + // B: project 24 -> 8 at 2x2
      8 * 16 * 4 + // head 1x1 8 -> 16 at 2x2
      (16 * 10 + 10); // classifier with bias
    assert.equal(c.flops, flops);
    assert.equal(c.flops, 8019);
    const weights = 108 + 36 + 16 + 96 + 600 + 25 + 48 + 192 + 128 + 170;
    const bn = 2 * (4 + 4 + 4 + 24 + 24 + 8 + 16);
    assert.equal(c.paramsWithoutBn, weights);
    assert.equal(c.params, weights + bn);
    assert.equal(c.bnMacs, 4 * 16 + 4 * 16 + 4 * 16 + 24 * 16 + 24 * 4 + 8 * 4 + 16 * 4);
    // pools: SE squeeze over 24x2x2 and the final 16x2x2; SE rescale 24x2x2; residual of A 4x4x4
    assert.equal(c.otherMacs, 24 * 4 + 16 * 4 + 24 * 4 + 4 * 16);
    assert.equal(c.resolution, 8);
  });

  test('SE squeeze channels: max(1, floor(0.25 x block input channels))', () => {
    assert.equal(seChannels(4, 0.25), 1);
    assert.equal(seChannels(3, 0.25), 1);
    assert.equal(seChannels(38, 0.25), 9);
  });

  test('EfficientNet-B0 written as a concrete net reproduces its published 5,288,548 params and ~0.39G multiply-adds', () => {
    const cfg: Array<[number, number, number, number, 1 | 2]> = [[1, 3, 16, 1, 1], [6, 3, 24, 2, 2], [6, 5, 40, 2, 2], [6, 3, 80, 3, 2], [6, 5, 112, 3, 1], [6, 5, 192, 4, 2], [6, 3, 320, 1, 1]];
    let cin = 32;
    const stages: ConcreteStage[] = cfg.map(([e, k, cout, n, stride], i) => {
      const blocks = Array.from({ length: n }, (_, q) => ({ expand: e, kernel: k, se: true, cin: q ? cout : cin, cout, stride: (q ? 1 : stride) as 1 | 2 }));
      cin = cout;
      return { name: `s${i}`, cout, blocks };
    });
    const c = networkCost({ resolution: 224, inChannels: 3, classes: 1000, stem: { cout: 32, kernel: 3, stride: 2 }, stages, head: { cin: 320, cout: 1280 }, seRatio: 0.25 });
    assert.equal(c.params, 5_288_548); // torchvision efficientnet_b0 (BN scale/shift included)
    assert.equal(c.flops, 385_825_092);
    assert.ok(Math.abs(c.flops / 1e9 - 0.39) < 0.005);
  });
});

describe('ScaleNet budgets (appendix A)', () => {
  test('f0 is the Monte Carlo mean of uniformly sampled base paths, rounded to the quantum', () => {
    const est = estimateF0(SMALL_PRESET, Rng.fromSeed(5), 300);
    const rng = Rng.fromSeed(5);
    let sum = 0;
    let all = 0;
    for (let i = 0; i < 300; i++) {
      const c = pathCost(SMALL_PRESET, { base: sampleBaseModel(SMALL_PRESET, rng), strategy: { d: 1, w: 1, r: 1 } });
      sum += c.flops;
      all += c.flops + c.bnMacs + c.otherMacs;
    }
    assert.equal(est.meanFlops, sum / 300);
    assert.ok(Math.abs(est.meanAllLayerMacs - all / 300) < 1e-6);
    assert.equal(est.f0, Math.round(sum / 300 / 1e6) * 1e6);
    assert.ok(est.minFlops <= est.meanFlops && est.meanFlops <= est.maxFlops);
  });

  test('nearest multiple and 2^j budgets; user budgets are validated naming the field', () => {
    assert.equal(nearestMultiple(318e6, 50e6), 300e6);
    assert.equal(nearestMultiple(326e6, 50e6), 350e6);
    assert.equal(nearestMultiple(10e6, 50e6), 50e6);
    assert.deepEqual(exponentialBudgets(350e6, 3), [350e6, 700e6, 1400e6, 2800e6]);
    assert.deepEqual(userBudgets(4e6, 2), [4e6, 8e6, 16e6]);
    assert.deepEqual(userBudgets([1, 3, 4], 2), [1, 3, 4]);
    assert.throws(() => userBudgets([1, 3], 2), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'budgets.list');
    assert.throws(() => userBudgets([1, 3, 2], 2), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'budgets.list[2]');
    assert.throws(() => userBudgets(-1, 2), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'budgets.f0');
  });
});
