// The `linear-baseline` trainer task on the real bundled MNIST / CIFAR-10 subsets, run in real trainer
// child processes: it learns, and an interruption (kill -9 of the child, or a new process resuming from a
// recorded checkpoint file) ends with bit-identical weights to an uninterrupted run with the same seed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config';
import { TrainerAbortedError } from '../../src/trainer/errors';
import { TrainerSupervisor } from '../../src/trainer/supervisor';
import type { LinearBaselineInput } from '../../src/methods/dataset-baseline/training/input';
import type { LinearBaselineResult } from '../../src/methods/dataset-baseline/training/linear-baseline.task';

const dataDir = loadConfig().dataDir;
const mnist = (over: Partial<LinearBaselineInput> = {}): LinearBaselineInput => ({
  dataset: { kind: 'builtin', name: 'mnist', dataDir },
  epochs: 2,
  batchSize: 64,
  lr: 0.003,
  seed: 1,
  checkpointEvery: 10,
  ...over,
});

describe('linear-baseline trainer task (real data, real child processes)', () => {
  let root: string;
  let sup: TrainerSupervisor;
  let n = 0;
  const dir = (): string => path.join(root, `run-${n++}`);
  const never = new AbortController().signal;
  let reference: LinearBaselineResult;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-lb-'));
    sup = new TrainerSupervisor({ maxRestarts: 2 });
    reference = await sup.run<LinearBaselineInput, LinearBaselineResult>('linear-baseline', mnist(), { checkpointDir: dir(), signal: never });
  });
  after(async () => {
    await sup.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('learns MNIST: test accuracy > 0.8 after 2 epochs on the 3,009 bundled training images', () => {
    // Safe threshold: chance is 0.1 and a linear softmax model reaches ~0.92 on full MNIST; with 3,009
    // training images a nearest-class-centroid classifier already scores 0.80 on this test set (PROVENANCE.md),
    // and this run measured ~0.87. On the 10,000 test images the standard error is ~0.003, so 0.8 fails only
    // if training is broken (wrong gradients, labels or normalisation), not by noise.
    const r = reference;
    assert.ok(r.testAccuracy > 0.8, `test accuracy ${r.testAccuracy}`);
    assert.equal(r.model, 'linear softmax baseline on raw pixels (not a NAS result)');
    assert.equal(r.trainImages, 3009);
    assert.equal(r.testImages, 10_000);
    assert.equal(r.epochs, 2);
    assert.equal(r.steps, 2 * Math.ceil(3009 / 64));
    assert.equal(r.trainLoss.length, 2);
    assert.ok(r.trainLoss[1] < r.trainLoss[0], `train loss goes down: ${r.trainLoss}`);
    assert.ok(r.trainLoss[0] < Math.log(10), 'better than the uniform prediction');
    assert.ok(r.imagesPerSecond > 0);
    assert.match(r.datasetSource, /mnist/);
    assert.equal(r.resumedFromStep, null);
    assert.match(r.weightsSha256, /^[0-9a-f]{64}$/);
  });

  test('kill -9 of the child mid-task: the supervisor restarts it and the result equals the uninterrupted run', async () => {
    const pids: number[] = [];
    let killedAtStep = -1;
    const r = await sup.run<LinearBaselineInput, LinearBaselineResult>('linear-baseline', mnist(), {
      checkpointDir: dir(),
      signal: never,
      onChildReady: ({ pid }) => pids.push(pid),
      onCheckpoint: (_file, step) => {
        if (killedAtStep < 0) {
          killedAtStep = step;
          process.kill(pids[0], 'SIGKILL'); // the pid from the child's `ready` message
        }
      },
    });
    assert.equal(killedAtStep, 10);
    assert.equal(pids.length, 2, 'restarted once');
    assert.ok(r.resumedFromStep !== null && r.resumedFromStep >= 10 && r.resumedFromStep < r.steps, `resumed from ${r.resumedFromStep}`);
    assert.equal(r.weightsSha256, reference.weightsSha256, 'bit-identical weights');
    assert.equal(r.testAccuracy, reference.testAccuracy);
    assert.deepEqual(r.trainLoss, reference.trainLoss);
    assert.equal(r.steps, reference.steps);
  });

  test('a new process resumes from a recorded checkpoint file (the worker-crash path) with the same result', async () => {
    const d = dir();
    const ac = new AbortController();
    let recorded: { file: string; step: number } | null = null;
    await assert.rejects(
      sup.run('linear-baseline', mnist(), {
        checkpointDir: d,
        signal: ac.signal,
        onCheckpoint: (file, step) => {
          if (!recorded && step >= 30) {
            recorded = { file, step };
            ac.abort();
          }
        },
      }),
      TrainerAbortedError,
    );
    assert.ok(recorded);
    const { file, step } = recorded as { file: string; step: number };
    assert.ok(fs.existsSync(file), 'the recorded checkpoint survives the cancelled run');
    const other = new TrainerSupervisor();
    try {
      const r = await other.run<LinearBaselineInput, LinearBaselineResult>('linear-baseline', mnist(), { checkpointDir: d, resumeFrom: file, signal: never });
      assert.equal(r.resumedFromStep, step);
      assert.equal(r.weightsSha256, reference.weightsSha256);
      assert.deepEqual(r.trainLoss, reference.trainLoss);
      assert.equal(fs.existsSync(file), false, 'superseded checkpoint pruned once a newer one was recorded');
    } finally {
      await other.close();
    }
  });

  test('a missing checkpoint file is reported and training restarts from step 0 (same seed, same model)', async () => {
    const r = await sup.run<LinearBaselineInput, LinearBaselineResult>('linear-baseline', mnist(), {
      checkpointDir: dir(),
      resumeFrom: path.join(root, 'gone', 'step-0000000010.ckpt'),
      signal: never,
    });
    assert.equal(r.resumedFromStep, null);
    assert.match(r.notes.join(' '), /checkpoint unusable .*cannot be read.*trained from step 0/);
    assert.equal(r.weightsSha256, reference.weightsSha256);
  });

  test('a different seed gives a different model', async () => {
    const r = await sup.run<LinearBaselineInput, LinearBaselineResult>('linear-baseline', mnist({ seed: 2, epochs: 1 }), { checkpointDir: dir(), signal: never });
    assert.notEqual(r.weightsSha256, reference.weightsSha256);
  });

  test('cancel reaches the running training step: rejects and the child is gone within 3 s', async () => {
    const ac = new AbortController();
    let pid = 0;
    let abortedAt = 0;
    const p = sup.run('linear-baseline', mnist({ epochs: 50 }), {
      checkpointDir: dir(),
      signal: ac.signal,
      onChildReady: (i) => (pid = i.pid),
      onProgress: (pr) => {
        if (pr.step >= 20 && !abortedAt) {
          abortedAt = Date.now();
          ac.abort();
        }
      },
    });
    await assert.rejects(p, TrainerAbortedError);
    const took = Date.now() - abortedAt;
    assert.ok(took < 3000, `cancel took ${took} ms`);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  test('CIFAR-10 subset (3 channels, HWC): learns above chance on the 846 test images', async () => {
    const r = await sup.run<LinearBaselineInput, LinearBaselineResult>(
      'linear-baseline',
      { dataset: { kind: 'builtin', name: 'cifar10-subset', dataDir }, epochs: 1, batchSize: 32, lr: 0.001, seed: 1, maxTrainImages: 1000 },
      { checkpointDir: dir(), signal: never },
    );
    // Chance is 0.10 (sd ~0.01 on 846 images); measured 0.27 here. 0.15 is 5 sd above chance.
    assert.ok(r.testAccuracy > 0.15, `test accuracy ${r.testAccuracy}`);
    assert.deepEqual(r.imageShape, [32, 32, 3]);
    assert.equal(r.normalisation.mean.length, 3);
    assert.equal(r.trainImages, 1000);
    assert.match(r.notes.join(' '), /first 1000 of 4000 training images/);
  });
});
