// CONet artefact export (src/methods/conet/training/export-layers): the trained ResNet preset as a TensorFlow.js
// LayersModel computes the same logits as the training forward pass in eval mode (symmetric padding at stride 2,
// BN running statistics), and survives a save/load round trip through the LayersModel artefact format.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toLayersModel } from '../../src/methods/conet/training/export-layers';
import { exportArtifacts } from '../../src/trainer/export/layers-model';
import { ResNetNetwork, ResNetPreset, resnetLayout } from '../../src/methods/conet/training/resnet-preset';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { Sgd } from '../../src/trainer/engine/train-loop';

const preset: ResNetPreset = { blocksPerStage: [1, 2, 1], stageChannels: [4, 6, 8], inputShape: [10, 10, 3], numClasses: 3 };

describe('CONet LayersModel export', () => {
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });

  test('exported logits equal the eval-mode forward pass, also after a save/load round trip', async () => {
    const layout = resnetLayout(preset);
    const sizes = new Map([...layout.initialSizes].map(([g, c]) => [g, c + (g % 3)]));
    const net = new ResNetNetwork(layout, preset, sizes, 4);
    const rng = Rng.fromSeed(9);
    const n = 6;
    const x = Float32Array.from({ length: n * 10 * 10 * 3 }, () => rng.next() * 2 - 1);
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    // a few SGD steps so BN running statistics and weights are not at their initial values
    const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 0, nesterov: false });
    for (let i = 0; i < 3; i++) sgd.step({ x, y, shape: [n, 10, 10, 3] }, 0.1, 0);
    sgd.dispose();
    const xt = tf.tensor4d(x, [n, 10, 10, 3]);
    const expected = tf.tidy(() => net.forward(xt, false).arraySync());
    const model = toLayersModel(net);
    const got = tf.tidy(() => (model.predict(xt) as tf.Tensor2D).arraySync());
    const maxDiff = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));
    assert.ok(maxDiff(got, expected) < 1e-4, `max diff ${maxDiff(got, expected)}`);
    const artifacts = await exportArtifacts(model);
    assert.ok(artifacts.modelTopology && artifacts.weightSpecs && artifacts.weightData);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const again = tf.tidy(() => (loaded.predict(xt) as tf.Tensor2D).arraySync());
    assert.ok(maxDiff(again, expected) < 1e-4);
    xt.dispose();
    model.dispose();
    loaded.dispose();
    net.dispose();
  });
});
