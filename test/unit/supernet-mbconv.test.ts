// Elastic MBConv supernet (src/trainer/supernet): channel masking, masked BN running statistics, elastic kernel crop,
// elastic depth, extract() equivalence and parameter count, activeParams vs gradients, config validation, and SGD
// on a tiny separable task. cpu backend, tiny shapes.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../../src/datasets/formats';
import { BatchStream } from '../../src/datasets/pipeline';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { recalibrateBatchNorm } from '../../src/trainer/engine/bn-recalibration';
import { Sgd, evaluate } from '../../src/trainer/engine/train-loop';
import {
  MaskedBatchNorm,
  MbconvConfig,
  MbconvSpace,
  MbconvSupernet,
  activation,
  blockPlans,
  elasticDepthwise,
  elasticStage,
  maskedConv2d,
  mbconvBlock,
  sliceConvWeight,
} from '../../src/trainer/supernet';

const SPACE: MbconvSpace = {
  inputShape: [8, 8, 3],
  numClasses: 4,
  stemWidth: 4,
  stemStride: 1,
  headWidth: 8,
  activation: 'relu6',
  stages: [
    { depths: [1, 2], widths: [4, 6], expandRatios: [1, 2], kernels: [3, 5], stride: 1 },
    { depths: [1, 2, 3], widths: [6, 8], expandRatios: [2, 3], kernels: [3, 5, 7], stride: 2 },
  ],
};

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const r = Rng.fromSeed(seed);
  return Float32Array.from({ length: n }, () => r.next() * 2 - 1);
}

const rand = (shape: number[], seed: number): tf.Tensor => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);

/** w[k, k, cin, cout] centre crop / channel slice computed element by element (independent of tf.slice). */
function manualSlice(w: tf.Tensor4D, k: number, cin: number, cout: number): tf.Tensor4D {
  const a = w.arraySync();
  const off = (w.shape[0] - k) / 2;
  const out = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => Array.from({ length: cin }, (_, c) => a[i + off][j + off][c].slice(0, cout))));
  return tf.tensor4d(out);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function config(stages: Array<[number, number, Array<[number, number]>]>): MbconvConfig {
  return { stages: stages.map(([depth, width, blocks]) => ({ depth, width, blocks: blocks.map(([expandRatio, kernel]) => ({ expandRatio, kernel })) })) };
}

describe('elastic MBConv supernet', () => {
  before(async () => {
    await selectBackend({ force: 'cpu' });
  });

  test('masked conv equals a conv with the sliced weight; elastic kernel is the centre crop', () => {
    tf.tidy(() => {
      const x = rand([2, 6, 6, 3], 1) as tf.Tensor4D;
      const w = rand([3, 3, 5, 7], 2) as tf.Tensor4D;
      assert.ok(maxAbsDiff(maskedConv2d(x, w, 4, 1), tf.conv2d(x, manualSlice(w, 3, 3, 4), 1, 'same')) < 1e-6);
      assert.ok(maxAbsDiff(maskedConv2d(x, w, 4, 2), tf.conv2d(x, manualSlice(w, 3, 3, 4), 2, [[0, 0], [1, 1], [1, 1], [0, 0]])) < 1e-6);
      const w7 = rand([7, 7, 5, 7], 3) as tf.Tensor4D;
      for (const k of [1, 3, 5, 7]) {
        assert.deepEqual(sliceConvWeight(w7, k, 3, 4).arraySync(), manualSlice(w7, k, 3, 4).arraySync(), `crop ${k}`);
        assert.ok(maxAbsDiff(maskedConv2d(x, w7, 4, 1, k), tf.conv2d(x, manualSlice(w7, k, 3, 4), 1, 'same')) < 1e-5, `conv k=${k}`);
      }
      const dw = rand([7, 7, 6, 1], 4) as tf.Tensor4D;
      const h = rand([2, 6, 6, 4], 5) as tf.Tensor4D;
      for (const k of [3, 5, 7]) {
        assert.ok(maxAbsDiff(elasticDepthwise(h, dw, k, 1), tf.depthwiseConv2d(h, manualSlice(dw, k, 4, 1), 1, 'same')) < 1e-5, `dw k=${k}`);
      }
      assert.throws(() => sliceConvWeight(w7, 4, 3, 4), RangeError);
      assert.throws(() => sliceConvWeight(w, 3, 6, 4), RangeError);
    });
  });

  test('masked BN: eval uses the first C running statistics; the update writes only the active slice', () => {
    const C = 6;
    const vars = new Map<string, tf.Variable>([
      ['bn.gamma', tf.variable(tf.tensor1d(values(C, 10).map((v) => 1 + 0.5 * v)))],
      ['bn.beta', tf.variable(tf.tensor1d(values(C, 11)))],
      ['bn.runMean', tf.variable(tf.tensor1d(values(C, 12)), false)],
      ['bn.runVar', tf.variable(tf.tensor1d(values(C, 13).map((v) => 1.5 + v)), false)],
    ]);
    const v = (n: string): tf.Variable => vars.get(n) as tf.Variable;
    const snap = (n: string): number[] => Array.from(v(n).dataSync());
    const x = rand([3, 4, 4, 4], 14) as tf.Tensor4D;
    const [g, b, rm, rv] = ['bn.gamma', 'bn.beta', 'bn.runMean', 'bn.runVar'].map(snap);
    const evalOut = tf.tidy(() => new MaskedBatchNorm(v, { training: false, updateStats: false, momentum: 0.1 }).apply(x, 'bn').arraySync());
    const xa = x.arraySync();
    for (const c of [0, 3]) {
      const want = ((xa[1][2][3][c] - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * g[c] + b[c];
      assert.ok(Math.abs(evalOut[1][2][3][c] - want) < 1e-5, `eval channel ${c}`);
    }
    const m = 0.3;
    tf.tidy(() => {
      const bn = new MaskedBatchNorm(v, { training: true, updateStats: true, momentum: m });
      bn.apply(x, 'bn');
      assert.deepEqual(snap('bn.runMean'), rm, 'updates wait for flush');
      bn.flush();
    });
    const flat = tf.tidy(() => tf.reshape(x, [-1, 4]).arraySync() as number[][]);
    const [rm2, rv2] = [snap('bn.runMean'), snap('bn.runVar')];
    for (let c = 0; c < 4; c++) {
      const col = flat.map((r) => r[c]);
      const mu = col.reduce((s, a) => s + a, 0) / col.length;
      const unbiased = col.reduce((s, a) => s + (a - mu) ** 2, 0) / (col.length - 1);
      assert.ok(Math.abs(rm2[c] - ((1 - m) * rm[c] + m * mu)) < 1e-5, `runMean[${c}]`);
      assert.ok(Math.abs(rv2[c] - ((1 - m) * rv[c] + m * unbiased)) < 1e-5, `runVar[${c}]`);
    }
    assert.deepEqual(rm2.slice(4), rm.slice(4), 'inactive running means unchanged');
    assert.deepEqual(rv2.slice(4), rv.slice(4), 'inactive running variances unchanged');
    for (const t of vars.values()) t.dispose();
    x.dispose();
  });

  test('elastic depth: a stage outputs its d-th block; deeper blocks do not matter', () => {
    const net = new MbconvSupernet(SPACE, 5);
    const v = (n: string): tf.Variable => net.variable(n);
    const cfg = config([[2, 6, [[2, 3], [1, 5]]], [1, 8, [[3, 7]]]]);
    const plans = blockPlans(SPACE, cfg)[0];
    tf.tidy(() => {
      const x = rand([2, 8, 8, 4], 20) as tf.Tensor4D;
      const bn = new MaskedBatchNorm(v, { training: false, updateStats: false, momentum: 0.1 });
      const act = activation('relu6');
      const two = mbconvBlock(mbconvBlock(x, plans[0], v, bn, act), plans[1], v, bn, act);
      assert.ok(maxAbsDiff(elasticStage(x, plans, v, bn, act), two) === 0);
      assert.ok(maxAbsDiff(elasticStage(x, plans.slice(0, 1), v, bn, act), mbconvBlock(x, plans[0], v, bn, act)) === 0);
      // identity shortcut: block(x) = x + F(x) exactly when stride 1 and cin == cout
      const h = mbconvBlock(x, plans[0], v, bn, act);
      assert.ok(maxAbsDiff(mbconvBlock(h, plans[1], v, bn, act), tf.add(h, mbconvBlock(h, { ...plans[1], residual: false }, v, bn, act))) < 1e-6);
    });
    const flags = (c: MbconvConfig): boolean[] => blockPlans(SPACE, c).flat().map((p) => p.residual);
    assert.deepEqual(flags(config([[2, 4, [[1, 3], [1, 3]]], [2, 8, [[2, 3], [2, 3]]]])), [true, true, false, true]);
    assert.deepEqual(flags(cfg), [false, true, false]);
    const shallow = config([[1, 6, [[2, 3]]], [1, 8, [[3, 7]]]]);
    const x = rand([2, 8, 8, 3], 21) as tf.Tensor4D;
    const run = (c: MbconvConfig): tf.Tensor2D => {
      net.set(c);
      return tf.tidy(() => net.forward(x, true, false)); // batch statistics: at init, eval-mode outputs barely depend on x
    };
    const [a1, a2] = [run(shallow), run(cfg)];
    const w = net.variable('s0.b1.project.w');
    w.assign(tf.mul(w, -3));
    const [b1, b2] = [run(shallow), run(cfg)];
    assert.equal(maxAbsDiff(a1, b1), 0, 'depth 1 ignores block 2');
    assert.ok(maxAbsDiff(a2, b2) > 1e-4, 'depth 2 uses block 2');
    tf.dispose([x, a1, a2, b1, b2]);
    net.dispose();
  });

  test('extract(): eval forward equals the supernet to 1e-5, parameter count equals the configuration', () => {
    const net = new MbconvSupernet(SPACE, 7);
    const rng = Rng.fromSeed(3);
    const x = rand([4, 8, 8, 3], 30) as tf.Tensor4D;
    // non-trivial running statistics: training-mode passes of random sub-networks
    for (let i = 0; i < 4; i++) {
      net.set(net.sample(rng));
      tf.tidy(() => net.forward(rand([4, 8, 8, 3], 40 + i) as tf.Tensor4D, true, true, 0.5));
    }
    const small = config([[1, 4, [[1, 3]]], [1, 6, [[2, 5]]]]);
    // stem 108+8, s0.b0 (4->4->4, k3) 16+8+36+8+16+8, s1.b0 (4->8->6, k5) 32+16+200+16+48+12, head 48+16, fc 36
    assert.equal(net.paramCount(small), 632);
    const configs = [small, net.maxConfig(), ...Array.from({ length: 4 }, () => net.sample(rng))];
    for (const c of configs) {
      net.set(c);
      const sub = net.extract();
      try {
        assert.equal(sub.paramCount(), net.paramCount(c), JSON.stringify(c));
        assert.equal(sub.params.length, net.activeParams().length);
        const d = tf.tidy(() => maxAbsDiff(net.forward(x, false), sub.forward(x, false)));
        assert.ok(d < 1e-5, `max |diff| ${d} for ${JSON.stringify(c)}`);
      } finally {
        sub.dispose();
      }
    }
    const full = net.params.reduce((n, p) => n + p.variable.size, 0);
    assert.equal(net.paramCount(net.maxConfig()), full, 'largest configuration owns every weight');
    x.dispose();
    net.dispose();
  });

  test('activeParams are exactly the variables with a nonzero gradient (eval-mode BN); inactive slices get zero', () => {
    const net = new MbconvSupernet(SPACE, 11);
    const rng = Rng.fromSeed(8);
    const x = rand([3, 8, 8, 3], 50) as tf.Tensor4D;
    let sawInactive = false;
    for (let trial = 0; trial < 3; trial++) {
      net.set(net.sample(rng));
      const active = new Set(net.activeParams().map((p) => p.name));
      sawInactive ||= active.size < net.params.length;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(net.forward(x, false))) as tf.Scalar, net.params.map((p) => p.variable));
      for (const p of net.params) {
        const g = grads[p.variable.name];
        const nonzero = g !== undefined && tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0;
        assert.equal(nonzero, active.has(p.name), `${p.name} (trial ${trial})`);
      }
      const cfg = net.current();
      const k = cfg.stages[1].blocks[0].kernel;
      const dw = grads[net.variable('s1.b0.dw.w').name] as tf.Tensor4D;
      if (k < 7) {
        // the border outside the centre k x k crop of the 7x7 kernel gets no gradient
        const outside = tf.tidy(() => tf.sum(tf.abs(dw)).dataSync()[0] - tf.sum(tf.abs(sliceConvWeight(dw, k, dw.shape[2], 1))).dataSync()[0]);
        assert.equal(outside, 0);
      }
      tf.dispose([value, ...Object.values(grads)]);
    }
    assert.ok(sawInactive, 'some trial left variables inactive');
    x.dispose();
    net.dispose();
  });

  test('invalid configurations and spaces throw a RangeError naming the field; sampling is uniform', () => {
    const net = new MbconvSupernet(SPACE, 1);
    const ok = config([[1, 4, [[1, 3]]], [1, 6, [[2, 5]]]]);
    assert.throws(() => net.set(config([[1, 4, [[1, 3]]]])), /stages must have one entry per stage/);
    assert.throws(() => net.set(config([[3, 4, [[1, 3], [1, 3], [1, 3]]], [1, 6, [[2, 5]]]])), (e: Error) => e instanceof RangeError && /stages\[0\]\.depth/.test(e.message));
    assert.throws(() => net.set(config([[1, 5, [[1, 3]]], [1, 6, [[2, 5]]]])), /stages\[0\]\.width/);
    assert.throws(() => net.set(config([[2, 4, [[1, 3]]], [1, 6, [[2, 5]]]])), /stages\[0\]\.blocks must/);
    assert.throws(() => net.set(config([[1, 4, [[1, 3]]], [1, 6, [[4, 5]]]])), /stages\[1\]\.blocks\[0\]\.expandRatio/);
    assert.throws(() => net.extract(config([[1, 4, [[1, 3]]], [1, 6, [[2, 9]]]])), /stages\[1\]\.blocks\[0\]\.kernel/);
    net.set(ok);
    assert.deepEqual(net.current(), ok);
    const bad = { ...SPACE, stages: [{ ...SPACE.stages[0], kernels: [3, 4] }] };
    assert.throws(() => new MbconvSupernet(bad, 1), (e: Error) => e instanceof RangeError && /stages\[0\]\.kernels/.test(e.message));
    assert.throws(() => new MbconvSupernet({ ...SPACE, headWidth: 0 }, 1), /headWidth/);
    const rng = Rng.fromSeed(4);
    const depthCounts = [0, 0, 0];
    const kernelCounts = new Map<number, number>();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const c = net.sample(rng);
      depthCounts[c.stages[1].depth - 1]++;
      kernelCounts.set(c.stages[1].blocks[0].kernel, (kernelCounts.get(c.stages[1].blocks[0].kernel) ?? 0) + 1);
    }
    // binomial sd at p = 1/3, N = 3000 is ~26: a 120 band is > 4.5 sd
    for (const n of [...depthCounts, ...kernelCounts.values()]) assert.ok(Math.abs(n - N / 3) < 120, `counts ${depthCounts} ${[...kernelCounts]}`);
    net.dispose();
  });

  test('Sgd on a fixed sub-network lowers the loss on a separable task; evaluate() runs; inactive weights stay put', async (t) => {
    const n = 32;
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 4);
    const r = Rng.fromSeed(99);
    // class k = a bright 4x4 quadrant k, plus noise
    const images = Uint8Array.from({ length: n * 192 }, (_, i) => {
      const p = i % 192;
      const q = (Math.floor(p / 24) >= 4 ? 2 : 0) + (Math.floor((p % 24) / 3) >= 4 ? 1 : 0);
      return Math.round((q === labels[Math.floor(i / 192)] ? 200 : 60) + 40 * (r.next() - 0.5));
    });
    const data: ImageSplit = { count: n, height: 8, width: 8, channels: 3, images, labels };
    const stats = { mean: [0.4, 0.4, 0.4], std: [0.3, 0.3, 0.3], images: n };
    const idx = Array.from({ length: n }, (_, i) => i);
    const train = new BatchStream(data, { indices: idx, batchSize: 16, seed: 1, stats });
    const test_ = new BatchStream(data, { indices: idx, batchSize: 16, seed: 1, stats, shuffle: false });
    const net = new MbconvSupernet(SPACE, 21);
    net.set(config([[1, 6, [[2, 3]]], [2, 6, [[2, 5], [3, 3]]]]));
    const inactive = net.variable('s1.b2.expand.w');
    const frozen = Array.from(inactive.dataSync());
    const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
    const before0 = await evaluate(net, test_);
    const losses: number[] = [];
    for (let epoch = 0; epoch < 12; epoch++) for (const b of train.epoch(epoch)) losses.push(sgd.step(b, 0.05, 0));
    // OFA-style BN recalibration of the sub-network (cumulative running statistics over the train set)
    assert.equal(recalibrateBatchNorm(net, test_.epoch(0)), 2);
    const after = await evaluate(net, test_);
    t.diagnostic(`train loss per step: ${losses.map((l) => l.toFixed(3)).join(' ')}; eval before ${JSON.stringify(before0)}, after ${JSON.stringify(after)}`);
    assert.ok(losses.every(Number.isFinite));
    const first = (losses[0] + losses[1]) / 2;
    const last = (losses[losses.length - 1] + losses[losses.length - 2]) / 2;
    assert.ok(first > 1.2, `initial loss ${first} near ln 4`);
    assert.ok(last < 0.5 * first, `train loss ${first} -> ${last}`);
    assert.ok(after.loss < 0.7 * before0.loss, `eval loss ${before0.loss} -> ${after.loss}`);
    assert.ok(after.accuracy >= 0.75, `eval accuracy ${after.accuracy} (chance 0.25)`);
    assert.equal(after.images, n);
    assert.deepEqual(Array.from(inactive.dataSync()), frozen, 'a block beyond the depth is not updated');
    assert.ok(!sgd.buffers.has('s1.b2.expand.w'), 'no momentum buffer for an inactive parameter');
    sgd.dispose();
    net.dispose();
  });
});
