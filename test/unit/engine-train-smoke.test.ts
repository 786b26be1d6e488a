// Training smoke test of the wasm engine: a small conv net (conv-BN-ReLU x2, average pool, dense softmax) trained
// on the wasm backend with this project's gradient kernels, on 512 real MNIST training images for 64 steps, then
// scored on 1,000 held-out images of the official t10k set. Chance is 10%; the threshold is 70% (see below).
// What it checks: the whole path (backend selection, kernels registered and used, BN/pool/softmax gradients,
// optimizer) trains. What it cannot check: exact gradients. Random conv features + BN + a dense layer already do
// well on MNIST (measured: 87% with Conv2DBackpropFilter replaced by zeros), so the numerical correctness of the
// kernels is the job of engine-wasm-kernels.test.ts.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadConfig } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import type { ImageSplit } from '../../src/datasets/formats';
import { selectBackend } from '../../src/trainer/engine/backend';

const TRAIN_IMAGES = 512;
const TEST_IMAGES = 1000;
const BATCH = 32;
const EPOCHS = 4; // 4 x 16 = 64 steps
// Measured here: 88.9% held-out accuracy (printed below; the run is deterministic: seeded initialisers, fixed batch
// order, single-threaded XNNPACK). 70% is far above chance yet leaves ~19 points for platform rounding differences
// (SIMD vs scalar XNNPACK); the binomial standard error on 1,000 images at p = 0.89 is only ~1 point.
const MIN_ACCURACY = 0.7;

function toTensors(split: ImageSplit, from: number, count: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const { height: h, width: w, channels: c } = split;
  const size = h * w * c;
  const pixels = new Float32Array(count * size);
  for (let i = 0; i < count * size; i++) pixels[i] = split.images[from * size + i] / 255;
  const labels = Array.from(split.labels.subarray(from, from + count));
  return { x: tf.tensor4d(pixels, [count, h, w, c]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D };
}

function buildModel(): tfl.Sequential {
  const seed = 7;
  const m = tfl.sequential();
  const conv = (filters: number, strides: number, first: boolean): void => {
    m.add(
      tfl.layers.conv2d({
        ...(first ? { inputShape: [28, 28, 1] } : {}),
        filters,
        kernelSize: 3,
        strides,
        padding: 'same',
        useBias: false,
        kernelInitializer: tfl.initializers.heNormal({ seed: seed + filters }),
      }),
    );
    // momentum 0.9: the moving statistics used at inference settle within a few dozen steps.
    m.add(tfl.layers.batchNormalization({ momentum: 0.9 }));
    m.add(tfl.layers.reLU());
  };
  conv(8, 1, true);
  conv(16, 2, false);
  m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('wasm engine training smoke test (real MNIST)', () => {
  let backend: { name: string; reason: string };
  before(async () => {
    backend = await selectBackend({ force: 'wasm' });
  });

  test(`conv-BN-ReLU x2 + avgpool + dense reaches >= ${MIN_ACCURACY * 100}% on ${TEST_IMAGES} held-out images`, async () => {
    assert.equal(backend.name, 'wasm');
    const mnist = loadBuiltinDataset('mnist', loadConfig().dataDir);
    const train = toTensors(mnist.train, 0, TRAIN_IMAGES);
    const test = toTensors(mnist.test, 0, TEST_IMAGES);
    const model = buildModel();
    const t0 = performance.now();
    const losses: number[] = [];
    const kernels = new Set<string>();
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      for (let b = 0; b < TRAIN_IMAGES / BATCH; b++) {
        const [x, y] = tf.tidy(() => [tf.slice(train.x, b * BATCH, BATCH), tf.slice(train.y, b * BATCH, BATCH)]);
        if (epoch === 0 && b === 0) {
          const p = await tf.profile(async () => losses.push(((await model.trainOnBatch(x, y)) as number[])[0]));
          p.kernelNames.forEach((k) => kernels.add(k));
        } else {
          losses.push(((await model.trainOnBatch(x, y)) as number[])[0]);
        }
        tf.dispose([x, y]);
      }
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const predicted = tf.tidy(() => tf.argMax(model.predict(test.x) as tf.Tensor, -1).dataSync());
    const truth = mnist.test.labels.subarray(0, TEST_IMAGES);
    let correct = 0;
    for (let i = 0; i < TEST_IMAGES; i++) if (predicted[i] === truth[i]) correct++;
    const accuracy = correct / TEST_IMAGES;
    const head = losses.slice(0, 4).reduce((a, b) => a + b) / 4;
    const tail = losses.slice(-4).reduce((a, b) => a + b) / 4;
    console.log(
      `[engine-train-smoke] backend=${backend.name} steps=${losses.length} train=${trainSeconds.toFixed(1)}s ` +
        `loss ${head.toFixed(3)} -> ${tail.toFixed(3)} held-out accuracy=${(accuracy * 100).toFixed(1)}% (${backend.reason})`,
    );
    // The step really ran through the kernels this project provides for wasm.
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'FusedBatchNorm']) assert.ok(kernels.has(k), `${k} not used: ${[...kernels]}`);
    assert.ok(tail < head, `loss did not decrease: ${head} -> ${tail}`);
    assert.ok(accuracy >= MIN_ACCURACY, `held-out accuracy ${accuracy} < ${MIN_ACCURACY}`);
    tf.dispose([train.x, train.y, test.x, test.y]);
    model.dispose();
  });
});
