// The premise of CONet (Sec. 2.2, Fig. 1(b), Fig. 3): the EVBMF rank of conv weights starts at ~0 (random
// initialisation is all noise) and grows while the network learns, then plateaus. Checked on a small ResNet preset
// memorising 64 random 8x8 images (wasm, 12 epochs): measured here, mean R̄ 0 at init, ~0.06 after 10 epochs.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { ALG2_DEFAULTS } from '../../src/methods/conet/science/alg2';
import { resnetSpec } from '../../src/methods/conet/training/resnet-preset';
import { runTrial, startRun } from '../../src/methods/conet/training/trial-runner';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';

describe('CONet rank growth during training (wasm)', () => {
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });

  test('mean R-bar is 0 at initialisation and positive after training; the slope S is positive', async () => {
    const rng = Rng.fromSeed(5);
    const count = 64;
    const images = Uint8Array.from({ length: count * 64 * 3 }, () => Math.floor(rng.next() * 256));
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 4);
    const data = { count, height: 8, width: 8, channels: 3, images, labels };
    const idx = Array.from({ length: count }, (_, i) => i);
    const train = new BatchStream(data, { indices: idx, batchSize: 16, seed: 3, stats: channelStats(data, idx) });
    const spec = resnetSpec({ blocksPerStage: [1, 1, 1], stageChannels: [8, 16, 16], inputShape: [8, 8, 3], numClasses: 4 });
    const alg2 = { ...ALG2_DEFAULTS, maxTrials: 1, delta: 0 };
    const s = await runTrial(startRun(spec, alg2), { spec, train, options: { epochs: 12, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, seed: 1, alg2, measureInit: true } });
    const epochs = s.trials[0].epochs;
    const mean = (e: number): number => epochs[e].layers.reduce((a, l) => a + l.rBar, 0) / epochs[e].layers.length;
    assert.equal(mean(0), 0, 'random initialisation has no low-rank structure');
    assert.ok(mean(12) > 0.03, `mean R-bar after 12 epochs ${mean(12)}`);
    assert.ok(epochs[12].layers.some((l) => l.rBar >= 0.1), 'some layer gained rank');
    assert.ok(epochs[12].loss! < epochs[1].loss!, 'it learned');
    const slopes = s.trials[0].summaries.map((x) => x.slope);
    assert.ok(Math.max(...slopes) > 0);
    // delta 0: layers with S > 0 expand (Alg. 2)
    assert.ok(s.trials[0].decisions.some((d) => d.action === 1));
  });
});
