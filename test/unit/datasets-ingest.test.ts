import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { after, before, describe, test } from 'node:test';
import * as zlib from 'node:zlib';
import { DomainError, InvalidInputError, PayloadTooLargeError, UnprocessableError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { UploadedPart, ingestUpload } from '../../src/datasets/ingest';

const IMAGES = path.join(loadConfig().dataDir, 'images');
const raw = (rel: string): Buffer => fs.readFileSync(path.join(IMAGES, rel));
const MB = 1024 * 1024;

function part(field: string, data: Buffer, originalName = `${field}.bin`): UploadedPart {
  return { field, originalName, data };
}

async function rejects<T extends DomainError>(p: Promise<unknown>, type: new (...a: never[]) => T, field: string, re: RegExp): Promise<T> {
  let caught: unknown;
  await p.catch((e) => (caught = e));
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  assert.ok(caught.violations.some((v) => v.field === field), `no violation names ${field}: ${JSON.stringify(caught.violations)}`);
  assert.match(caught.message, re);
  return caught;
}

const roots: string[] = [];
/** A fresh work directory for the decompressed files of one ingest. */
function work(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-'));
  roots.push(d);
  return d;
}

describe('ingestUpload', () => {
  let mnist: Record<string, UploadedPart[]>;
  let cifar: Buffer;
  after(() => {
    for (const d of roots) fs.rmSync(d, { recursive: true, force: true });
  });
  before(() => {
    mnist = {
      trainImages: [part('trainImages', raw('mnist/train-images-first3009-idx3-ubyte.gz'), 'train-images.gz')],
      trainLabels: [part('trainLabels', zlib.gunzipSync(raw('mnist/train-labels-first3009-idx1-ubyte.gz')))],
      testImages: [part('testImages', raw('mnist/t10k-images-idx3-ubyte.gz'))],
      testLabels: [part('testLabels', raw('mnist/t10k-labels-idx1-ubyte.gz'))],
    };
    cifar = zlib.gunzipSync(raw('cifar10/cifar10_test_first846.bin.gz'));
  });

  test('real MNIST files, gzipped and not: summary, sha256 over the uploaded bytes in field order, decompressed files', async () => {
    const r = await ingestUpload('mnist-idx', mnist, 64 * MB, work());
    assert.deepEqual(r.summary, { numTrain: 3009, numTest: 10000, numClasses: 10, imageShape: [28, 28, 1] });
    const order = ['trainImages', 'trainLabels', 'testImages', 'testLabels'].map((f) => mnist[f][0].data as Buffer);
    assert.equal(r.sha256, createHash('sha256').update(Buffer.concat(order)).digest('hex'));
    assert.equal(r.sizeBytes, order.reduce((n, b) => n + b.length, 0));
    assert.deepEqual(r.fileNames, {
      'train-images': 'train-images-idx3-ubyte',
      'train-labels': 'train-labels-idx1-ubyte',
      'test-images': 'test-images-idx3-ubyte',
      'test-labels': 'test-labels-idx1-ubyte',
    });
    const sizes = r.files.map((f) => fs.statSync(f.path).size);
    assert.deepEqual(r.files.map((f) => f.size), sizes);
    assert.equal(r.files[0].sha256, createHash('sha256').update(fs.readFileSync(r.files[0].path)).digest('hex'));
    assert.deepEqual(sizes, [16 + 3009 * 784, 8 + 3009, 16 + 10000 * 784, 8 + 10000]);
  });

  test('cifar10-binary: train sent in parts is concatenated in order; each part must hold whole records', async () => {
    const parts = {
      train: [part('train', cifar.subarray(0, 3073 * 10), 'b1'), part('train', zlib.gzipSync(cifar.subarray(3073 * 10, 3073 * 25)), 'b2.gz')],
      test: [part('test', cifar.subarray(3073 * 25, 3073 * 30))],
    };
    const r = await ingestUpload('cifar10-binary', parts, 64 * MB, work());
    assert.deepEqual(r.summary, { numTrain: 25, numTest: 5, numClasses: 10, imageShape: [32, 32, 3] });
    assert.deepEqual(fs.readFileSync(r.files[0].path), cifar.subarray(0, 3073 * 25));
    assert.deepEqual(r.fileNames, { train: 'train.bin', test: 'test.bin' });

    const misaligned = { ...parts, train: [part('train', cifar.subarray(0, 3073 * 10 + 5), 'b1'), part('train', cifar.subarray(3073 * 10 + 5, 3073 * 20), 'b2')] };
    const e = await rejects(ingestUpload('cifar10-binary', misaligned, 64 * MB, work()), UnprocessableError, 'train', /^train\[0\]: length 30735 is not a multiple of 3073-byte CIFAR-10 records \(uploaded file "b1"\)$/);
    assert.equal(e.violations[0].rule, 'cifar10RecordLength');
  });

  test('field set: missing and foreign file fields -> 400 naming each field', async () => {
    const e = await rejects(ingestUpload('mnist-idx', { ...mnist, trainLabels: [], train: [part('train', cifar)] }, 64 * MB, work()), InvalidInputError, 'trainLabels', /required/);
    assert.deepEqual(
      e.violations.map((v) => [v.field, v.rule]),
      [
        ['train', 'fieldOfFormat'],
        ['trainLabels', 'required'],
      ],
    );
    await rejects(ingestUpload('cifar10-binary', { train: [part('train', cifar)] }, 64 * MB, work()), InvalidInputError, 'test', /"test" is required/);
  });

  test('corrupt content -> 422 naming the field and the problem', async () => {
    const gz = mnist.testImages[0].data as Buffer;
    await rejects(ingestUpload('mnist-idx', { ...mnist, testImages: [part('testImages', gz.subarray(0, gz.length >> 1))] }, 64 * MB, work()), UnprocessableError, 'testImages', /^testImages: corrupt gzip/);
    await rejects(ingestUpload('mnist-idx', { ...mnist, trainImages: mnist.trainLabels }, 64 * MB, work()), UnprocessableError, 'trainImages', /IDX magic is 0x00000801, expected 0x00000803/);
    const labels = Buffer.from((mnist.trainLabels[0].data as Buffer).subarray(0, 8 + 3008));
    labels.writeUInt32BE(3008, 4);
    await rejects(ingestUpload('mnist-idx', { ...mnist, trainLabels: [part('trainLabels', labels)] }, 64 * MB, work()), UnprocessableError, 'trainLabels', /labels count 3008 != images count 3009/);
    const badLabel = Buffer.from(cifar.subarray(0, 3073 * 2));
    badLabel[3073] = 200;
    await rejects(ingestUpload('cifar10-binary', { train: [part('train', cifar)], test: [part('test', badLabel)] }, 64 * MB, work()), UnprocessableError, 'test', /record 1 has label 200/);
  });

  test('decompressed size over the budget -> 413 naming the field', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(8 * MB));
    const e = await rejects(ingestUpload('cifar10-binary', { train: [part('train', bomb)], test: [part('test', cifar)] }, 4 * MB, work()), PayloadTooLargeError, 'train', /decompress to more than 4194304 bytes/);
    assert.equal(e.violations[0].rule, 'maxDecompressedBytes');
    // the budget is shared by all files: 2.6 MB of (gzipped) train leaves too little for 2.6 MB of test
    const train = zlib.gzipSync(cifar);
    await rejects(ingestUpload('cifar10-binary', { train: [part('train', train)], test: [part('test', cifar)] }, 4 * MB, work()), PayloadTooLargeError, 'test', /more than 4194304 bytes/);
  });

  test('absolute bounds from the format stop a bomb while decompressing: CIFAR-10 records beyond MAX_UPLOAD_IMAGES -> 413, IDX beyond its header -> 422', async () => {
    // 64 MiB of zeros (valid CIFAR-10 records, label 0) with room for 100 images: stops right after record 100
    const zeros = zlib.gzipSync(Buffer.alloc(64 * MB));
    const dir = work();
    const e = await rejects(ingestUpload('cifar10-binary', { train: [part('train', zeros)], test: [part('test', cifar)] }, { maxDecompressedBytes: 1024 * MB, maxImages: 100 }, dir), PayloadTooLargeError, 'train', /more than 100 images/);
    assert.equal(e.violations[0].rule, 'maxUploadImages');
    const written = fs.statSync(path.join(dir, 'train.bin')).size;
    assert.ok(written <= 101 * 3073 + 64 * 1024, `decompression stopped early: ${written} bytes written`);
    // an IDX header declaring 10 images of 28x28, then 64 MiB: stops once past the declared 16 + 7840 bytes
    const header = Buffer.alloc(16);
    header.writeUInt32BE(0x803, 0);
    header.writeUInt32BE(10, 4);
    header.writeUInt32BE(28, 8);
    header.writeUInt32BE(28, 12);
    const idxBomb = Buffer.concat([zlib.gzipSync(header), zeros]);
    const dir2 = work();
    const e2 = await rejects(ingestUpload('mnist-idx', { ...mnist, trainImages: [part('trainImages', idxBomb)] }, 1024 * MB, dir2), UnprocessableError, 'trainImages', /more than the 7856 bytes the IDX header declares/);
    assert.equal(e2.violations[0].rule, 'idxLength');
    assert.ok(fs.statSync(path.join(dir2, 'train-images-idx3-ubyte')).size <= 7856 + 64 * 1024);
    // a header declaring more images than the bound -> 413 before any pixel is read
    header.writeUInt32BE(1000, 4);
    await rejects(ingestUpload('mnist-idx', { ...mnist, trainImages: [part('trainImages', header)] }, { maxDecompressedBytes: 1024 * MB, maxImages: 999 }, work()), PayloadTooLargeError, 'trainImages', /more than 999 images/);
  });
});
