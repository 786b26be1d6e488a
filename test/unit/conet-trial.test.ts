// CONet training ring (src/methods/conet/training) on tiny synthetic data, wasm backend: the ResNet preset's channel
// groups come from Alg. 1, a network is built at any group sizes, a trial trains E epochs, records R̄/κ per conv
// layer per epoch, and feeds Alg. 2, whose decisions set the next trial's sizes (Eq. 4); a run resumed from the
// JSON state after trial 1 equals the uninterrupted run.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import type { ImageSplit } from '../../src/datasets/formats';
import { ALG2_DEFAULTS } from '../../src/methods/conet/science/alg2';
import { newChannels } from '../../src/methods/conet/science/alg2';
import { ResNetNetwork, ResNetPreset, measuredLayers, resnetCost, resnetLayout, resnetParamCount, resnetSpec } from '../../src/methods/conet/training/resnet-preset';
import * as tf from '@tensorflow/tfjs-core';
import { UnprocessableError } from '../../src/common/errors';
import { ConetContext, ConetRunState, measureNetwork, runConet, runTrial, startRun } from '../../src/methods/conet/training/trial-runner';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';

const preset: ResNetPreset = { blocksPerStage: [1, 1, 1], stageChannels: [4, 8, 8], inputShape: [8, 8, 3], numClasses: 2 };

/** 32 images 8x8x3: class 1 is brighter in the red channel, class 0 in the blue one, plus noise. */
function tinyData(): ImageSplit {
  const rng = Rng.fromSeed(5);
  const count = 32;
  const images = new Uint8Array(count * 8 * 8 * 3);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 64; p++) {
      for (let c = 0; c < 3; c++) {
        const base = c === 0 ? (labels[i] ? 180 : 60) : c === 2 ? (labels[i] ? 60 : 180) : 120;
        images[(i * 64 + p) * 3 + c] = Math.max(0, Math.min(255, base + Math.floor((rng.next() - 0.5) * 100)));
      }
    }
  }
  return { count, height: 8, width: 8, channels: 3, images, labels };
}

describe('CONet ResNet preset', () => {
  test('Alg. 1 finds a stream group per stage and an inner group per block', () => {
    const layout = resnetLayout({ ...preset, blocksPerStage: [2, 2, 1] });
    const tunable = [...layout.initialSizes.keys()];
    assert.equal(tunable.length, 3 + 5);
    const g = (edge: string): number => layout.assignment.edgeOutput[edge];
    assert.equal(g('stem'), g('s0.b0.conv2'));
    assert.equal(g('s0.b0.conv2'), g('s0.b1.conv2'), 'identity shortcut ties the stage');
    assert.notEqual(g('s0.b1.conv2'), g('s1.b0.conv2'), 'projection frees the next stage');
    assert.equal(g('s1.b0.proj'), g('s1.b1.conv2'));
    assert.notEqual(g('s0.b0.conv1'), g('s0.b1.conv1'));
    assert.deepEqual([layout.initialSizes.get(g('stem')), layout.initialSizes.get(g('s1.b0.conv1'))], [4, 8]);
  });
});

describe('CONet trials (wasm)', () => {
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });

  const data = tinyData();
  const stats = channelStats(data, Array.from({ length: 32 }, (_, i) => i));
  const train = new BatchStream(data, { indices: Array.from({ length: 32 }, (_, i) => i), batchSize: 16, seed: 3, stats });
  const layout = resnetLayout(preset);
  const alg2 = { ...ALG2_DEFAULTS, maxTrials: 2, delta: 0.01, mu: 1e9 };
  const ctx: ConetContext = { spec: resnetSpec(preset), train, options: { epochs: 2, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, seed: 11, alg2 } };

  test('cost at the starting sizes: conv + linear multiply-adds counted by hand', () => {
    const c = resnetCost(layout, preset, layout.initialSizes);
    // stem 8x8·9·3·4; stage 0 (8x8) 2 x 9·4·4; stage 1 (4x4) 9·4·8 + 9·8·8 + proj 4·8; stage 2 (2x2) 2 x 9·8·8 + proj 8·8; linear 8·2 + 2
    const macs = 64 * 9 * 3 * 4 + 64 * 2 * 9 * 16 + 16 * (9 * 32 + 9 * 64 + 32) + 4 * (2 * 9 * 64 + 64) + 18;
    assert.equal(c.macs, macs);
  });

  test('a network at any group sizes has the widths of its groups; the analytic param count matches', () => {
    const sizes = new Map([...layout.initialSizes].map(([g, c]) => [g, c + g + 1]));
    const net = new ResNetNetwork(layout, preset, sizes, 1);
    try {
      const g = layout.assignment.edgeOutput['s1.b0.conv1'];
      assert.equal(net.kernel('s1.b0.conv1').shape[3], sizes.get(g));
      assert.equal(net.kernel('s1.b0.conv2').shape[2], sizes.get(g));
      assert.equal(net.paramCount(), resnetParamCount(layout, preset, sizes));
      const cost = resnetCost(layout, preset, sizes);
      assert.equal(cost.params, net.paramCount());
      // stem conv MACs: 8x8 output, 3x3 kernel, 3 -> its group's channels
      const stem = sizes.get(layout.assignment.edgeOutput.stem)!;
      assert.ok(cost.macs > 8 * 8 * 9 * 3 * stem);
    } finally {
      net.dispose();
    }
  });

  test('a diverged layer (non-finite weights) fails the measurement with a 422 naming lr', () => {
    const spec = resnetSpec(preset);
    const net = spec.build(spec.initialSizes, 2);
    try {
      const k = net.kernel('s1.b0.conv2');
      k.assign(tf.fill(k.shape, NaN));
      assert.throws(() => measureNetwork(net, spec.measured), (e: UnprocessableError) => e.status === 422 && e.violations[0].field === 'lr');
    } finally {
      net.dispose();
    }
  });

  test('a trial records R-bar/kappa per layer per epoch and Alg. 2 sets the next sizes; resuming equals running on', async () => {
    const s1 = await runTrial(startRun(layout, alg2), ctx);
    const t = s1.trials[0];
    assert.equal(t.epochs.length, 2);
    const layers = measuredLayers(layout);
    assert.equal(t.epochs[0].layers.length, layers.length);
    for (const l of t.epochs[1].layers) {
      assert.ok(l.rBar >= 0 && l.rBar <= 1, `${l.layer} R-bar ${l.rBar}`);
      assert.equal(l.rBar, (l.r3 + l.r4) / 2);
    }
    // S of each layer is Eq. 3 over epochs 1..2
    for (const sm of t.summaries) {
      const r = t.epochs.map((e) => e.layers.find((l) => l.layer === sm.layer)!.rBar);
      assert.ok(Math.abs(sm.slope - (r[1] - r[0])) < 1e-12);
      assert.equal(sm.kappaBar, t.epochs[1].layers.find((l) => l.layer === sm.layer)!.kappaBar, 'kappa-bar of the last epoch');
    }
    // the next sizes are Eq. 4 of the decisions, with phi0
    for (const d of t.decisions) {
      assert.equal(s1.search.groups.find((g) => g.group === d.group)!.channels, newChannels(d.channelsBefore, d.action, 0.2, alg2));
      assert.equal(d.channelsBefore, layout.initialSizes.get(d.group));
    }
    assert.ok(Number.isFinite(t.epochs[1].loss!));
    // resume from JSON after trial 1 == uninterrupted run
    const resumed = await runConet(JSON.parse(JSON.stringify(s1)) as ConetRunState, ctx);
    const straight = await runConet(startRun(layout, alg2), ctx);
    const strip = (s: ConetRunState): unknown => ({ ...s, trials: s.trials.map((x) => ({ ...x, seconds: null })) });
    assert.deepEqual(strip(resumed), strip(straight));
    assert.equal(straight.trials.length, 2);
    assert.equal(straight.search.stopReason, 'trial-limit');
    assert.deepEqual(straight.trials[1].channels, Object.fromEntries(s1.search.groups.map((g) => [String(g.group), g.channels])));
  });
});
