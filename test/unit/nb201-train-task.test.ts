// The `nb201-train` trainer task, run in-process (the child's TaskContext contract, real checkpoint files) on the
// real bundled MNIST: a tiny NB201 network learns well above chance, the result reports its schedule honestly, and
// resuming from a mid-epoch checkpoint ends with bit-identical weights to an uninterrupted run.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { TrainerAbortedError } from '../../src/trainer/errors';
import { TrainerSupervisor } from '../../src/trainer/supervisor';
import type { Nb201TrainInput } from '../../src/methods/nb201-train/training/input';
import { TaskRun, taskContext } from '../support/task-context';
import { Nb201TrainResult, nb201Train } from '../../src/methods/nb201-train/training/nb201-train.task';

const dataDir = loadConfig().dataDir;
const RESNET = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|';

const tiny = (over: Partial<Nb201TrainInput> = {}): Nb201TrainInput => ({
  arch: RESNET,
  dataset: 'mnist',
  dataDir,
  C: 4,
  N: 1,
  epochs: 4,
  batchSize: 32,
  lr: 0.1,
  seed: 5,
  maxTrainImages: 1280,
  maxTestImages: 1000,
  validFraction: 0.1,
  checkpointEvery: 25,
  progressEvery: 4,
  ...over,
});

type Run = TaskRun;
const context = taskContext;

describe('nb201-train task (real MNIST, wasm)', () => {
  let root: string;
  let n = 0;
  const dir = (): string => path.join(root, `run-${n++}`);
  let reference: Nb201TrainResult;
  let refRun: Run;

  before(async () => {
    process.env.TRAINER_BACKEND = 'wasm';
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nb201-train-'));
    refRun = context(tiny(), dir());
    reference = await nb201Train.run(refRun.ctx);
  });
  after(() => {
    delete process.env.TRAINER_BACKEND;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a tiny NB201 network (C=4, N=1) learns MNIST well above chance in 4 short epochs', () => {
    // Threshold 0.5 on 1,000 test images: chance is 0.1 (10 balanced classes); the binomial standard error at
    // p = 0.1 is ~0.01, so 0.5 is 40 standard errors above chance, while this run measured 0.918 (valid accuracy
    // per epoch 0.27, 0.27, 0.91, 0.95). Only broken training (gradients, labels, normalisation, BN eval mode)
    // fails it, not seed noise. ~12 s on wasm on a 2-core machine.
    const r = reference;
    assert.ok(r.testAccuracy > 0.5, `test accuracy ${r.testAccuracy}`);
    assert.equal(r.backend.name, 'wasm');
    assert.equal(r.schedule.trainImages + r.schedule.validImages, 1280);
    assert.equal(r.schedule.validImages, 128);
    assert.equal(r.schedule.testImages, 1000);
    assert.equal(r.schedule.steps, 4 * Math.ceil(1152 / 32));
    assert.equal(r.schedule.shortened, true);
    assert.match(r.schedule.description, /SHORTENED schedule on a data subset/);
    assert.equal(r.curve.length, 4);
    assert.ok(r.curve[3].trainLoss < r.curve[0].trainLoss, `train loss falls: ${r.curve.map((c) => c.trainLoss)}`);
    assert.ok(r.curve.every((c) => c.validAccuracy !== null && c.validAccuracy >= 0 && c.validAccuracy <= 1));
    assert.ok(r.imagesPerSecond > 0);
    assert.equal(r.resumedFromStep, null);
    assert.ok(refRun.progress.some((p) => p.loss !== null && p.throughput > 0));
    // every epoch end (4) + every 25 steps that is not an epoch end (25, 50, 75, 100, 125)
    assert.deepEqual(refRun.checkpoints.map((c) => c.step), [25, 36, 50, 72, 75, 100, 108, 125, 144]);
  });

  test('resuming from a mid-epoch checkpoint ends bit-identical to the uninterrupted run', async () => {
    // small config: 2 epochs x 10 steps, checkpoints at steps 4, 8, 10 (epoch end), 12, 16, 20
    const small = tiny({ epochs: 2, maxTrainImages: 352, checkpointEvery: 4, emaDecay: 0.9 }); // EMA state is checkpointed too
    const whole = await nb201Train.run(context(small, dir()).ctx);
    const d = dir();
    const first = context(small, d, null, 14); // cancelled at the 15th step boundary (step 14; step 12 checkpointed)
    await assert.rejects(nb201Train.run(first.ctx), TrainerAbortedError);
    const last = first.checkpoints[first.checkpoints.length - 1];
    assert.equal(last.step, 12);
    assert.equal(last.epoch, 1.2);
    const second = context(small, d, { path: last.path, step: last.step, epoch: last.epoch });
    const r = await nb201Train.run(second.ctx);
    assert.equal(r.resumedFromStep, 12);
    assert.equal(r.weightsSha256, whole.weightsSha256);
    assert.equal(r.testAccuracy, whole.testAccuracy);
    assert.ok(whole.emaTestAccuracy !== null && whole.emaTestAccuracy >= 0 && whole.emaTestAccuracy <= 1);
    assert.equal(r.emaTestAccuracy, whole.emaTestAccuracy);
    assert.deepEqual(r.curve, whole.curve);
    assert.notEqual(whole.weightsSha256, reference.weightsSha256);
  });

  test('registered in the trainer child: runs through a real child process (TrainerSupervisor)', async () => {
    const sup = new TrainerSupervisor({ maxRestarts: 0 });
    try {
      const input = tiny({ epochs: 1, maxTrainImages: 128, maxTestImages: 100, checkpointEvery: 2 });
      const r = await sup.run<Nb201TrainInput, Nb201TrainResult>('nb201-train', input, { checkpointDir: dir(), signal: new AbortController().signal });
      assert.equal(r.schedule.steps, Math.ceil(115 / 32));
      assert.equal(r.schedule.testImages, 100);
      assert.equal(r.curve.length, 1);
      assert.ok(r.backend.reason.length > 0);
      assert.equal(r.params, reference.params);
    } finally {
      await sup.close();
    }
  });

  test('bad input is an InvalidInputError naming the field; a mismatched checkpoint is refused', async () => {
    await assert.rejects(nb201Train.run(context({ ...tiny(), arch: '|conv~0|' }, dir()).ctx), (e: unknown) => e instanceof InvalidInputError && /input\.arch/.test(e.message));
    await assert.rejects(nb201Train.run(context({ ...tiny(), C: 0 }, dir()).ctx), (e: unknown) => e instanceof InvalidInputError && /input\.C/.test(e.message));
    const ck = refRun.checkpoints[0];
    await assert.rejects(nb201Train.run(context(tiny({ seed: 6 }), dir(), { path: ck.path }).ctx), /seed=5, this run has seed=6/);
  });
});
