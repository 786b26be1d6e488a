// The wasm conv kernels split over two threads (src/trainer/engine/wasm-kernels/batch-split.ts): with the split
// forced on every size, conv / depthwise forward passes and input gradients equal the unsplit kernels exactly (each
// image's result is computed alone either way) and filter gradients agree to float rounding; gradients agree with
// the pure-JS `cpu` backend. Error measure: max|got - ref| / max(1, max|ref|) <= 1e-4. ENGINE_TEST_SEED reproduces.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { batchSplitActive, batchSplitCalls, setBatchSplitMinMacs, stopBatchSplit, DEFAULT_MIN_MACS } from '../../src/trainer/engine/wasm-kernels/batch-split';
import { relErr } from '../support/rel-err';

const SEED = Number(process.env.ENGINE_TEST_SEED ?? 20261130);
const CASES = 30;
const TOL = 1e-4;

interface Case {
  depthwise: boolean;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

function randomCase(r: Rng, depthwise: boolean): Case {
  const int = (lo: number, hi: number): number => lo + Math.floor(r.next() * (hi - lo + 1));
  const k = int(1, 3);
  const C = int(1, 6);
  return {
    depthwise,
    x: [int(2, 7), int(k, 9), int(k, 9), C],
    filter: [k, k, C, depthwise ? int(1, 2) : int(1, 6)],
    stride: r.next() < 0.5 ? 1 : 2,
    pad: r.next() < 0.5 ? 'same' : 'valid',
  };
}

/** Forward output and both gradients (for dy = ones * seeded weights through a sum) on the current backend. */
function run(c: Case, x: Float32Array, w: Float32Array): { y: Float32Array; dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D =>
      c.depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad) : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
    const xt = tf.tensor4d(x, c.x);
    const wt = tf.tensor4d(w, c.filter);
    const y = f(xt, wt);
    const dy = tf.reshape(tf.sin(tf.range(0, y.size)), y.shape) as tf.Tensor4D;
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b))([xt, wt], dy);
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

describe('wasm conv kernels split over two threads', () => {
  before(async () => {
    process.env.TRAINER_WASM_THREADS = '2';
    const choice = await selectBackend({ force: 'wasm' });
    assert.match(choice.reason, /batch split over 2 threads/);
    assert.ok(batchSplitActive());
    setBatchSplitMinMacs(0);
  });
  after(async () => {
    setBatchSplitMinMacs(DEFAULT_MIN_MACS);
    await stopBatchSplit();
  });

  for (const depthwise of [false, true]) {
    test(`${depthwise ? 'depthwiseConv2d' : 'conv2d'}: split forward and input gradient equal cpu and the filter gradient agrees (${CASES} shapes)`, async () => {
      const r = Rng.fromSeed(SEED + (depthwise ? 1 : 0));
      for (let k = 0; k < CASES; k++) {
        const c = randomCase(r, depthwise);
        const x = Float32Array.from({ length: tf.util.sizeFromShape(c.x) }, () => r.next() * 2 - 1);
        const w = Float32Array.from({ length: tf.util.sizeFromShape(c.filter) }, () => r.next() * 2 - 1);
        await tf.setBackend('wasm');
        const calls = batchSplitCalls();
        const got = run(c, x, w);
        assert.ok(batchSplitCalls() - calls >= 3, 'forward, input and filter gradients ran split');
        await tf.setBackend('cpu');
        const ref = run(c, x, w);
        const where = `seed ${SEED} case ${k}: ${JSON.stringify(c)}`;
        for (const key of ['y', 'dx', 'dw'] as const) assert.ok(relErr(got[key], ref[key]) <= TOL, `${key} ${relErr(got[key], ref[key])} at ${where}`);
      }
      await tf.setBackend('wasm');
    });
  }

  test('no wasm tensors are left behind by split kernels', async () => {
    await tf.setBackend('wasm');
    const c: Case = { depthwise: false, x: [4, 6, 6, 3], filter: [3, 3, 3, 2], stride: 2, pad: 'same' };
    const x = new Float32Array(4 * 6 * 6 * 3).fill(0.5);
    const w = new Float32Array(3 * 3 * 3 * 2).fill(0.25);
    run(c, x, w);
    const before = { tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() };
    for (let k = 0; k < 3; k++) run({ ...c, depthwise: k % 2 === 1, filter: k % 2 === 1 ? [3, 3, 3, 1] : c.filter }, x, w.subarray(0, k % 2 === 1 ? 27 : 54));
    assert.deepEqual({ tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() }, before);
  });
});
