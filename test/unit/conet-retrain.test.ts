// CONet retraining helpers (src/methods/conet/training/retrain): the uniform-width baseline at equal params and a
// retrain + test evaluation on tiny separable data (wasm).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { resnetSpec } from '../../src/methods/conet/training/resnet-preset';
import { retrainAndTest, uniformSizesAtParams } from '../../src/methods/conet/training/retrain';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';

const spec = resnetSpec({ blocksPerStage: [1, 1, 1], stageChannels: [4, 8, 8], inputShape: [8, 8, 3], numClasses: 2 });

describe('CONet retrain helpers', () => {
  test('uniform multiplier: the largest uniform width not above the target params', () => {
    const start = spec.paramCount(spec.initialSizes);
    const u = uniformSizesAtParams(spec, 2 * start);
    assert.ok(u.params <= 2 * start);
    assert.ok(u.multiplier > 1.2 && u.multiplier < 1.6, `multiplier ${u.multiplier}`);
    // one more channel everywhere would exceed the target
    const bigger = new Map([...u.sizes].map(([g, c]) => [g, c + 1]));
    assert.ok(spec.paramCount(bigger) > 2 * start);
    // at the starting params: the starting sizes
    assert.deepEqual(uniformSizesAtParams(spec, start).sizes, new Map(spec.initialSizes));
  });

  describe('wasm', () => {
    before(async () => {
      await selectBackend({ force: 'wasm' });
    });

    test('retrain and test: separable data is learned (test accuracy > 0.9)', async () => {
      const rng = Rng.fromSeed(2);
      const make = (count: number): { count: number; height: number; width: number; channels: number; images: Uint8Array; labels: Uint8Array } => {
        const images = new Uint8Array(count * 64 * 3);
        const labels = Uint8Array.from({ length: count }, (_, i) => i % 2);
        for (let i = 0; i < count; i++) for (let p = 0; p < 64; p++) for (let c = 0; c < 3; c++) {
          const base = c === 0 ? (labels[i] ? 200 : 50) : 120;
          images[(i * 64 + p) * 3 + c] = Math.max(0, Math.min(255, base + Math.floor((rng.next() - 0.5) * 80)));
        }
        return { count, height: 8, width: 8, channels: 3, images, labels };
      };
      const trainData = make(64);
      const testData = make(32);
      const idx = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
      const stats = channelStats(trainData, idx(64));
      const train = new BatchStream(trainData, { indices: idx(64), batchSize: 16, seed: 1, stats });
      const testStream = new BatchStream(testData, { indices: idx(32), batchSize: 16, seed: 1, stats, shuffle: false });
      const r = await retrainAndTest(spec, spec.initialSizes, train, testStream, { epochs: 3, lr: 0.05, momentum: 0.9, weightDecay: 0, seed: 3 });
      assert.equal(r.testImages, 32);
      assert.equal(r.params, spec.paramCount(spec.initialSizes));
      assert.ok(r.testAccuracy > 0.9, `test accuracy ${r.testAccuracy}`);
      assert.equal(r.trainLoss.length, 3);
    });
  });
});
