// The `conet` trainer task, run in-process (the child's TaskContext contract, real checkpoint files) on the bundled
// MNIST at a tiny scale, and the pieces the job adds to the CONet ring: the NB201 LayersModel export (same logits as
// the training pass), the NB201 cost at per-group sizes (equal to the official counter at NB201's own sizes), the
// export bundle (loads as a LayersModel with the final network's params), resume after cancellation, format refusal.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { UnprocessableError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { nb201Cost } from '../../src/benchmarks/nb201/network';
import { CONET_BUNDLE_FORMAT, NB201_MODEL_FORMAT_NAME } from '../../src/methods/conet/formats';
import { ConetResult, conetTask } from '../../src/methods/conet/training/conet.task';
import { nb201ToLayersModel } from '../../src/methods/conet/training/export-nb201-layers';
import type { ConetTaskInput } from '../../src/methods/conet/training/input';
import { ConetBundle, networkFromModelFile, resolveNetwork } from '../../src/methods/conet/training/network';
import { Nb201GroupNetwork, nb201Layout } from '../../src/methods/conet/training/nb201-preset';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';
import { TrainerAbortedError } from '../../src/trainer/errors';
import { NB201_MODEL_FORMAT } from '../../src/trainer/nb201/model-file';
import { Sgd } from '../../src/trainer/engine/train-loop';
import { taskContext } from '../support/task-context';

const dataDir = loadConfig().dataDir;
/** node 1 is zeros (its only edge is none), node 2 sums a conv and a pool of those zeros, node 3 a skip, a 1x1 and a 3x3 */
const ZERO_ARCH = '|none~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|';

const tinyInput = (exportModel: string | null, over: Partial<ConetTaskInput> = {}): ConetTaskInput => ({
  network: { kind: 'resnet', blocksPerStage: [1, 1, 1], stageChannels: [4, 6, 8] },
  dataset: { kind: 'builtin', name: 'mnist', dataDir },
  deltas: [0.0075],
  epochsPerTrial: 2,
  maxTrials: 2,
  batchSize: 32,
  seed: 3,
  maxTrainImages: 96,
  maxTestImages: 64,
  retrainEpochs: 1,
  lr: 0.05,
  exportModel,
  ...over,
});

const maxDiff = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));

/** The bundle as the two files tf.loadLayersModel reads. */
async function loadBundle(file: string): Promise<{ bundle: ConetBundle; model: tfl.LayersModel }> {
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as ConetBundle;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conet-bundle-'));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(bundle.modelJson));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(bundle.weightsBase64, 'base64'));
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return { bundle, model };
}

const trainableParams = (m: tfl.LayersModel): number => m.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);

describe('conet task (real MNIST, wasm) and its export', () => {
  let root: string;
  let n = 0;
  const dir = (): string => path.join(root, `run-${n++}`);
  let whole: ConetResult;
  let wholeExport: string;

  before(async () => {
    process.env.TRAINER_BACKEND = 'wasm';
    await selectBackend({ force: 'wasm' });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'conet-task-'));
    const d = dir();
    wholeExport = path.join(d, 'export.json');
    whole = await conetTask.run(taskContext(tinyInput(wholeExport), d).ctx);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the formats module names nb201-train\'s model format exactly', () => {
    assert.equal(NB201_MODEL_FORMAT_NAME, NB201_MODEL_FORMAT);
  });

  test('NB201 LayersModel export: same logits as the eval-mode training pass (zero node, pool, skip, 1x1, 3x3, reductions)', async () => {
    const preset = { ops: parseArchStr(ZERO_ARCH)!, channels: 4, cellsPerStage: 1, inputShape: [8, 8, 3] as [number, number, number], numClasses: 3 };
    const layout = nb201Layout(preset);
    const sizes = new Map([...layout.initialSizes].map(([g, c]) => [g, c + (g % 3)]));
    const net = new Nb201GroupNetwork(layout, preset, sizes, 4);
    const rng = Rng.fromSeed(2);
    const k = 5;
    const x = Float32Array.from({ length: k * 8 * 8 * 3 }, () => rng.next() * 2 - 1);
    const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 0, nesterov: false });
    for (let i = 0; i < 3; i++) sgd.step({ x, y: Int32Array.from({ length: k }, (_, j) => j % 3), shape: [k, 8, 8, 3] }, 0.1, 0);
    sgd.dispose();
    const xt = tf.tensor4d(x, [k, 8, 8, 3]);
    const expected = tf.tidy(() => net.forward(xt, false).arraySync());
    const model = nb201ToLayersModel(net);
    const got = tf.tidy(() => (model.predict(xt) as tf.Tensor2D).arraySync());
    assert.ok(maxDiff(got, expected) < 1e-4, `max diff ${maxDiff(got, expected)}`);
    assert.equal(trainableParams(model), net.paramCount());
    xt.dispose();
    model.dispose();
    net.dispose();
  });

  test('NB201 cost at per-group sizes: at NB201\'s own sizes (C=16, N=5, CIFAR-10) it equals the official counter', () => {
    for (const arch of [ZERO_ARCH, '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|']) {
      const r = resolveNetwork({ kind: 'nb201', arch, C: 16, N: 5 }, [32, 32, 3], 10);
      const c = r.cost(r.spec.initialSizes);
      const official = nb201Cost(parseArchStr(arch)!, 'cifar10');
      assert.equal(c.params, Math.round(official.paramsM * 1e6), arch);
      assert.ok(Math.abs(c.flops / 1e6 - official.flopsM) < 1e-9, `${arch}: ${c.flops / 1e6} vs ${official.flopsM}`);
      assert.equal(c.params, r.spec.paramCount(r.spec.initialSizes));
    }
  });

  test('result: per trial the sizes of every group, R-bar / kappa / S per layer, decisions; final network, retrain, evidence', () => {
    assert.equal(whole.runs.length, 1);
    const run = whole.runs[0];
    assert.equal(run.trials.length, 2);
    assert.equal(run.stopReason, 'trial-limit');
    const groups = whole.groups.map((g) => String(g.group)).sort();
    for (const t of run.trials) {
      assert.deepEqual(Object.keys(t.channels).sort(), groups);
      assert.ok(t.layers.length >= 7, 'stem, 2 convs per block, 2 projections');
      for (const l of t.layers) {
        assert.equal(l.rBar.length, 2, 'R-bar after each of the 2 epochs');
        assert.ok(l.rBar.every((r) => r >= 0 && r <= 1));
        assert.ok(Number.isFinite(l.slope));
      }
      assert.equal(t.decisions.length, groups.length);
    }
    // the sizes of trial 1 are the decisions of trial 0 (Eq. 4)
    for (const d of run.trials[0].decisions) assert.equal(run.trials[1].channels[String(d.group)], d.channelsAfter);
    assert.deepEqual(run.finalSizes, Object.fromEntries(run.trials[1].decisions.map((d) => [String(d.group), d.channelsAfter])));
    assert.equal(whole.final.params, run.params);
    assert.ok(whole.final.testAccuracy !== null && whole.final.testAccuracy >= 0 && whole.final.testAccuracy <= 1);
    assert.equal(run.retrain?.testImages, 64);
    assert.equal(whole.evidence.evaluation, 'stand-alone-training');
    assert.equal(whole.evidence.schedule.shortened, true);
    assert.equal(whole.evidence.data.trainImages, 96);
    assert.ok(whole.notes.some((x) => /SHORTENED/.test(x)));
    assert.equal(whole.exportFormat, CONET_BUNDLE_FORMAT);
  });

  test('the export bundle is a LayersModel of the final network (its params, classes and input shape)', async () => {
    const { bundle, model } = await loadBundle(wholeExport);
    assert.equal(bundle.format, CONET_BUNDLE_FORMAT);
    assert.deepEqual(bundle.groupSizes, whole.final.sizes);
    assert.equal(trainableParams(model), whole.final.params);
    const y = model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 10]);
    assert.ok((await y.data()).every(Number.isFinite));
    y.dispose();
    model.dispose();
    // a CONet bundle is accepted as a network: the same preset, starting at its sizes
    const m = networkFromModelFile(wholeExport, 'spec.network.modelArtifact');
    assert.equal(m.format, CONET_BUNDLE_FORMAT);
    assert.deepEqual(m.sizes, whole.final.sizes);
  });

  test('cancelled after the first trial and resumed from its checkpoint: the same trials, decisions and final network', async () => {
    const d = dir();
    const input = tinyInput(null, { retrain: false });
    const ref = await conetTask.run(taskContext(input, dir()).ctx);
    // 96 images / 32 = 3 batches per epoch, 2 epochs: the first trial passes 6 boundaries; cancel in the second trial
    const first = taskContext(input, d, null, 8);
    await assert.rejects(conetTask.run(first.ctx), TrainerAbortedError);
    assert.equal(first.checkpoints.length, 1, 'one checkpoint: after trial 0');
    const ck = first.checkpoints[0];
    const second = taskContext(input, d, { path: ck.path, step: ck.step, epoch: ck.epoch });
    const r = await conetTask.run(second.ctx);
    assert.equal(r.resumedAfterSteps, 1);
    const strip = (x: ConetResult): unknown => x.runs.map((run) => ({ ...run, trials: run.trials.map((t) => ({ ...t, seconds: null })) }));
    assert.deepEqual(strip(r), strip(ref));
    assert.deepEqual(r.final, ref.final);
    assert.ok(second.progress.some((p) => /resumed/.test(p.message)));
  });

  test('weights transplant: the carried weights go through the checkpoint (arrays), a resumed run equals the uninterrupted one', async () => {
    const d = dir();
    const input = tinyInput(null, { retrain: false, weights: 'transplant', maxTrials: 3 });
    const ref = await conetTask.run(taskContext(input, dir()).ctx);
    assert.equal(ref.weights, 'transplant');
    assert.equal(ref.runs[0].trials[0].transplanted, null);
    assert.ok(ref.runs[0].trials[1].transplanted!.copied > 0);
    assert.ok(ref.notes.some((x) => /weights transplant/.test(x)));
    // cancel in the second trial (the first passes 6 boundaries)
    const first = taskContext(input, d, null, 8);
    await assert.rejects(conetTask.run(first.ctx), TrainerAbortedError);
    const ck = first.checkpoints[0];
    const second = taskContext(input, d, { path: ck.path, step: ck.step, epoch: ck.epoch });
    const r = await conetTask.run(second.ctx);
    assert.equal(r.resumedAfterSteps, 1);
    assert.ok(!r.notes.some((x) => /checkpoint unusable/.test(x)), r.notes.join('; '));
    const strip = (x: ConetResult): unknown => x.runs.map((run) => ({ ...run, trials: run.trials.map((t) => ({ ...t, seconds: null })) }));
    assert.deepEqual(strip(r), strip(ref));
    // a restart run differs from trial 1 on
    const restart = await conetTask.run(taskContext({ ...input, weights: 'restart' }, dir()).ctx);
    assert.equal(restart.weights, 'restart');
    assert.equal(restart.runs[0].trials[1].transplanted, null);
    assert.notDeepEqual(restart.runs[0].trials[1].loss, ref.runs[0].trials[1].loss);
  });

  test('a model file of another format is refused naming the field', () => {
    const f = path.join(root, 'other.json');
    fs.writeFileSync(f, JSON.stringify({ format: 'something/1' }));
    assert.throws(() => networkFromModelFile(f, 'spec.network.modelArtifact'), (e: unknown) => e instanceof UnprocessableError && /spec\.network\.modelArtifact/.test(e.message));
  });
});
