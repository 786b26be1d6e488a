// ScaleNet spaces (src/methods/scalenet/science): Table 6 presets, Table 7 scaling grids, path generation Eq. 28-30,
// and the HSS / uniform samplers (Eq. 1-2) with the project's seeded Rng.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { Rng } from '../../src/common/rng';
import { generatePath, scaledDepth, scaledResolution, scaledWidth } from '../../src/methods/scalenet/science/path';
import {
  BaseModel,
  PAPER_PRESET,
  SMALL_PRESET,
  baseSpaceSize,
  presetByName,
  rangeValues,
  scalingSpace,
  scalingSpaceSize,
  stageStrategies,
  validateBaseModel,
} from '../../src/methods/scalenet/science/space';
import { checkWeights, dimensionValues, pathSampler, sampleBaseModel, sampleBaseModelJoint, sampleStage } from '../../src/methods/scalenet/science/hss';

const blk = (expand: number, kernel: number, se: boolean) => ({ expand, kernel, se });
/** A paper-preset base model: one block per stage except stage 2 (three distinct blocks). */
const base: BaseModel = {
  stages: [[blk(1, 3, false)], [blk(3, 3, false), blk(6, 5, true), blk(3, 7, true)], [blk(6, 3, false)], [blk(3, 5, false)], [blk(6, 7, true)], [blk(3, 3, true)], [blk(6, 5, false)]],
};

describe('ScaleNet spaces (Table 6, Table 7)', () => {
  test('paper preset is Table 6: channels, strides, depth ranges, expand choices', () => {
    assert.deepEqual(PAPER_PRESET.stages.map((s) => s.channels), [16, 32, 40, 80, 96, 192, 320]);
    assert.deepEqual(PAPER_PRESET.stages.map((s) => s.stride), [1, 2, 2, 2, 1, 2, 1]);
    assert.deepEqual(PAPER_PRESET.stages.map((s) => [s.minBlocks, s.maxBlocks]), [[1, 1], [1, 4], [1, 4], [1, 4], [1, 4], [1, 4], [1, 1]]);
    assert.deepEqual(PAPER_PRESET.stages[0].expands, [1]);
    assert.deepEqual(PAPER_PRESET.stages[6].expands, [3, 6]);
    assert.equal(PAPER_PRESET.stem.stride, 2);
    assert.equal(PAPER_PRESET.head.channels, 1280);
    assert.equal(PAPER_PRESET.resolution, 224);
    assert.equal(PAPER_PRESET.classes, 1000);
    // small: same structure, 3 stride-2 steps instead of 5 (stem and stage 6 at stride 1)
    assert.equal(SMALL_PRESET.stages.length, 7);
    const steps = (p: typeof PAPER_PRESET) => [p.stem.stride, ...p.stages.map((s) => s.stride)].filter((x) => x === 2).length;
    assert.equal(steps(PAPER_PRESET), 5);
    assert.equal(steps(SMALL_PRESET), 3);
    assert.match(SMALL_PRESET.doc, /32x32/);
  });

  test('Table 7 grids; M selects rows; M beyond the table or < 1 is a 4xx naming M', () => {
    assert.deepEqual(rangeValues({ min: 1.04, step: 0.04, max: 1.16 }), [1.04, 1.08, 1.12, 1.16]);
    const sp = scalingSpace(PAPER_PRESET);
    assert.equal(sp.M, 3);
    assert.deepEqual(sp.stages[0], { d: [1], w: [1], r: [1] });
    assert.deepEqual(sp.stages[1].r, [1, 1.07, 1.14]);
    assert.deepEqual(sp.stages[3].d, [1.4, 1.44, 1.48, 1.52, 1.56, 1.6, 1.64]);
    assert.deepEqual(sp.stages[2].r, [1.21, 1.28, 1.35]);
    assert.equal(stageStrategies(sp, 1).length, 4 * 4 * 3);
    assert.equal(scalingSpaceSize(sp), 1 + 48 + 75 + 147);
    assert.equal(scalingSpace(PAPER_PRESET, 2).stages.length, 3);
    for (const M of [0, 4, 1.5]) {
      assert.throws(() => scalingSpace(PAPER_PRESET, M), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'M');
    }
    assert.throws(() => presetByName('huge'), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'preset');
    assert.equal(presetByName('small'), SMALL_PRESET);
  });

  test('base space size: per stage sum_n 12^n (stage 1: 6 choices, stage 7: 12)', () => {
    const mid = 12 + 12 ** 2 + 12 ** 3 + 12 ** 4;
    assert.equal(baseSpaceSize(PAPER_PRESET), 6 * mid ** 5 * 12);
  });

  test('validateBaseModel names the bad field', () => {
    validateBaseModel(PAPER_PRESET, base);
    const bad = { stages: base.stages.map((s) => s.map((b) => ({ ...b }))) };
    bad.stages[2][0].kernel = 4;
    assert.throws(() => validateBaseModel(PAPER_PRESET, bad), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'base.stages[2][0].kernel');
    const deep = { stages: base.stages.map((s, i) => (i === 1 ? [...s, ...s] : s)) };
    assert.throws(() => validateBaseModel(PAPER_PRESET, deep), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'base.stages[1]');
  });
});

describe('Path generation (Eq. 28-30)', () => {
  test('ceil of the scaled value, robust to binary rounding', () => {
    assert.equal(scaledWidth(225, 1.08), 243); // 225 * 1.08 = 243.00000000000003 in binary
    assert.equal(scaledWidth(50, 1.1), 55); // 55.00000000000001
    assert.equal(scaledDepth(3, 1.4), 5); // ceil(4.2)
    assert.equal(scaledDepth(1, 1.04), 2); // any d > 1 adds a block to a 1-block stage
    assert.equal(scaledDepth(4, 1), 4);
    assert.equal(scaledWidth(32, 1.16), 38); // ceil(37.12)
    assert.equal(scaledWidth(25, 1.2), 30);
    assert.equal(scaledResolution(224, 1.14), 256); // ceil(255.36)
    assert.equal(scaledResolution(224, 1.28), 287); // ceil(286.72)
    assert.equal(scaledResolution(224, 1), 224);
  });

  test('depth copies the last block of each stage; width on scalable layers only; resolution', () => {
    const net = generatePath(PAPER_PRESET, base, { d: 1.36, w: 1.16, r: 1.14 });
    assert.equal(net.resolution, 256);
    assert.equal(net.stem.cout, 38);
    assert.equal(net.inChannels, 3); // Conv_stem's W_I is not scaled
    assert.deepEqual(net.head, { cin: Math.ceil(320 * 1.16), cout: 1280 }); // Conv_out: W_I scaled, W_O not
    const s2 = net.stages[1];
    assert.equal(s2.blocks.length, 5); // ceil(3 * 1.36) = ceil(4.08)
    assert.deepEqual(s2.blocks.map((b) => [b.expand, b.kernel, b.se]), [[3, 3, false], [6, 5, true], [3, 7, true], [3, 7, true], [3, 7, true]]);
    assert.deepEqual(s2.blocks.map((b) => b.stride), [2, 1, 1, 1, 1]);
    assert.deepEqual(s2.blocks.map((b) => [b.cin, b.cout]), [[19, 38], [38, 38], [38, 38], [38, 38], [38, 38]]); // stage 1: ceil(16*1.16)=19
    assert.equal(net.stages[0].blocks.length, 2); // ceil(1 * 1.36)
    assert.equal(net.stages[6].blocks.length, 2);
    assert.deepEqual(net.stages.map((s) => s.cout), [16, 32, 40, 80, 96, 192, 320].map((c) => Math.ceil(c * 1.16)));
    // S0 = [1,1,1] is the base model itself
    const s0 = generatePath(PAPER_PRESET, base, { d: 1, w: 1, r: 1 });
    assert.deepEqual(s0.stages.map((s) => s.blocks.length), base.stages.map((s) => s.length));
    assert.throws(() => generatePath(PAPER_PRESET, base, { d: 0.9, w: 1, r: 1 }), RangeError);
  });
});

describe('HSS and uniform sampling (Eq. 1-2)', () => {
  const sp = scalingSpace(PAPER_PRESET);

  test('scaling stage m ~ Categorical(eta)', () => {
    const rng = Rng.fromSeed(7);
    const eta = [0.7, 0.1, 0.15, 0.05];
    const n = 40_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[sampleStage(eta, rng)]++;
    counts.forEach((c, j) => assert.ok(Math.abs(c / n - eta[j]) < 0.01, `stage ${j}: ${c / n} vs ${eta[j]}`));
    for (let i = 0; i < 100; i++) assert.equal(sampleStage([0, 0, 1, 0], rng), 2);
  });

  test('HSS draws the strategy inside the sampled stage, uniformly over its grid; equal eta by default', () => {
    const sample = pathSampler(PAPER_PRESET, sp, 'hss');
    const rng = Rng.fromSeed(3);
    const perStage = [0, 0, 0, 0];
    const dCount = new Map<number, number>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const p = sample(rng);
      perStage[p.stage]++;
      const g = sp.stages[p.stage];
      assert.ok(g.d.includes(p.strategy.d) && g.w.includes(p.strategy.w) && g.r.includes(p.strategy.r), 'strategy inside its stage');
      if (p.stage === 3) dCount.set(p.strategy.d, (dCount.get(p.strategy.d) ?? 0) + 1);
      validateBaseModel(PAPER_PRESET, p.base);
    }
    perStage.forEach((c) => assert.ok(Math.abs(c / n - 0.25) < 0.015, `stage share ${c / n}`));
    assert.equal(dCount.size, 7);
    for (const c of dCount.values()) assert.ok(Math.abs(c / perStage[3] - 1 / 7) < 0.02);
  });

  test('uniform sampler: each dimension uniform over the union of all stages; base depth uniform', () => {
    const v = dimensionValues(sp);
    assert.equal(v.d.length, 17); // 1.00 .. 1.64 step 0.04
    assert.equal(v.r.length, 9);
    const sample = pathSampler(PAPER_PRESET, sp, 'uniform');
    const rng = Rng.fromSeed(4);
    const rCount = new Map<number, number>();
    const depth = [0, 0, 0, 0];
    const n = 18_000;
    for (let i = 0; i < n; i++) {
      const p = sample(rng);
      assert.equal(p.stage, -1);
      rCount.set(p.strategy.r, (rCount.get(p.strategy.r) ?? 0) + 1);
      depth[p.base.stages[3].length - 1]++;
    }
    for (const r of v.r) assert.ok(Math.abs((rCount.get(r) ?? 0) / n - 1 / 9) < 0.012, `r=${r}`);
    depth.forEach((c) => assert.ok(Math.abs(c / n - 0.25) < 0.015));
  });

  test('the alternative base sampler (uniform over the whole base space) draws depth n with probability 12^n / sum', () => {
    const rng = Rng.fromSeed(8);
    const n = 20_000;
    const depth = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) depth[sampleBaseModelJoint(PAPER_PRESET, rng).stages[2].length - 1]++;
    const total = 12 + 144 + 1728 + 20736;
    [12, 144, 1728, 20736].forEach((w, k) => assert.ok(Math.abs(depth[k] / n - w / total) < 0.01, `n=${k + 1}: ${depth[k] / n}`));
  });

  test('seeded: the same seed gives the same paths', () => {
    const a = sampleBaseModel(PAPER_PRESET, Rng.fromSeed(11));
    const b = sampleBaseModel(PAPER_PRESET, Rng.fromSeed(11));
    assert.deepEqual(a, b);
  });

  test('eta must have M + 1 non-negative entries summing to 1 (4xx naming eta)', () => {
    checkWeights([0.25, 0.25, 0.25, 0.25], 4, 'eta');
    for (const eta of [[0.5, 0.5], [0.5, 0.6, -0.1, 0], [0.3, 0.3, 0.3, 0.3]]) {
      assert.throws(() => pathSampler(PAPER_PRESET, sp, 'hss', { eta }), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'eta');
    }
  });
});
