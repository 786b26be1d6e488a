import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import type { ImageSplit } from '../../src/datasets/formats';
import { channelStats, splitTrainValid } from '../../src/datasets/pipeline';

/** Labels with uneven class sizes: class c has 10 + 7c images, interleaved. */
function unevenLabels(): Uint8Array {
  const out: number[] = [];
  for (let c = 0; c < 5; c++) for (let k = 0; k < 10 + 7 * c; k++) out.push(c);
  for (let i = out.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return Uint8Array.from(out);
}

function countBy(labels: Uint8Array, idx: ArrayLike<number>, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < idx.length; i++) c[labels[idx[i]]]++;
  return c;
}

describe('splitTrainValid', () => {
  const labels = unevenLabels();
  const data = { count: labels.length, labels };

  test('disjoint, covering, sorted, stratified, exact total', () => {
    const s = splitTrainValid(data, 0.2, 42);
    assert.equal(s.valid.length, Math.round(labels.length * 0.2));
    assert.equal(s.train.length + s.valid.length, labels.length);
    const all = [...s.train, ...s.valid].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: labels.length }, (_, i) => i));
    for (const part of [s.train, s.valid]) for (let i = 1; i < part.length; i++) assert.ok(part[i - 1] < part[i]);
    const perClass = countBy(labels, Array.from(labels.keys()), 5);
    const validPerClass = countBy(labels, s.valid, 5);
    perClass.forEach((n, c) => {
      assert.ok(validPerClass[c] === Math.floor(n * 0.2) || validPerClass[c] === Math.ceil(n * 0.2), `class ${c}: ${validPerClass[c]} of ${n}`);
    });
  });

  test('deterministic per seed, different for another seed', () => {
    const a = splitTrainValid(data, 0.25, 7);
    const b = splitTrainValid(data, 0.25, 7);
    const c = splitTrainValid(data, 0.25, 8);
    assert.deepEqual(a.valid, b.valid);
    assert.deepEqual(a.train, b.train);
    assert.notDeepEqual(a.valid, c.valid);
    assert.deepEqual(countBy(labels, a.valid, 5), countBy(labels, c.valid, 5));
  });

  test('validFraction 0 keeps everything for training; out-of-range fractions are rejected', () => {
    const s = splitTrainValid(data, 0, 1);
    assert.equal(s.valid.length, 0);
    assert.equal(s.train.length, labels.length);
    for (const f of [-0.1, 1, 1.5, Number.NaN]) assert.throws(() => splitTrainValid(data, f, 1), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'validFraction');
    assert.throws(() => splitTrainValid(data, 0.1, 1.5), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'seed');
  });

  test('real CIFAR-10 subset: 10% valid, each class within one image of 10%', () => {
    const { train } = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
    const s = splitTrainValid(train, 0.1, 123);
    assert.equal(s.valid.length, 400);
    const all = countBy(train.labels, Array.from(train.labels.keys()), 10);
    countBy(train.labels, s.valid, 10).forEach((v, c) => assert.ok(Math.abs(v - all[c] * 0.1) < 1, `class ${c}: ${v} of ${all[c]}`));
  });
});

/** Straightforward per-channel mean/std of pixel/255 over the given images. */
function naiveStats(split: ImageSplit, idx: ArrayLike<number>): { mean: number[]; std: number[] } {
  const { height: h, width: w, channels: c } = split;
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const values: number[] = [];
    for (let k = 0; k < idx.length; k++) for (let p = 0; p < h * w; p++) values.push(split.images[(idx[k] * h * w + p) * c + ch] / 255);
    const m = values.reduce((s, v) => s + v, 0) / values.length;
    mean.push(m);
    std.push(Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / values.length));
  }
  return { mean, std };
}

describe('channelStats', () => {
  test('equals a naive computation on the train part of the real CIFAR-10 subset', () => {
    const { train } = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
    const s = splitTrainValid(train, 0.5, 5);
    const stats = channelStats(train, s.train);
    const ref = naiveStats(train, s.train);
    assert.equal(stats.images, s.train.length);
    for (let ch = 0; ch < 3; ch++) {
      assert.ok(Math.abs(stats.mean[ch] - ref.mean[ch]) < 1e-12, `mean ${ch}: ${stats.mean[ch]} vs ${ref.mean[ch]}`);
      assert.ok(Math.abs(stats.std[ch] - ref.std[ch]) < 1e-12, `std ${ch}: ${stats.std[ch]} vs ${ref.std[ch]}`);
    }
    // plausibly CIFAR-10 (full-set means are about 0.49, 0.48, 0.45)
    for (const m of stats.mean) assert.ok(m > 0.4 && m < 0.55);
  });

  test('uses only the given indices; a constant channel gets std 1', () => {
    // 4 images of 1x2 pixels, 2 channels: images 0,1 (train) and 2,3 (valid) differ wildly.
    const images = Uint8Array.from([0, 7, 255, 7, /**/ 255, 7, 0, 7, /**/ 200, 1, 200, 2, /**/ 100, 3, 100, 4]);
    const split: ImageSplit = { count: 4, height: 1, width: 2, channels: 2, images, labels: Uint8Array.from([0, 1, 0, 1]) };
    const stats = channelStats(split, [0, 1]);
    assert.deepEqual(stats.mean, [127.5 / 255, 7 / 255]);
    assert.deepEqual(stats.std, [0.5, 1]);
    assert.throws(() => channelStats(split, [0, 4]), InvalidInputError);
    assert.throws(() => channelStats(split, []), InvalidInputError);
  });
});
