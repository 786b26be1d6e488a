// ScaleNet retraining and export (`retrainEpochs` > 0) in the `scalenet-family` trainer task (wasm, in-process):
// every member is retrained from scratch and scored on the test split; a run killed inside the retraining and
// resumed from its last checkpoint gives the same result as an uninterrupted one; a member's bundle, split into
// model.json + weights.bin and read by tf.loadLayersModel, reproduces the service's test accuracy.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadConfig } from '../../src/config/config';
import { firstImages, loadDatasetRef } from '../../src/datasets/dataset-ref';
import { BatchStream } from '../../src/datasets/pipeline';
import { selectBackend } from '../../src/trainer/engine/backend';
import { TrainerAbortedError } from '../../src/trainer/errors';
import { loadLayersModelFiles } from '../../src/trainer/export/layers-model';
import { SCALENET_MEMBER_FORMAT } from '../../src/methods/scalenet/formats';
import { scaleNetFamilyTask } from '../../src/methods/scalenet/training/family.task';
import { taskContext } from '../support/task-context';
import { familyOutcome } from '../support/scalenet-outcome';

const dataDir = loadConfig().dataDir;

interface Bundle {
  format: string;
  stage: number;
  input: { shape: [number, number, number]; normalisation: { mean: number[]; std: number[] } };
  modelJson: Record<string, unknown>;
  weightsBase64: string;
  info: { testAccuracy: number; shortened: boolean };
}

describe('scalenet-family retraining and LayersModel export', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'scalenet-retrain-'));
    dirs.push(d);
    return d;
  };
  const tiny = (exportMembers: string) => ({
    dataset: { kind: 'builtin', name: 'cifar10-subset', dataDir }, preset: 'small', M: 1, epochs: 1, batchSize: 16, maxTrainImages: 48,
    validFraction: 0.2, evalImages: 8, recalBatches: 1, f0Samples: 300, T: 1, K: 1, P: 2, N: 1, seed: 7, checkpointEvery: 1, searchCheckpointSeconds: 0, progressEvery: 1,
    generaliseTo: 1, retrainEpochs: 2, retrainLr: 0.05, maxTestImages: 40, exportMembers,
  });
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('members retrained and scored; killed inside retraining and resumed: the same result; the bundle loads and reproduces the accuracy', async () => {
    const outA = tmp();
    const full = taskContext(tiny(outA), tmp());
    const a = await scaleNetFamilyTask.run(full.ctx);
    assert.equal(a.family.length, 2);
    assert.ok(a.retrain && a.retrain.shortened && a.retrain.members.length === 2);
    for (const m of a.family) assert.equal(m.retrainedAccuracy, a.retrain.members[m.stage].testAccuracy);
    assert.equal(a.retrain.members[0].testImages, 40);
    assert.equal(a.retrain.members[0].trainLoss.length, 2);
    assert.ok(full.progress.some((p) => (p.detail as { phase?: string } | undefined)?.phase === 'retrain'));

    // kill inside the retraining of S1 (the last boundaries are its steps and test batches), resume from the last checkpoint
    const dir = tmp();
    const outB = tmp();
    const killed = taskContext(tiny(outB), dir, null, full.boundaries() - 3);
    await assert.rejects(scaleNetFamilyTask.run(killed.ctx), TrainerAbortedError);
    const last = killed.checkpoints[killed.checkpoints.length - 1];
    const resumed = taskContext(tiny(outB), dir, { path: last.path, step: last.step, epoch: last.epoch });
    const b = await scaleNetFamilyTask.run(resumed.ctx);
    assert.equal(b.resumedFrom?.phase, 'retrain');
    assert.deepEqual(familyOutcome(b), familyOutcome(a), 'same result after resuming inside the retraining');

    // the S1 bundle as model.json + weights.bin, read by tf.loadLayersModel: the same test accuracy
    const bundle = JSON.parse(fs.readFileSync(path.join(outA, 'S1.json'), 'utf8')) as Bundle;
    assert.equal(bundle.format, SCALENET_MEMBER_FORMAT);
    assert.equal(bundle.info.testAccuracy, a.retrain.members[1].testAccuracy);
    fs.writeFileSync(path.join(outA, 'model.json'), JSON.stringify(bundle.modelJson));
    fs.writeFileSync(path.join(outA, 'weights.bin'), Buffer.from(bundle.weightsBase64, 'base64'));
    const model = await loadLayersModelFiles({
      modelJson: JSON.parse(fs.readFileSync(path.join(outA, 'model.json'), 'utf8')) as Record<string, unknown>,
      weights: fs.readFileSync(path.join(outA, 'weights.bin')),
    });
    const ds = loadDatasetRef({ kind: 'builtin', name: 'cifar10-subset', dataDir });
    const testSplit = firstImages(ds.test, 40);
    const stats = { ...bundle.input.normalisation, images: 0 };
    const stream = new BatchStream(testSplit, { indices: Uint32Array.from({ length: 40 }, (_, i) => i), batchSize: 64, seed: 0, stats, shuffle: false });
    let correct = 0;
    const r = bundle.input.shape[0];
    for (const batch of stream.epoch(0)) {
      correct += tf.tidy(() => {
        const x = tf.image.resizeBilinear(tf.tensor4d(batch.x, batch.shape), [r, r]);
        const pred = tf.argMax(model.predict(x) as tf.Tensor2D, 1);
        return tf.sum(tf.cast(tf.equal(pred, tf.tensor1d(batch.y, 'int32')), 'float32')).dataSync()[0];
      });
    }
    assert.equal(correct / 40, a.retrain.members[1].testAccuracy);
    model.dispose();
  });
});
