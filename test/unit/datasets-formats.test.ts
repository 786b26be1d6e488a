import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as zlib from 'node:zlib';
import { loadConfig } from '../../src/config/config';
import {
  BUILTIN_DATASETS,
  DatasetFormatError,
  loadBuiltinDataset,
  loadStoredDataset,
  maybeGunzip,
  parseCifar10Binary,
  parseIdxImages,
  parseIdxLabels,
  summarizeDataset,
} from '../../src/datasets/formats';

const IMAGES = path.join(loadConfig().dataDir, 'images');
const raw = (rel: string): Buffer => fs.readFileSync(path.join(IMAGES, rel));
const gunzipped = (rel: string): Buffer => zlib.gunzipSync(raw(rel));

/** Runs fn, expects a DatasetFormatError naming `file` whose message matches `re`. */
function throwsFormat(fn: () => unknown, file: string, re: RegExp, rule?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DatasetFormatError, `expected DatasetFormatError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.match(err.message, re);
    assert.equal(err.message, `${err.file}: ${err.problem}`);
    if (rule) assert.equal(err.rule, rule);
    return true;
  });
}

function counts(labels: Uint8Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

describe('maybeGunzip', () => {
  test('decompresses by magic bytes and passes other buffers through unchanged', () => {
    const gz = raw('mnist/t10k-labels-idx1-ubyte.gz');
    const out = maybeGunzip(gz, 't10k-labels');
    assert.equal(out.length, 10008);
    const plain = Buffer.from([0, 0, 8, 1, 0, 0, 0, 0]);
    assert.equal(maybeGunzip(plain, 'x'), plain);
  });

  test('truncated and corrupted gzip -> DatasetFormatError naming the file', () => {
    const gz = raw('mnist/t10k-labels-idx1-ubyte.gz');
    throwsFormat(() => maybeGunzip(gz.subarray(0, gz.length - 100), 'testLabels'), 'testLabels', /corrupt gzip/, 'gzip');
    const bad = Buffer.from(gz);
    for (let i = 20; i < 60; i++) bad[i] ^= 0xff;
    throwsFormat(() => maybeGunzip(bad, 'testLabels'), 'testLabels', /corrupt gzip/, 'gzip');
  });

  test('maxOutputBytes bounds the decompressed size (gzip bomb)', () => {
    const bomb = zlib.gzipSync(Buffer.alloc(4 * 1024 * 1024));
    assert.ok(bomb.length < 10_000);
    throwsFormat(() => maybeGunzip(bomb, 'train', 1024 * 1024), 'train', /more than 1048576 bytes/, 'maxDecompressedBytes');
    assert.equal(maybeGunzip(bomb, 'train', 4 * 1024 * 1024).length, 4 * 1024 * 1024);
  });
});

describe('parseCifar10Binary on the real CIFAR-10 subset', () => {
  let testBin: Buffer;
  before(() => {
    testBin = gunzipped('cifar10/cifar10_test_first846.bin.gz');
  });

  test('846 records, 32x32x3, labels as stored, CHW converted to HWC', () => {
    assert.equal(createHash('sha256').update(raw('cifar10/cifar10_test_first846.bin.gz')).digest('hex'), 'd6cb09a264c2588e4e1bff9618ab4ecf8f44978ee9f82883288de03a919c74fd');
    const s = parseCifar10Binary(testBin, 'test');
    assert.deepEqual([s.count, s.height, s.width, s.channels], [846, 32, 32, 3]);
    assert.equal(s.images.length, 846 * 3072);
    assert.equal(s.labels.length, 846);
    for (const r of [0, 1, 500, 845]) {
      assert.equal(s.labels[r], testBin[r * 3073]);
      // pixel (y, x) channel c of HWC == plane c at y*32+x of the record
      for (const [y, x] of [[0, 0], [5, 17], [31, 31]]) {
        for (let c = 0; c < 3; c++) {
          assert.equal(s.images[r * 3072 + (y * 32 + x) * 3 + c], testBin[r * 3073 + 1 + c * 1024 + y * 32 + x]);
        }
      }
    }
    // test_batch image 0 is a cat (class 3), image 1 a ship (8)
    assert.deepEqual([s.labels[0], s.labels[1]], [3, 8]);
  });

  test('truncated, empty and bad-label files are rejected with the file and the problem', () => {
    throwsFormat(() => parseCifar10Binary(testBin.subarray(0, 3073 * 2 - 1), 'test'), 'test', /length 6145 is not a multiple of 3073-byte CIFAR-10 records/, 'cifar10RecordLength');
    throwsFormat(() => parseCifar10Binary(Buffer.concat([testBin, testBin]).subarray(0, 3072001), 'train'), 'train', /length 3072001 is not a multiple of 3073/);
    throwsFormat(() => parseCifar10Binary(Buffer.alloc(0), 'test'), 'test', /empty/, 'notEmpty');
    const bad = Buffer.from(testBin.subarray(0, 3073 * 3));
    bad[2 * 3073] = 10;
    throwsFormat(() => parseCifar10Binary(bad, 'test'), 'test', /record 2 has label 10, expected 0\.\.9/, 'labelRange');
  });
});

describe('IDX parsers on the real MNIST files', () => {
  let t10kImages: Buffer;
  let t10kLabels: Buffer;
  before(() => {
    t10kImages = gunzipped('mnist/t10k-images-idx3-ubyte.gz');
    t10kLabels = gunzipped('mnist/t10k-labels-idx1-ubyte.gz');
  });

  test('t10k: 10000 x 28 x 28 images, official label counts', () => {
    const img = parseIdxImages(t10kImages, 'test-images');
    assert.deepEqual([img.count, img.height, img.width, img.images.length], [10000, 28, 28, 7840000]);
    assert.equal(img.images[0], t10kImages[16]);
    assert.equal(img.images[7839999], t10kImages[16 + 7839999]);
    const labels = parseIdxLabels(t10kLabels, 'test-labels');
    assert.equal(labels.length, 10000);
    assert.deepEqual(counts(labels, 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  test('wrong magic names the file and both magics', () => {
    throwsFormat(() => parseIdxImages(t10kLabels, 'train-images'), 'train-images', /^train-images: IDX magic is 0x00000801, expected 0x00000803 \(images\)$/, 'idxMagic');
    throwsFormat(() => parseIdxLabels(t10kImages, 'train-labels'), 'train-labels', /IDX magic is 0x00000803, expected 0x00000801 \(labels\)/, 'idxMagic');
  });

  test('truncated, padded and header-only files are rejected', () => {
    throwsFormat(() => parseIdxImages(t10kImages.subarray(0, t10kImages.length - 1), 'ti'), 'ti', /length 7840015 does not match the IDX header \(10000 x 28 x 28\): expected exactly 7840016/, 'idxLength');
    throwsFormat(() => parseIdxImages(Buffer.concat([t10kImages, Buffer.alloc(1)]), 'ti'), 'ti', /expected exactly 7840016/);
    throwsFormat(() => parseIdxImages(t10kImages.subarray(0, 10), 'ti'), 'ti', /shorter than the 16-byte IDX images header/, 'idxHeader');
    throwsFormat(() => parseIdxLabels(t10kLabels.subarray(0, 5000), 'tl'), 'tl', /expected exactly 10008/, 'idxLength');
    const zeroCount = Buffer.from(t10kImages.subarray(0, 16));
    zeroCount.writeUInt32BE(0, 4);
    throwsFormat(() => parseIdxImages(zeroCount, 'ti'), 'ti', /0 images/, 'notEmpty');
  });
});

describe('builtin datasets', () => {
  test('BUILTIN_DATASETS lists every builtin', () => {
    assert.deepEqual([...BUILTIN_DATASETS], ['cifar10-subset', 'mnist', 'fashion-mnist']);
  });

  test('mnist: first 3009 train images, t10k test', () => {
    const d = loadBuiltinDataset('mnist', loadConfig().dataDir);
    assert.equal(d.name, 'mnist');
    assert.equal(d.numClasses, 10);
    assert.deepEqual([d.train.count, d.train.height, d.train.width, d.train.channels], [3009, 28, 28, 1]);
    assert.deepEqual([d.test.count, d.test.height, d.test.width, d.test.channels], [10000, 28, 28, 1]);
    assert.equal(d.train.images.length, 3009 * 784);
    // the subset's labels are the first 3009 of the official 60000
    const all = parseIdxLabels(gunzipped('mnist/train-labels-idx1-ubyte.gz'), 'train-labels');
    assert.deepEqual(Array.from(d.train.labels), Array.from(all.subarray(0, 3009)));
    assert.match(d.source, /^builtin:mnist \(.*images\/mnist, 3009 train \/ 10000 test/);
  });

  test('cifar10-subset: 4000 / 846, class counts from PROVENANCE.md', () => {
    const d = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
    assert.deepEqual([d.train.count, d.test.count, d.numClasses], [4000, 846, 10]);
    assert.deepEqual([d.train.height, d.train.width, d.train.channels], [32, 32, 3]);
    assert.deepEqual(counts(d.train.labels, 10), [396, 366, 420, 384, 422, 393, 414, 385, 407, 413]);
    assert.match(d.source, /^builtin:cifar10-subset \(.*images\/cifar10, 4000 train \/ 846 test/);
  });

  test('a data dir without the files -> DatasetFormatError naming the file', () => {
    throwsFormat(() => loadBuiltinDataset('mnist', '/nonexistent-data-dir'), 'train-images-first3009-idx3-ubyte.gz', /cannot read .*ENOENT/, 'readable');
  });
});

describe('loadStoredDataset and summarizeDataset', () => {
  let dir: string;
  let trainImages: Buffer;
  let trainLabels: Buffer;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datasets-formats-'));
    trainImages = gunzipped('mnist/train-images-first3009-idx3-ubyte.gz');
    trainLabels = gunzipped('mnist/train-labels-first3009-idx1-ubyte.gz');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** An IDX file holding the first n images / labels of a real one. */
  function firstImages(buf: Buffer, n: number): Buffer {
    const out = Buffer.from(buf.subarray(0, 16 + n * 784));
    out.writeUInt32BE(n, 4);
    return out;
  }
  function firstLabels(buf: Buffer, n: number): Buffer {
    const out = Buffer.from(buf.subarray(0, 8 + n));
    out.writeUInt32BE(n, 4);
    return out;
  }

  test('mnist-idx: loads plain and gzipped files by role', () => {
    const files = { 'train-images': 'a', 'train-labels': 'b', 'test-images': 'c', 'test-labels': 'd' };
    fs.writeFileSync(path.join(dir, 'a'), firstImages(trainImages, 100));
    fs.writeFileSync(path.join(dir, 'b'), zlib.gzipSync(firstLabels(trainLabels, 100)));
    fs.writeFileSync(path.join(dir, 'c'), firstImages(trainImages, 30));
    fs.writeFileSync(path.join(dir, 'd'), firstLabels(trainLabels, 30));
    const d = loadStoredDataset(dir, 'mnist-idx', files, 'small');
    assert.deepEqual([d.name, d.numClasses, d.train.count, d.test.count, d.train.channels], ['small', 10, 100, 30, 1]);
    assert.deepEqual(Array.from(d.test.labels), Array.from(trainLabels.subarray(8, 38)));
    assert.match(d.source, /^uploaded:small \(mnist-idx, .*100 train \/ 30 test\)$/);

    fs.writeFileSync(path.join(dir, 'd'), firstLabels(trainLabels, 29));
    throwsFormat(() => loadStoredDataset(dir, 'mnist-idx', files, 'small'), 'd', /^d: labels count 29 != images count 30$/, 'labelCount');
    const bad = firstLabels(trainLabels, 30);
    bad[8 + 7] = 12;
    fs.writeFileSync(path.join(dir, 'd'), bad);
    throwsFormat(() => loadStoredDataset(dir, 'mnist-idx', files, 'small'), 'd', /label 12 at index 7 is out of range 0\.\.9/, 'labelRange');
    throwsFormat(() => loadStoredDataset(dir, 'mnist-idx', { ...files, 'test-labels': '' }, 'small'), 'test-labels', /no file is recorded/);
    throwsFormat(() => loadStoredDataset(dir, 'mnist-idx', { ...files, 'test-labels': '../d' }, 'small'), 'test-labels', /must not contain a path/);
  });

  test('cifar10-binary: loads train/test record files', () => {
    const bin = gunzipped('cifar10/cifar10_test_first846.bin.gz');
    fs.writeFileSync(path.join(dir, 'train.bin'), bin.subarray(0, 3073 * 20));
    fs.writeFileSync(path.join(dir, 'test.bin'), zlib.gzipSync(bin.subarray(3073 * 20, 3073 * 25)));
    const d = loadStoredDataset(dir, 'cifar10-binary', { train: 'train.bin', test: 'test.bin' }, 'c');
    assert.deepEqual([d.train.count, d.test.count, d.numClasses, d.test.labels[0]], [20, 5, 10, bin[3073 * 20]]);
  });

  test('summarizeDataset checks shapes without copying and rejects mismatched train/test sizes', () => {
    const s = summarizeDataset('mnist-idx', {
      'train-images': firstImages(trainImages, 50),
      'train-labels': firstLabels(trainLabels, 50),
      'test-images': firstImages(trainImages, 10),
      'test-labels': firstLabels(trainLabels, 10),
    });
    assert.deepEqual(s, { numTrain: 50, numTest: 10, numClasses: 10, imageShape: [28, 28, 1] });
    const small = Buffer.alloc(16 + 2 * 14 * 14);
    small.writeUInt32BE(0x803, 0);
    small.writeUInt32BE(2, 4);
    small.writeUInt32BE(14, 8);
    small.writeUInt32BE(14, 12);
    throwsFormat(
      () =>
        summarizeDataset(
          'mnist-idx',
          { 'train-images': firstImages(trainImages, 2), 'train-labels': firstLabels(trainLabels, 2), 'test-images': small, 'test-labels': firstLabels(trainLabels, 2) },
          { 'test-images': 'testImages' },
        ),
      'testImages',
      /test images are 14x14 but train images are 28x28/,
      'sameImageShape',
    );
    throwsFormat(() => summarizeDataset('cifar10-binary', { train: Buffer.alloc(3073) }, { test: 'test' }), 'test', /missing/, 'required');
  });
});
