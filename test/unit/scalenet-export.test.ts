// ScaleNet member export (src/methods/scalenet/training/export-layers): a path as a TensorFlow.js LayersModel
// (functional graph: depthwise convs, SE by Multiply, swish, Eq. 30 resize) computes the same logits as the
// training forward pass in eval mode, for a stand-alone member and for a sliced path of the super-supernet, and
// survives the model.json + weights.bin round trip through tf.loadLayersModel.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { Sgd } from '../../src/trainer/engine/train-loop';
import { exportArtifacts, layersModelFiles, loadLayersModelFiles } from '../../src/trainer/export/layers-model';
import { pathSampler } from '../../src/methods/scalenet/science/hss';
import { BaseModel, SMALL_PRESET, ScaleNetPath, scalingSpace } from '../../src/methods/scalenet/science/space';
import { scaleNetToLayersModel } from '../../src/methods/scalenet/training/export-layers';
import { ScaleNetSupernet } from '../../src/methods/scalenet/training/super-supernet';

const space = scalingSpace(SMALL_PRESET, 3);
const maxDiff = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));

/** A base model with SE on and off, kernels 3/5/7 and expand 1/3/6 (every kind of block the export must write). */
function mixedBase(): BaseModel {
  const rng = Rng.fromSeed(11);
  const b = pathSampler(SMALL_PRESET, space, 'uniform')(rng).base;
  return {
    stages: b.stages.map((st, i) =>
      st.map((blk, k) => ({ expand: i === 0 ? blk.expand : k % 2 ? 3 : 6, kernel: [3, 5, 7][(i + k) % 3], se: (i + k) % 2 === 0 })),
    ),
  };
}

async function check(net: ScaleNetSupernet, n: number): Promise<void> {
  const rng = Rng.fromSeed(9);
  const x = Float32Array.from({ length: n * 32 * 32 * 3 }, () => rng.next() * 2 - 1);
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  // a few SGD steps so BN running statistics and weights are not at their initial values
  const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 0, nesterov: false });
  for (let i = 0; i < 2; i++) sgd.step({ x, y, shape: [n, 32, 32, 3] }, 0.05, 0);
  sgd.dispose();
  const xt = tf.tensor4d(x, [n, 32, 32, 3]);
  const expected = tf.tidy(() => net.forward(xt, false).arraySync());
  const model = scaleNetToLayersModel(net);
  const r = net.concrete().resolution;
  // Eq. 30: the model takes r x r images, resized as the training pass resizes them
  const xr = r === 32 ? xt : tf.image.resizeBilinear(xt, [r, r]);
  const got = tf.tidy(() => (model.predict(xr) as tf.Tensor2D).arraySync());
  assert.ok(maxDiff(got, expected) < 1e-4, `max diff ${maxDiff(got, expected)}`);
  const files = layersModelFiles(await exportArtifacts(model));
  const loaded = await loadLayersModelFiles({ modelJson: JSON.parse(JSON.stringify(files.modelJson)) as Record<string, unknown>, weights: Buffer.from(files.weights) });
  const again = tf.tidy(() => (loaded.predict(xr) as tf.Tensor2D).arraySync());
  assert.ok(maxDiff(again, expected) < 1e-4, `after load: max diff ${maxDiff(again, expected)}`);
  tf.dispose([xt, xr]);
  model.dispose();
  loaded.dispose();
}

describe('ScaleNet LayersModel export', () => {
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });

  test('a stand-alone member (SE, kernels 3/5/7, depth/width scaled, resolution 45) equals the eval-mode forward pass', async () => {
    const path: ScaleNetPath = { base: mixedBase(), strategy: { d: 1.4, w: 1.2, r: 1.4 } };
    const net = ScaleNetSupernet.standalone(SMALL_PRESET, space, path, 3);
    assert.equal(net.concrete().resolution, 45);
    assert.ok(net.concrete().stages.some((s) => s.blocks.some((b) => b.se)) && net.concrete().stages.some((s) => s.blocks.some((b) => !b.se)));
    assert.equal(net.paramCount(), net.activeParamCount(), 'a stand-alone member has exactly its own parameters');
    await check(net, 3);
    net.dispose();
  });

  test('a path of the super-supernet exports its slices (channels, centre kernels, first SE units)', async () => {
    const net = new ScaleNetSupernet(SMALL_PRESET, space, 4);
    net.set({ base: mixedBase(), strategy: { d: 1, w: 1, r: 1 } });
    await check(net, 3);
    net.dispose();
  });
});
