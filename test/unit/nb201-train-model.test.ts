// The TensorFlow.js NB201 cell network (src/trainer/nb201/model.ts): parameter count equal to the cost counter's
// (src/search/spaces/cost via src/benchmarks/nb201/network.ts, BN affine params included), deterministic seeded init,
// and one SGD step / a few steps on a fixed batch on the wasm backend.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { nb201NetworkLayers } from '../../src/benchmarks/nb201/network';
import type { Nb201Dataset } from '../../src/benchmarks/nb201/types';
import { NB201_FLOPS_CONVENTION, countNetwork } from '../../src/search/spaces/cost';
import { selectBackend } from '../../src/trainer/engine/backend';
import { Nb201Network } from '../../src/trainer/nb201/model';
import { Sgd, exportState, learningRate } from '../../src/trainer/engine/train-loop';

const RESNET = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|';
const ARCHES = [
  RESNET,
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
  '|nor_conv_1x1~0|+|avg_pool_3x3~0|skip_connect~1|+|none~0|nor_conv_1x1~1|avg_pool_3x3~2|',
  '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
];

function ops(arch: string): number[] {
  const o = parseArchStr(arch);
  assert.ok(o, `parse ${arch}`);
  return o;
}

describe('NB201 TensorFlow.js network', () => {
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });

  test('parameter count equals the cost counter (C, N, classes; BN gamma/beta included) for several cells', () => {
    const cases: Array<{ C: number; N: number; dataset: Nb201Dataset; classes: number; input: [number, number, number] }> = [
      { C: 16, N: 5, dataset: 'cifar10', classes: 10, input: [32, 32, 3] },
      { C: 16, N: 5, dataset: 'cifar100', classes: 100, input: [32, 32, 3] },
      { C: 8, N: 1, dataset: 'ImageNet16-120', classes: 120, input: [16, 16, 3] },
    ];
    for (const arch of ARCHES) {
      for (const c of cases) {
        const counted = countNetwork(nb201NetworkLayers(ops(arch), c.dataset, { channels: c.C, cellsPerStage: c.N }), NB201_FLOPS_CONVENTION);
        const net = new Nb201Network({ ops: ops(arch), channels: c.C, cellsPerStage: c.N, inputShape: c.input, numClasses: c.classes, seed: 1 });
        try {
          assert.equal(net.paramCount(), counted.params, `${arch} C=${c.C} N=${c.N} ${c.dataset}`);
        } finally {
          net.dispose();
        }
      }
    }
  });

  test('the seed fixes the initial weights; another seed changes them', () => {
    const make = (seed: number): Nb201Network => new Nb201Network({ ops: ops(RESNET), channels: 4, cellsPerStage: 1, inputShape: [8, 8, 1], numClasses: 3, seed });
    const [a, b, c] = [make(7), make(7), make(8)];
    const flat = (n: Nb201Network): number[] => n.params.flatMap((p) => Array.from(p.variable.dataSync()));
    assert.deepEqual(flat(a), flat(b));
    assert.notDeepEqual(flat(a), flat(c));
    [a, b, c].forEach((n) => n.dispose());
  });

  test('SGD steps change every conv weight and lower the loss on a fixed batch; eval-mode forward works', () => {
    const net = new Nb201Network({ ops: ops(ARCHES[1]), channels: 4, cellsPerStage: 1, inputShape: [8, 8, 3], numClasses: 4, seed: 3 });
    const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
    const n = 16;
    // class k = a bright 4x4 quadrant k (+ deterministic noise): learnable by any working conv net
    const y = Int32Array.from({ length: n }, (_, i) => i % 4);
    const x = Float32Array.from({ length: n * 8 * 8 * 3 }, (_, i) => {
      const img = Math.floor(i / 192);
      const r = Math.floor((i % 192) / 24);
      const c = Math.floor((i % 24) / 3);
      const q = (r >= 4 ? 2 : 0) + (c >= 4 ? 1 : 0);
      return (q === y[img] ? 1 : -0.5) + 0.3 * Math.sin(i * 12.9898);
    });
    const batch = { x, y, shape: [n, 8, 8, 3] as [number, number, number, number] };
    const before0 = exportState(net, sgd);
    const losses = [sgd.step(batch, 0.05, 0)];
    const after1 = exportState(net, sgd);
    for (const p of net.params) {
      if (!p.name.endsWith('.w')) continue;
      assert.notDeepEqual(after1[`p:${p.name}`], before0[`p:${p.name}`], `${p.name} changed`);
    }
    assert.notDeepEqual(after1['b:stem.bn.runMean'], before0['b:stem.bn.runMean'], 'BN running mean updated');
    for (let i = 0; i < 14; i++) losses.push(sgd.step(batch, 0.05, 0));
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses[0] > 1.2, `initial loss ${losses[0]} near ln 4`);
    assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss ${losses[0]} -> ${losses[losses.length - 1]}`);
    const logits = tf.tidy(() => net.forward(tf.tensor4d(x, batch.shape), false).arraySync());
    assert.equal(logits.length, n);
    assert.ok(logits.flat().every(Number.isFinite));
    sgd.dispose();
    net.dispose();
  });

  test('micro-batches: a whole-batch chunk equals the plain step bit for bit; 2 x 8 chunks also learn', () => {
    const cfg = { ops: ops(RESNET), channels: 4, cellsPerStage: 1, inputShape: [8, 8, 3] as [number, number, number], numClasses: 4, seed: 9 };
    const n = 16;
    const y = Int32Array.from({ length: n }, (_, i) => i % 4);
    const x = Float32Array.from({ length: n * 192 }, (_, i) => (Math.floor((i % 192) / 96) * 2 + Math.floor((i % 24) / 12) === y[Math.floor(i / 192)] ? 1 : -0.5) + 0.3 * Math.sin(i));
    const batch = { x, y, shape: [n, 8, 8, 3] as [number, number, number, number] };
    const run = (micro: number | undefined, steps: number): { losses: number[]; state: Record<string, Float32Array> } => {
      const net = new Nb201Network(cfg);
      const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
      const losses: number[] = [];
      for (let i = 0; i < steps; i++) losses.push(micro === undefined ? sgd.step(batch, 0.05, 0.1) : sgd.step(batch, 0.05, 0.1, micro));
      const state = exportState(net, sgd);
      sgd.dispose();
      net.dispose();
      return { losses, state };
    };
    const plain = run(undefined, 2);
    assert.deepEqual(run(64, 2), plain);
    const chunked = run(8, 15);
    assert.ok(chunked.losses.every(Number.isFinite));
    assert.ok(chunked.losses[14] < 0.7 * chunked.losses[0], `loss ${chunked.losses[0]} -> ${chunked.losses[14]}`);
  });

  test('cosine schedule with linear warm-up', () => {
    const s = { baseLr: 0.1, minLr: 0, totalSteps: 110, warmupSteps: 10 };
    assert.ok(Math.abs(learningRate(0, s) - 0.01) < 1e-12);
    assert.ok(Math.abs(learningRate(9, s) - 0.1) < 1e-12);
    assert.ok(Math.abs(learningRate(10, s) - 0.1) < 1e-12);
    assert.ok(Math.abs(learningRate(60, s) - 0.05) < 1e-12);
    assert.ok(learningRate(109, s) < 1e-4);
  });
});
