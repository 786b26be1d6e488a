import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/trainer/engine/backend';
import { MacroSupernet, macroSupernetLayout } from '../../src/trainer/supernet/macro-supernet';

const W = 0.125; // stem 4, stages 8/16/32, head 160

function input(n = 2): tf.Tensor4D {
  const vals = Float32Array.from({ length: n * 32 * 32 * 3 }, (_, i) => Math.sin(i * 0.37));
  return tf.tensor4d(vals, [n, 32, 32, 3]);
}

function logits(net: MacroSupernet, ops: number[]): Float32Array {
  net.set(ops);
  return tf.tidy(() => net.forward(input(), true, false).dataSync() as Float32Array); // batch statistics: activations stay O(1) in an untrained net
}

/** Adds `delta` to the entries of variable `name` selected by `pick` (flat index, shape). */
function perturb(net: MacroSupernet, name: string, pick: (idx: number[]) => boolean, delta = 0.5): void {
  const v = net.variable(name);
  const vals = v.dataSync().slice() as Float32Array;
  const shape = v.shape;
  for (let i = 0; i < vals.length; i++) {
    const idx: number[] = [];
    let r = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx.unshift(r % shape[d]);
      r = Math.floor(r / shape[d]);
    }
    if (pick(idx)) vals[i] += delta;
  }
  v.assign(tf.tensor(vals, shape));
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('NAS-Bench-Macro supernet (8 layers, identity / MB3_K3 / MB6_K5, shared elastic MBConv weights)', () => {
  before(async () => {
    await selectBackend({ force: 'cpu' });
  });

  test('layout follows the Macro network: 32 -> 64/64 -> 128 x3 -> 256 x3, head 1280, scaled by the width multiplier', () => {
    const full = macroSupernetLayout(1);
    assert.equal(full.stem, 32);
    assert.equal(full.head, 1280);
    assert.deepEqual(full.layers.map((l) => l.cout), [64, 64, 128, 128, 128, 256, 256, 256]);
    assert.deepEqual(full.layers.map((l) => l.stride), [2, 1, 2, 1, 1, 2, 1, 1]);
    assert.deepEqual(full.layers.map((l) => l.noOpIdentity), [false, true, false, true, true, false, true, true]);
    assert.deepEqual(macroSupernetLayout(W).layers.map((l) => l.cout), [8, 8, 16, 16, 16, 32, 32, 32]);
    assert.throws(() => macroSupernetLayout(0), RangeError);
  });

  test('active parameters: a stride-1 identity has none, a stride-2 identity its 1x1 conv + BN, a block its MBConv', () => {
    const net = new MacroSupernet({ widthMultiplier: W, seed: 1 });
    try {
      net.set([0, 0, 0, 0, 0, 0, 0, 0]);
      const names = net.activeParams().map((p) => p.name);
      assert.deepEqual(names.filter((n) => n.startsWith('l')), ['l0.skip.w', 'l0.skip.bn.gamma', 'l0.skip.bn.beta', 'l2.skip.w', 'l2.skip.bn.gamma', 'l2.skip.bn.beta', 'l5.skip.w', 'l5.skip.bn.gamma', 'l5.skip.bn.beta']);
      net.set([1, 2, 0, 0, 0, 0, 0, 0]);
      const n2 = net.activeParams().map((p) => p.name).filter((n) => /^l[01]\./.test(n));
      assert.deepEqual(n2, ['l0.expand.w', 'l0.expand.bn.gamma', 'l0.expand.bn.beta', 'l0.dw.w', 'l0.dw.bn.gamma', 'l0.dw.bn.beta', 'l0.project.w', 'l0.project.bn.gamma', 'l0.project.bn.beta',
        'l1.expand.w', 'l1.expand.bn.gamma', 'l1.expand.bn.beta', 'l1.dw.w', 'l1.dw.bn.gamma', 'l1.dw.bn.beta', 'l1.project.w', 'l1.project.bn.gamma', 'l1.project.bn.beta']);
      assert.throws(() => net.set([0, 0, 0]), RangeError);
      assert.throws(() => net.set([0, 0, 0, 0, 0, 0, 0, 3]), RangeError);
    } finally {
      net.dispose();
    }
  });

  test('forward gives one logit row per image for every op in every layer', () => {
    const net = new MacroSupernet({ widthMultiplier: W, seed: 2 });
    try {
      for (const ops of [[0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2, 2], [2, 0, 1, 0, 2, 0, 1, 2]]) {
        const out = logits(net, ops);
        assert.equal(out.length, 2 * 10);
        assert.ok(out.every(Number.isFinite));
      }
    } finally {
      net.dispose();
    }
  });

  test('MB3_K3 shares MB6_K5 weights: first 3*cin hidden channels and the centre 3x3 of the 5x5 depthwise kernel', () => {
    const net = new MacroSupernet({ widthMultiplier: W, seed: 3 });
    try {
      const cin = net.layout.layers[3].cin; // layer 3: stride 1, 16 -> 16 at W
      const mb3 = [1, 1, 1, 1, 1, 1, 1, 1];
      const mb6 = [1, 1, 1, 2, 1, 1, 1, 1];
      const before3 = logits(net, mb3);
      const before6 = logits(net, mb6);
      // hidden channels beyond 3*cin (MB6_K5 only)
      perturb(net, 'l3.expand.w', (i) => i[3] >= 3 * cin);
      assert.ok(maxDiff(logits(net, mb3), before3) < 1e-6, 'MB3_K3 must not see hidden channels >= 3 cin');
      assert.ok(maxDiff(logits(net, mb6), before6) > 1e-4, 'MB6_K5 must use every hidden channel');
      const mid3 = logits(net, mb3);
      const mid6 = logits(net, mb6);
      // the outer ring of the 5x5 depthwise kernel (MB6_K5 only)
      perturb(net, 'l3.dw.w', (i) => i[0] === 0 || i[0] === 4 || i[1] === 0 || i[1] === 4);
      assert.ok(maxDiff(logits(net, mb3), mid3) < 1e-6, 'MB3_K3 must use the centre 3x3 crop only');
      assert.ok(maxDiff(logits(net, mb6), mid6) > 1e-4);
      // the centre 3x3 of the first 3*cin channels is shared
      perturb(net, 'l3.dw.w', (i) => i[0] === 2 && i[1] === 2 && i[2] < 3 * cin);
      assert.ok(maxDiff(logits(net, mb3), mid3) > 1e-4, 'MB3_K3 must use the shared centre taps');
    } finally {
      net.dispose();
    }
  });

  test('a stride-1 identity is a no-op: the layer\'s block weights do not matter; a stride-2 identity uses its 1x1 conv', () => {
    const net = new MacroSupernet({ widthMultiplier: W, seed: 4 });
    try {
      const ops = [0, 0, 1, 0, 1, 1, 0, 2];
      const ref = logits(net, ops);
      for (const p of net.params) if (p.name.startsWith('l1.') && p.name.endsWith('.w')) perturb(net, p.name, () => true);
      assert.ok(!net.params.some((p) => p.name.startsWith('l1.skip')), 'a stride-1 same-width layer has no identity conv');
      assert.ok(maxDiff(logits(net, ops), ref) < 1e-6);
      perturb(net, 'l0.skip.w', () => true, 0.3);
      assert.ok(maxDiff(logits(net, ops), ref) > 1e-4);
    } finally {
      net.dispose();
    }
  });
});
