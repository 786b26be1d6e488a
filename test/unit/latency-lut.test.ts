// Latency look-up tables (src/search/spaces/cost/latency.ts): sums over hand-made tables, a typed error for a
// missing key, pinned canonical keys (stable under field order and defaults, changed by any field), ScaleNet's unit
// enumeration covering every sampled path of the preset, latency budgets' validation, MCEA's latency constraint,
// and the tfjs forwards of every unit kind producing the shape the key's unit says (no timing asserted).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { InvalidInputError, UnprocessableError } from '../../src/common/errors';
import { Rng } from '../../src/common/rng';
import { LatencyUnit, MissingLatencyEntryError, layerSpecKey, missingKeys, predictLatencyMs, unitKey, unitOutput } from '../../src/search/spaces/cost';
import { sampleBaseModel } from '../../src/methods/scalenet/science/hss';
import { checkLatencyReach, latencyBudgets, netLatencyUnits, pathLatencyUnits, presetLatencyUnits } from '../../src/methods/scalenet/science/latency';
import { Mcea, mceaConfig } from '../../src/methods/scalenet/science/mcea';
import { generatePath } from '../../src/methods/scalenet/science/path';
import { extremeBases } from '../../src/methods/scalenet/science/problem';
import { SMALL_PRESET, scalingSpace, stageStrategies } from '../../src/methods/scalenet/science/space';
import { buildForward } from '../../src/trainer/latency/unit-forward';
import { median } from '../../src/trainer/latency/measure';

const mb: LatencyUnit = { kind: 'mbconv', input: { c: 16, h: 8, w: 8 }, cout: 24, expand: 6, kernel: 5, stride: 2, se: 4, activation: 'swish', residual: false };
const rb: LatencyUnit = { kind: 'resblock', input: { c: 16, h: 32, w: 32 }, cout: 32, stride: 2, projection: true };
const stem: LatencyUnit = { kind: 'conv', input: { c: 3, h: 32, w: 32 }, cout: 16, kernel: 3, stride: 1, groups: 1, bn: true, activation: 'relu' };
const head: LatencyUnit = { kind: 'classifier', input: { c: 32, h: 4, w: 4 }, classes: 10 };
const layer: LatencyUnit = { kind: 'layer', input: { c: 8, h: 16, w: 16 }, spec: { kind: 'conv2d', inChannels: 8, outChannels: 12, kernel: 3, padding: 1 } };

describe('latency LUT library', () => {
  test('canonical keys are pinned', () => {
    assert.equal(unitKey(mb), 'mbconv@16x8x8>24,e6,k5,s2,se4,swish,r0');
    assert.equal(unitKey(rb), 'resblock@16x32x32>32,s2,p1');
    assert.equal(unitKey(stem), 'conv@3x32x32>16,k3,s1,g1,bn1,relu');
    assert.equal(unitKey(head), 'classifier@32x4x4>10');
    assert.equal(unitKey(layer), 'layer@8x16x16:conv2d(8>12,k3,s1,p1,d1,g1,b0)');
  });

  test('keys do not depend on field order or spelled-out defaults, and every field changes them', () => {
    const reordered = JSON.parse(JSON.stringify({ residual: false, activation: 'swish', se: 4, stride: 2, kernel: 5, expand: 6, cout: 24, input: { w: 8, h: 8, c: 16 }, kind: 'mbconv' })) as LatencyUnit;
    assert.equal(unitKey(reordered), unitKey(mb));
    assert.equal(layerSpecKey({ kind: 'conv2d', inChannels: 8, outChannels: 12, kernel: 3, padding: 1 }), layerSpecKey({ kind: 'conv2d', inChannels: 8, outChannels: 12, kernel: [3, 3], stride: 1, padding: [1, 1], dilation: 1, groups: 1, bias: false }));
    const variants: LatencyUnit[] = [
      { ...mb, cout: 25 },
      { ...mb, expand: 3 },
      { ...mb, kernel: 3 },
      { ...mb, stride: 1 },
      { ...mb, se: 0 },
      { ...mb, activation: 'relu6' },
      { ...mb, residual: true },
      { ...mb, input: { c: 16, h: 9, w: 8 } },
      { ...mb, input: { c: 17, h: 8, w: 8 } },
      { ...rb, projection: false },
    ];
    const keys = new Set([unitKey(mb), unitKey(rb), ...variants.map(unitKey)]);
    assert.equal(keys.size, variants.length + 2);
  });

  test('predictLatencyMs sums the entries of every unit (repeats counted), and names a missing key', () => {
    const table = { space: 'hand-made', entries: { [unitKey(stem)]: 0.5, [unitKey(mb)]: 1.25, [unitKey(head)]: 0.125 } };
    assert.equal(predictLatencyMs(table, [stem, mb, mb, head]), 0.5 + 2 * 1.25 + 0.125);
    assert.equal(predictLatencyMs(table, []), 0);
    assert.throws(
      () => predictLatencyMs(table, [stem, rb]),
      (e: unknown) => e instanceof MissingLatencyEntryError && e.key === unitKey(rb) && e.space === 'hand-made',
    );
    assert.deepEqual(missingKeys(table, [stem, rb, rb, layer]), [unitKey(rb), unitKey(layer)]);
    // a fixed per-run cost is in every entry once and in a whole network once
    const withOverhead = { ...table, overheadMs: 0.1 };
    assert.ok(Math.abs(predictLatencyMs(withOverhead, [stem, mb, mb, head]) - (0.1 + 0.4 + 2 * 1.15 + 0.025)) < 1e-12);
    assert.ok(Math.abs(predictLatencyMs(withOverhead, [mb]) - 1.25) < 1e-12, 'one unit: its entry');
    // a unit timed below the fixed cost (timer noise on a tiny layer) adds nothing, never negative time
    const noisy = { ...table, overheadMs: 0.2 };
    assert.ok(Math.abs(predictLatencyMs(noisy, [stem, head]) - (0.2 + 0.3 + 0)) < 1e-12);
    assert.ok(predictLatencyMs(noisy, [head, head, head]) >= 0.2);
    assert.throws(() => predictLatencyMs({ space: 'x', entries: {} }, [head]), MissingLatencyEntryError);
  });

  test('unit output shapes chain: same-padding convs give ceil(n / stride)', () => {
    assert.deepEqual(unitOutput(mb), { c: 24, h: 4, w: 4 });
    assert.deepEqual(unitOutput({ ...rb, input: { c: 16, h: 7, w: 7 } }), { c: 32, h: 4, w: 4 });
    assert.deepEqual(unitOutput(head), { c: 10, h: 1, w: 1 });
    assert.deepEqual(unitOutput(layer), { c: 12, h: 16, w: 16 });
  });

  test('median', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});

describe('ScaleNet latency units', () => {
  const space = scalingSpace(SMALL_PRESET, 1);
  const keys = new Set(presetLatencyUnits(SMALL_PRESET, space).map(unitKey));

  test("a path's units: stem, every block, head conv, classifier; chained shapes", () => {
    const base = sampleBaseModel(SMALL_PRESET, Rng.fromSeed(3));
    const net = generatePath(SMALL_PRESET, base, { d: 1.08, w: 1.12, r: 1.07 });
    const units = netLatencyUnits(net);
    assert.equal(units.length, 3 + net.stages.reduce((a, s) => a + s.blocks.length, 0));
    for (let i = 1; i < units.length; i++) assert.deepEqual(units[i].input, unitOutput(units[i - 1]), `unit ${i} input`);
    const blocks = units.filter((u): u is Extract<LatencyUnit, { kind: 'mbconv' }> => u.kind === 'mbconv');
    for (const b of blocks) assert.equal(b.residual, b.stride === 1 && b.input.c === b.cout, unitKey(b));
    assert.ok(blocks.some((b) => b.residual) && blocks.some((b) => !b.residual));
    assert.equal(units[0].input.h, 35);
  });

  test('the preset table covers every unit of 300 sampled paths of stages 0..M', () => {
    const rng = Rng.fromSeed(11);
    for (let n = 0; n < 300; n++) {
      const j = rng.int(space.M + 1);
      const grid = stageStrategies(space, j);
      const p = { base: sampleBaseModel(SMALL_PRESET, rng), strategy: grid[rng.int(grid.length)] };
      for (const u of pathLatencyUnits(SMALL_PRESET, p)) assert.ok(keys.has(unitKey(u)), `missing ${unitKey(u)}`);
    }
  });

  test('latency budgets: l_j = 2^j l0 or a list; 4xx naming the field', () => {
    assert.deepEqual(latencyBudgets({ l0: 2 }, 2, 'spec.maxLatencyMs'), [2, 4, 8]);
    assert.deepEqual(latencyBudgets({ list: [1, 3] }, 1, 'spec.maxLatencyMs'), [1, 3]);
    const field = (f: () => unknown, name: string): void =>
      assert.throws(f, (e: unknown) => e instanceof InvalidInputError && e.violations.some((v) => v.field === name));
    field(() => latencyBudgets({ l0: 0 }, 1, 'spec.maxLatencyMs'), 'spec.maxLatencyMs.l0');
    field(() => latencyBudgets({ list: [1] }, 1, 'spec.maxLatencyMs'), 'spec.maxLatencyMs.list');
    field(() => latencyBudgets({ list: [2, 1] }, 1, 'spec.maxLatencyMs'), 'spec.maxLatencyMs.list[1]');
    field(() => latencyBudgets({ l0: 1, list: [1, 2] }, 1, 'spec.maxLatencyMs'), 'spec.maxLatencyMs');
    field(() => latencyBudgets({}, 1, 'spec.maxLatencyMs'), 'spec.maxLatencyMs');
  });

  test('reach: a budget below the fastest path of its stage is a 422 naming the field', () => {
    const predict = (p: { strategy: { r: number } }): number => 10 * p.strategy.r;
    const fastest = extremeBases(SMALL_PRESET).min;
    assert.deepEqual(checkLatencyReach(space, [10, 20], predict, 'spec.maxLatencyMs', fastest), [10, 10]);
    assert.throws(
      () => checkLatencyReach(space, [9.9, 20], predict, 'spec.maxLatencyMs', fastest),
      (e: unknown) => e instanceof UnprocessableError && e.violations.some((v) => v.field === 'spec.maxLatencyMs' && v.rule === 'reachable'),
    );
  });

  test('MCEA: the latency cap adds its relative excess to the violation; FLOPs can be left unenforced', () => {
    const base = extremeBases(SMALL_PRESET).min;
    const S = { d: 1, w: 1, r: 1 };
    const cfg = mceaConfig(1, { T: 1, K: 1, P: 2, N: 1 });
    const evaluate = async (): Promise<number> => 0.5;
    const problem = { preset: SMALL_PRESET, space, budgets: [1, 2] }; // FLOPs budgets far below any path
    const flopsOnly = new Mcea(problem, cfg, evaluate);
    assert.ok(flopsOnly.violation(base, S, 0) > 0);
    const latOnly = new Mcea({ ...problem, flopsConstrained: false, latency: { budgetsMs: [4, 8], predict: () => 5 } }, cfg, evaluate);
    assert.equal(latOnly.violation(base, S, 0), 0.25);
    assert.equal(latOnly.violation(base, S, 1), 0);
    const both = new Mcea({ ...problem, latency: { budgetsMs: [4, 8], predict: () => 5 } }, cfg, evaluate);
    assert.equal(both.violation(base, S, 0), flopsOnly.violation(base, S, 0) + 0.25);
  });
});

describe('latency unit forwards (tfjs cpu)', () => {
  test('every unit kind runs at batch 1 and gives the shape unitOutput says; a chain gives the last unit\'s', async () => {
    await tf.setBackend('cpu');
    const units: LatencyUnit[] = [stem, mb, rb, head, layer, { ...mb, input: { c: 8, h: 5, w: 5 }, cout: 8, stride: 1, expand: 1, se: 0, residual: true }];
    for (const u of units) {
      const f = buildForward([u]);
      const x = tf.zeros([1, u.input.h, u.input.w, u.input.c]) as tf.Tensor4D;
      const y = f.forward(x);
      const o = unitOutput(u);
      assert.deepEqual(y.shape, [1, o.h, o.w, o.c], unitKey(u));
      tf.dispose([x, y]);
      f.dispose();
    }
    const chain: LatencyUnit[] = [stem, { ...rb, input: { c: 16, h: 32, w: 32 } }, { kind: 'classifier', input: { c: 32, h: 16, w: 16 }, classes: 10 }];
    const f = buildForward(chain);
    const y = f.forward(tf.zeros([1, 32, 32, 3]) as tf.Tensor4D);
    assert.deepEqual(y.shape, [1, 1, 1, 10]);
    f.dispose();
  });
});
