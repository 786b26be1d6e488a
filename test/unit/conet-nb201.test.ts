// CONet on an NB201 architecture (src/methods/conet/training/nb201-preset): the cell network's channel groups from
// Alg. 1 (skip / avg-pool tie nodes, conv edges do not, all-`none` nodes follow the cell input), a network at
// non-uniform group sizes runs the trainer's NB201 forward pass, and a trial runs through the same runner.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { ALG2_DEFAULTS } from '../../src/methods/conet/science/alg2';
import { Nb201Preset, nb201Layout, nb201Spec } from '../../src/methods/conet/training/nb201-preset';
import { runTrial, startRun } from '../../src/methods/conet/training/trial-runner';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';

const ARCH = '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|nor_conv_3x3~1|skip_connect~2|';

describe('CONet NB201 preset', () => {
  const ops = parseArchStr(ARCH)!;
  const preset: Nb201Preset = { ops, channels: 4, cellsPerStage: 2, inputShape: [8, 8, 3], numClasses: 3 };

  test('groups: one stream per stage (skips tie the cell input, node 2 and node 3), node 1 per cell, the reduction mid', () => {
    const l = nb201Layout(preset);
    const g = (node: string): number => l.assignment.nodeChannels[node][0];
    assert.equal(g('stem'), g('s0.c0.n2'));
    assert.equal(g('s0.c0.n3'), g('s0.c1.n3'));
    assert.notEqual(g('s0.c0.n1'), g('s0.c0.n3'));
    assert.notEqual(g('s0.c0.n1'), g('s0.c1.n1'));
    assert.equal(g('red1.out'), g('s1.c1.n3'));
    assert.notEqual(g('red1.mid'), g('red1.out'));
    // 3 streams + 2 x 3 node-1 groups + 2 reduction mids
    assert.equal(l.initialSizes.size, 3 + 6 + 2);
    assert.equal(l.initialSizes.get(g('s2.c0.n1')), 16);
    // all-none cell: every node follows the cell input; a conv-only cell: every node its own group
    const none = nb201Layout({ ...preset, ops: [0, 0, 0, 0, 0, 0] });
    assert.equal(none.assignment.nodeChannels['s0.c0.n3'][0], none.assignment.nodeChannels.stem[0]);
    const conv = nb201Layout({ ...preset, ops: [3, 3, 3, 3, 3, 3] });
    assert.equal(new Set([1, 2, 3].map((j) => conv.assignment.nodeChannels[`s0.c0.n${j}`][0])).size, 3);
  });

  describe('with tensors (wasm)', () => {
    before(async () => {
      await selectBackend({ force: 'wasm' });
    });

    test('non-uniform group sizes: forward works, param count matches, a trial runs', async () => {
      const spec = nb201Spec(preset);
      const sizes = new Map([...spec.initialSizes].map(([g, c]) => [g, c + (g % 4)]));
      const net = spec.build(sizes, 3);
      try {
        const logits = tf.tidy(() => net.forward(tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D, true).shape);
        assert.deepEqual(logits, [2, 3]);
        assert.equal(net.paramCount(), spec.paramCount(sizes));
      } finally {
        net.dispose();
      }
      const rng = Rng.fromSeed(1);
      const images = Uint8Array.from({ length: 16 * 8 * 8 * 3 }, () => Math.floor(rng.next() * 256));
      const labels = Uint8Array.from({ length: 16 }, (_, i) => i % 3);
      const data = { count: 16, height: 8, width: 8, channels: 3, images, labels };
      const idx = Array.from({ length: 16 }, (_, i) => i);
      const train = new BatchStream(data, { indices: idx, batchSize: 8, seed: 2, stats: channelStats(data, idx) });
      const alg2 = { ...ALG2_DEFAULTS, maxTrials: 1 };
      const s = await runTrial(startRun(spec, alg2), { spec, train, options: { epochs: 2, lr: 0.05, momentum: 0.9, weightDecay: 0, seed: 4, alg2 } });
      assert.equal(s.trials[0].epochs[1].layers.length, spec.measured.length);
      assert.equal(s.trials[0].decisions.length, spec.initialSizes.size);
      assert.equal(s.search.stopReason, 'trial-limit');
    });
  });
});
