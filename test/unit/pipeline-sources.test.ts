import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as zlib from 'node:zlib';
import { loadConfig } from '../../src/config/config';
import { DatasetFormatError, parseCifar10Binary } from '../../src/datasets/formats';
import type { ImageSplit } from '../../src/datasets/formats';
import { BatchStream, Cifar10FileSource, channelStats, openCifar10Source, splitSource } from '../../src/datasets/pipeline';

const GZ = path.join(loadConfig().dataDir, 'images', 'cifar10', 'cifar10_test_first846.bin.gz');
const RECORD = 3073;

function throwsFormat(fn: () => unknown, file: string, re: RegExp, rule: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DatasetFormatError, `expected DatasetFormatError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.match(err.message, re);
    assert.equal(err.rule, rule);
    return true;
  });
}

describe('CIFAR-10 file-backed source', () => {
  let dir: string;
  let binPath: string;
  let raw: Buffer;
  let memory: ImageSplit;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-sources-'));
    raw = zlib.gunzipSync(fs.readFileSync(GZ));
    binPath = path.join(dir, 'test.bin');
    fs.writeFileSync(binPath, raw);
    memory = parseCifar10Binary(raw, 'test.bin');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('labels and pixels equal the in-memory reader on the real subset (846 images)', () => {
    const file = new Cifar10FileSource(binPath);
    try {
      assert.equal(file.count, 846);
      assert.deepEqual(file.labels, memory.labels);
      const idx = [845, 0, 17, 400, 17];
      const a = new Uint8Array(idx.length * 3072);
      file.readPixels(idx, a);
      const b = new Uint8Array(idx.length * 3072);
      splitSource(memory).readPixels(idx, b);
      assert.deepEqual(a, b);
    } finally {
      file.close();
    }
  });

  test('an augmented epoch from the file equals the same epoch from memory; stats too', () => {
    const file = new Cifar10FileSource(binPath);
    try {
      const indices = Array.from({ length: 846 }, (_, i) => i);
      const stats = channelStats(memory, indices);
      assert.deepEqual(channelStats(file, indices), stats);
      const opts = { indices, batchSize: 256, seed: 3, stats, augment: { cropPadding: 4, horizontalFlip: true } };
      const fromFile = [...new BatchStream(file, opts).epoch(1)];
      const fromMemory = [...new BatchStream(memory, opts).epoch(1)];
      assert.equal(fromFile.length, 4);
      fromFile.forEach((b, i) => {
        assert.deepEqual(b.indices, fromMemory[i].indices);
        assert.deepEqual(b.y, fromMemory[i].y);
        assert.deepEqual(b.x, fromMemory[i].x);
      });
    } finally {
      file.close();
    }
  });

  test('openCifar10Source: .bin -> record reader, .bin.gz -> decompressed whole, same data', () => {
    const bin = openCifar10Source(binPath);
    const gz = openCifar10Source(GZ);
    try {
      assert.ok(bin instanceof Cifar10FileSource);
      assert.ok(!(gz instanceof Cifar10FileSource));
      assert.equal(gz.name, 'cifar10_test_first846.bin.gz');
      assert.deepEqual(gz.labels, bin.labels);
      const a = new Uint8Array(3 * 3072);
      const b = new Uint8Array(3 * 3072);
      bin.readPixels([1, 2, 3], a);
      gz.readPixels([1, 2, 3], b);
      assert.deepEqual(a, b);
    } finally {
      bin.close();
      gz.close();
    }
  });

  test('corrupt or mismatched files give errors naming the file', () => {
    const write = (name: string, buf: Uint8Array): string => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, buf);
      return p;
    };
    throwsFormat(() => new Cifar10FileSource(path.join(dir, 'missing.bin')), 'missing.bin', /cannot read .*ENOENT/, 'readable');
    throwsFormat(() => new Cifar10FileSource(write('empty.bin', new Uint8Array(0))), 'empty.bin', /empty/, 'notEmpty');
    throwsFormat(() => new Cifar10FileSource(write('short.bin', raw.subarray(0, RECORD * 2 + 100))), 'short.bin', /not a multiple of 3073/, 'cifar10RecordLength');
    const badLabel = Buffer.concat([raw, raw]); // 1,692 records: the label scan crosses a 1,024-record chunk
    badLabel[1500 * RECORD] = 10;
    throwsFormat(() => new Cifar10FileSource(write('label.bin', badLabel), 'upload train'), 'upload train', /record 1500 has label 10/, 'labelRange');
    const gzBad = zlib.gzipSync(raw.subarray(0, RECORD + 1));
    throwsFormat(() => openCifar10Source(write('bad.bin.gz', gzBad)), 'bad.bin.gz', /not a multiple of 3073/, 'cifar10RecordLength');
    throwsFormat(() => openCifar10Source(write('trunc.bin.gz', zlib.gzipSync(raw).subarray(0, 5000))), 'trunc.bin.gz', /corrupt gzip/, 'gzip');
    // truncated after opening (e.g. replaced while a job runs): the read names the file
    const p = write('shrinks.bin', raw.subarray(0, RECORD * 4));
    const s = new Cifar10FileSource(p);
    try {
      fs.truncateSync(p, RECORD * 2);
      throwsFormat(() => s.readPixels([3], new Uint8Array(3072)), 'shrinks.bin', /file ended at byte/, 'cifar10RecordLength');
    } finally {
      s.close();
    }
  });
});
