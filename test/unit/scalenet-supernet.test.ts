// The ScaleNet super-supernet and the `scalenet-family` trainer task (wasm backend, in-process TaskContext):
// a path's parameters counted from the supernet's slices equal the exact count of science/cost.ts; channel masking
// (weights beyond a path's width do not touch its output); elastic resolution (the batch is resized to ceil(32 r));
// the task on a tiny slice of CIFAR-10 gives a family whose searched members sit in their budget bands, and killing it
// inside MCEA and resuming from the last checkpoint gives the same result as the uninterrupted run.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadConfig } from '../../src/config/config';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { TrainerAbortedError } from '../../src/trainer/errors';
import { pathCost } from '../../src/methods/scalenet/science/cost';
import { pathSampler } from '../../src/methods/scalenet/science/hss';
import { SMALL_PRESET, scalingSpace } from '../../src/methods/scalenet/science/space';
import { ScaleNetSupernet, pathParamCount } from '../../src/methods/scalenet/training/super-supernet';
import { generatePath } from '../../src/methods/scalenet/science/path';
import { scaleNetFamilyTask } from '../../src/methods/scalenet/training/family.task';
import { taskContext } from '../support/task-context';
import { familyOutcome } from '../support/scalenet-outcome';

const dataDir = loadConfig().dataDir;

describe('ScaleNet super-supernet', () => {
  let net: ScaleNetSupernet;
  const space = scalingSpace(SMALL_PRESET, 3);
  before(async () => {
    await selectBackend({ force: 'wasm' });
    net = new ScaleNetSupernet(SMALL_PRESET, space, 1);
  });
  after(() => net?.dispose());

  test('a path uses exactly the parameters science/cost.ts counts (HSS paths of every stage)', () => {
    const sample = pathSampler(SMALL_PRESET, space, 'hss');
    const rng = Rng.fromSeed(3);
    for (let i = 0; i < 40; i++) {
      const p = sample(rng);
      net.set(p);
      assert.equal(pathParamCount(net.concrete()), pathCost(SMALL_PRESET, p).params, `path ${i}`);
      const se = net.concrete().stages.some((s) => s.blocks.some((b) => b.se));
      assert.equal(net.activeParams().some((v) => v.name.includes('.se.')), se);
    }
  });

  test('channel masking: weights beyond the path width leave its output alone; a used weight changes it', () => {
    const rng = Rng.fromSeed(5);
    const base = pathSampler(SMALL_PRESET, space, 'hss')(rng).base;
    net.set({ base, strategy: { d: 1, w: 1, r: 1 } });
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    // training-mode BN (batch statistics, no update): an untrained net in eval mode shrinks the signal to nothing
  const out = (): Float32Array => tf.tidy(() => net.forward(x, true, false).dataSync() as Float32Array);
    const y0 = out();
    const stem = net.variable('stem.w');
    const orig = stem.clone();
    const cmax = stem.shape[3] as number;
    const used = generatePath(SMALL_PRESET, base, { d: 1, w: 1, r: 1 }).stem.cout;
    assert.ok(used < cmax);
    const bump = (channel: number): void => {
      const mask = tf.reshape(tf.oneHot([channel], cmax), [1, 1, 1, cmax]);
      stem.assign(tf.add(orig, tf.mul(mask, 5)));
    };
    bump(cmax - 1);
    assert.deepEqual(out(), y0, 'unused channel');
    bump(0);
    assert.notDeepEqual(out(), y0, 'used channel');
    stem.assign(orig);
    x.dispose();
    orig.dispose();
  });

  test('elastic resolution: the path sees ceil(32 r) pixels', () => {
    const rng = Rng.fromSeed(6);
    const base = pathSampler(SMALL_PRESET, space, 'hss')(rng).base;
    net.set({ base, strategy: { d: 1, w: 1, r: 1.57 } });
    assert.equal(net.concrete().resolution, 51);
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const a = tf.tidy(() => net.forward(x, true, false).dataSync());
    const up = tf.image.resizeBilinear(x, [51, 51]);
    const b = tf.tidy(() => net.forward(up, true, false).dataSync());
    assert.deepEqual(Array.from(a), Array.from(b), 'a 32x32 batch is resized to 51x51 first');
    net.set({ base, strategy: { d: 1, w: 1, r: 1 } });
    const c = tf.tidy(() => net.forward(x, true, false).dataSync());
    assert.notDeepEqual(Array.from(c), Array.from(a));
    tf.dispose([x, up]);
  });
});

describe('scalenet-family trainer task', () => {
  const tiny = {
    dataset: { kind: 'builtin', name: 'cifar10-subset', dataDir }, preset: 'small', M: 1, epochs: 1, batchSize: 16, maxTrainImages: 48,
    validFraction: 0.2, evalImages: 8, recalBatches: 1, f0Samples: 300, T: 1, K: 1, P: 2, N: 1, seed: 7, checkpointEvery: 1, searchCheckpointSeconds: 0, progressEvery: 1,
  };
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'scalenet-task-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('a tiny family; killed inside MCEA and resumed, the same result as uninterrupted', async () => {
    const full = taskContext(tiny, tmp());
    const a = await scaleNetFamilyTask.run(full.ctx);
    assert.equal(a.family.length, 6);
    for (let j = 0; j <= 1; j++) assert.ok(a.family[j].withinBudget, `S${j} ${a.family[j].flops} vs ${a.family[j].budget}`);
    assert.ok(a.family[1].flops > a.family[0].flops);
    assert.equal(a.strategies.kind, 'linear');
    assert.equal(a.resumedFrom, null);
    const boundaries = full.boundaries();
    // kill past the training (3 steps) inside the search, then resume from the last checkpoint written
    const dir = tmp();
    const killed = taskContext(tiny, dir, null, Math.floor(boundaries * 0.6));
    await assert.rejects(scaleNetFamilyTask.run(killed.ctx), TrainerAbortedError);
    const last = killed.checkpoints[killed.checkpoints.length - 1];
    assert.ok(last, 'a checkpoint was written before the kill');
    const resumed = taskContext(tiny, dir, { path: last.path, step: last.step, epoch: last.epoch });
    const b = await scaleNetFamilyTask.run(resumed.ctx);
    assert.equal(b.resumedFrom?.phase, 'search');
    assert.match(a.supernet.weightsSha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(familyOutcome(b), familyOutcome(a), 'same result, same supernet weights');
  });
});
