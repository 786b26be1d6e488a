import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import type { ImageSplit } from '../../src/datasets/formats';
import { Batch, BatchStream, ChannelStats, batches, channelStats, deriveRng, drawTransform, normalisationTable, writeSample } from '../../src/datasets/pipeline';
import type { SampleTransform } from '../../src/datasets/pipeline';

const UNIT: ChannelStats = { mean: [0, 0, 0], std: [1, 1, 1], images: 0 };

/** n images of h x w x c with pixel value (i*31 + p*7) % 256 and label i % 10. */
function synthetic(n: number, h: number, w: number, c: number): ImageSplit {
  const images = new Uint8Array(n * h * w * c);
  for (let i = 0; i < n; i++) for (let p = 0; p < h * w * c; p++) images[i * h * w * c + p] = (i * 31 + p * 7) % 256;
  return { count: n, height: h, width: w, channels: c, images, labels: Uint8Array.from({ length: n }, (_, i) => i % 10) };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function sameBatch(a: Batch, b: Batch): void {
  assert.equal(a.epoch, b.epoch);
  assert.equal(a.batchIndex, b.batchIndex);
  assert.deepEqual(a.shape, b.shape);
  assert.deepEqual(a.indices, b.indices);
  assert.deepEqual(a.y, b.y);
  assert.ok(Buffer.from(a.x.buffer).equals(Buffer.from(b.x.buffer)), `x differs in batch ${a.epoch}/${a.batchIndex}`);
}

describe('BatchStream', () => {
  const data = synthetic(103, 4, 5, 3);
  const idx = range(103).filter((i) => i % 9 !== 4); // 92 indices, not all of the source
  const opts = { indices: idx, batchSize: 16, seed: 11, stats: UNIT, augment: { cropPadding: 1, horizontalFlip: true } };

  test('covers every index exactly once per epoch, last batch partial, shapes NHWC', () => {
    const s = new BatchStream(data, opts);
    assert.equal(s.batchesPerEpoch, 6);
    for (const e of [0, 1]) {
      const seen: number[] = [];
      const bs = [...s.epoch(e)];
      assert.deepEqual(bs.map((b) => b.shape[0]), [16, 16, 16, 16, 16, 12]);
      for (const b of bs) {
        assert.deepEqual(b.shape.slice(1), [4, 5, 3]);
        assert.equal(b.x.length, b.shape[0] * 60);
        b.indices.forEach((i, k) => assert.equal(b.y[k], data.labels[i]));
        seen.push(...b.indices);
      }
      assert.deepEqual(seen.sort((a, b) => a - b), idx);
    }
    assert.equal(new BatchStream(data, { ...opts, dropLast: true }).batchesPerEpoch, 5);
  });

  test('deterministic per seed and epoch; epochs and seeds differ', () => {
    const a = [...new BatchStream(data, opts).epoch(3)];
    const b = [...new BatchStream(data, opts).epoch(3)];
    a.forEach((x, i) => sameBatch(x, b[i]));
    const other = new BatchStream(data, opts);
    assert.notDeepEqual(other.batchAt(4, 0).indices, a[0].indices);
    assert.notDeepEqual(new BatchStream(data, { ...opts, seed: 12 }).batchAt(3, 0).indices, a[0].indices);
    // batches() is the same stream
    [...batches(data, opts, 3)].forEach((x, i) => sameBatch(x, a[i]));
  });

  test('resumes mid-epoch identically (fresh instance, across an epoch boundary)', () => {
    const full: Batch[] = [];
    const s = new BatchStream(data, opts);
    for (const b of s.from({ epoch: 0, batch: 0 }, 3)) full.push(b);
    assert.equal(full.length, 18);
    const cut = 8; // crash after consuming full[cut - 1]
    const pos = s.next(full[cut - 1]);
    assert.deepEqual(pos, { epoch: 1, batch: 2 });
    const resumed = [...new BatchStream(data, opts).from(pos, 3)];
    assert.equal(resumed.length, full.length - cut);
    resumed.forEach((b, i) => sameBatch(b, full[cut + i]));
    assert.deepEqual(s.next(full[5]), { epoch: 1, batch: 0 });
  });

  test('unshuffled stream keeps the given order', () => {
    const s = new BatchStream(data, { indices: [5, 2, 9], batchSize: 2, seed: 1, stats: UNIT, shuffle: false });
    assert.deepEqual([...s.epoch(7)].map((b) => [...b.indices]), [[5, 2], [9]]);
  });

  test('normalisation of a known pixel on the real CIFAR-10 subset', () => {
    const { train } = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
    const stats = channelStats(train, range(1000));
    const s = new BatchStream(train, { indices: [17, 42], batchSize: 2, seed: 0, stats, shuffle: false });
    const b = s.batchAt(0, 0);
    for (const [k, i, y, x, ch] of [[0, 17, 0, 0, 0], [1, 42, 31, 31, 2], [1, 42, 10, 20, 1]]) {
      const p = train.images[((i * 32 + y) * 32 + x) * 3 + ch];
      const expected = Math.fround((p / 255 - stats.mean[ch]) / stats.std[ch]);
      assert.equal(b.x[(((k * 32 + y) * 32 + x) * 3) + ch], expected);
    }
  });

  test('one-hot targets on request', () => {
    const b = new BatchStream(data, { ...opts, oneHot: true, numClasses: 10 }).batchAt(0, 1);
    assert.ok(b.yOneHot);
    for (let k = 0; k < b.y.length; k++) for (let j = 0; j < 10; j++) assert.equal(b.yOneHot[k * 10 + j], j === b.y[k] ? 1 : 0);
    assert.throws(() => new BatchStream(data, { ...opts, oneHot: true, numClasses: 5 }), InvalidInputError);
  });

  test('rejects bad options naming the field', () => {
    const field = (o: object, f: string): void => {
      assert.throws(() => new BatchStream(data, { ...opts, ...o }), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === f);
    };
    field({ batchSize: 0 }, 'batchSize');
    field({ indices: [0, 103] }, 'indices');
    field({ indices: [] }, 'indices');
    field({ stats: { mean: [0], std: [1], images: 1 } }, 'stats');
    field({ stats: { mean: [0, 0, 0], std: [1, 0, 1], images: 1 } }, 'stats');
    field({ augment: { cropPadding: -1 } }, 'augment.cropPadding');
    assert.throws(() => new BatchStream(data, opts).batchAt(0, 6), InvalidInputError);
  });
});

/** Reference crop + flip: build the padded image explicitly, cut the window, mirror it. */
function referenceTransform(src: Uint8Array, h: number, w: number, c: number, pad: number, t: SampleTransform): number[] {
  const ph = h + 2 * pad;
  const pw = w + 2 * pad;
  const padded = new Array<number>(ph * pw * c).fill(0);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) padded[((y + pad) * pw + x + pad) * c + ch] = src[(y * w + x) * c + ch];
  const crop: number[][][] = [];
  for (let y = 0; y < h; y++) {
    const row: number[][] = [];
    for (let x = 0; x < w; x++) row.push(padded.slice(((y + t.dy) * pw + x + t.dx) * c, ((y + t.dy) * pw + x + t.dx) * c + c));
    crop.push(t.flip ? row.reverse() : row);
  }
  return crop.flat(2);
}

describe('crop + flip', () => {
  // 3x4 image, 2 channels: pixel (y, x, ch) = 10*y + x + 100*ch + 1 (never 0, so padding is visible).
  const h = 3;
  const w = 4;
  const c = 2;
  const img = Uint8Array.from({ length: h * w * c }, (_, i) => {
    const ch = i % c;
    const p = (i - ch) / c;
    return 10 * Math.floor(p / w) + (p % w) + 100 * ch + 1;
  });
  const lut = normalisationTable({ mean: [0, 0], std: [1 / 255, 1 / 255], images: 0 }); // maps p -> p exactly
  const run = (pad: number, t: SampleTransform): number[] => {
    const out = new Float32Array(h * w * c);
    writeSample(img, 0, h, w, c, out, 0, lut, pad, t);
    return Array.from(out);
  };

  test('exact pixels of one hand-checked case: pad 1, window at (dy 0, dx 2), flipped', () => {
    // padded rows -1..3 x cols -1..4; window rows -1..1, cols 1..4 -> then mirrored: cols 4,3,2,1 (4 is padding)
    const ch0 = [
      [0, 0, 0, 0],
      [0, 4, 3, 2],
      [0, 14, 13, 12],
    ];
    const expected = ch0.flat().flatMap((v) => [v, v === 0 ? 0 : v + 100]);
    assert.deepEqual(run(1, { dy: 0, dx: 2, flip: true }), expected);
    assert.deepEqual(run(0, { dy: 0, dx: 0, flip: false }), Array.from(img));
  });

  test('equals the explicit pad-crop-mirror reference for every window and flip', () => {
    for (const pad of [1, 2]) {
      for (let dy = 0; dy <= 2 * pad; dy++) {
        for (let dx = 0; dx <= 2 * pad; dx++) {
          for (const flip of [false, true]) assert.deepEqual(run(pad, { dy, dx, flip }), referenceTransform(img, h, w, c, pad, { dy, dx, flip }));
        }
      }
    }
  });

  test('a stream applies the transforms drawn from deriveRng(seed, 1, epoch, batch); all windows and both flips occur', () => {
    const data: ImageSplit = { count: 1, height: h, width: w, channels: c, images: img, labels: Uint8Array.from([3]) };
    const indices = new Array<number>(40).fill(0);
    const s = new BatchStream(data, { indices, batchSize: 40, seed: 99, stats: { mean: [0, 0], std: [1 / 255, 1 / 255], images: 0 }, augment: { cropPadding: 1, horizontalFlip: true } });
    const b = s.batchAt(2, 0);
    const rng = deriveRng(99, 1, 2, 0);
    const seen = new Set<string>();
    for (let k = 0; k < 40; k++) {
      const t = drawTransform(rng, 1, true);
      seen.add(`${t.dy},${t.dx},${t.flip}`);
      assert.deepEqual(Array.from(b.x.subarray(k * h * w * c, (k + 1) * h * w * c)), referenceTransform(img, h, w, c, 1, t));
    }
    assert.ok(seen.size >= 12, `only ${seen.size} of 18 transforms in 40 draws`);
  });

  test('padding is black (pixel 0) after normalisation', () => {
    const stats: ChannelStats = { mean: [0.5, 0.25], std: [0.2, 0.1], images: 0 };
    const out = new Float32Array(h * w * c);
    writeSample(img, 0, h, w, c, out, 0, normalisationTable(stats), 1, { dy: 0, dx: 0, flip: false });
    assert.equal(out[0], Math.fround(-0.5 / 0.2));
    assert.equal(out[1], Math.fround(-0.25 / 0.1));
  });
});
